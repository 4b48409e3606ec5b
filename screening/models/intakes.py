"""Intakes and their sections.

Each intake/1 section is one row holding that section's answers as intake/1 JSON,
with its own version for the conditional UPDATE that detects concurrent edits. Forms,
import, export and the screening engine therefore share one vocabulary: the intake/1
field names.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property

from screening import compiled
from screening.json_numbers import AnswerDecoder, AnswerEncoder


class Intake(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        READY_FOR_REVIEW = "ready_for_review", "Ready for review"
        SIGNED = "signed", "Signed"
        AMENDED = "amended", "Amended"

    clinic = models.ForeignKey(
        "screening.Clinic", on_delete=models.PROTECT, related_name="intakes"
    )
    patient = models.ForeignKey(
        "screening.Patient", on_delete=models.PROTECT, related_name="intakes"
    )
    intake_on = models.DateField("intake date")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.IN_PROGRESS
    )
    # Bumped by every saved change to any section: the "intake version" of screenings.
    version = models.PositiveIntegerField(default=1)
    # An addendum is a new intake copied from the signed one it corrects.
    amends = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="addenda"
    )
    current_screening = models.ForeignKey(
        "screening.Screening",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # When the open urgent marker was raised; null while none is open. Kept by
    # services/urgent.py with the markers, so that a page already holding the intake
    # row knows without a query whether to show (and read) the marker.
    urgent_since = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["clinic", "status", "-intake_on"])]

    def __str__(self) -> str:
        return f"Intake {self.pk}"

    @property
    def is_urgent(self) -> bool:
        return self.urgent_since is not None

    @property
    def is_signed(self) -> bool:
        """Signed once it has a sign-off row, whatever the status column says (issue
        13 F7); a status saying signed without one still locks it, and verify_audit
        reports the disagreement either way."""
        if self.status in (self.Status.SIGNED, self.Status.AMENDED):
            return True
        # Cached after the first read (or read with select_related("signoff")).
        return hasattr(self, "signoff")

    @property
    def has_active_signoff(self) -> bool:
        """Signed and not superseded: the version an addendum may start from."""
        signoff = getattr(self, "signoff", None)
        return signoff is not None and signoff.status == "active"

    @cached_property
    def sections_by_kind(self) -> dict[str, "IntakeSection"]:
        """The intake's sections by kind, read once for a page that needs several."""
        # The intake version these were read at (or later: a save in between bumped
        # the version, so a comparison against it errs on the side of reading again).
        self.sections_read_at = self.version
        # Compiled once (#19), and read in the same round trip as the intake where
        # a view asks for both (compiled.together).
        sections = compiled.rows(sections_query, self.pk)
        for section in sections:
            section.intake = self  # as the related manager leaves each
        return {section.kind: section for section in sections}

    def read_sections(self, *, at_version: int) -> list["IntakeSection"] | None:
        """The sections read with the page, if read at `at_version`; else None."""
        if "sections_by_kind" not in self.__dict__:
            return None
        if getattr(self, "sections_read_at", None) != at_version:
            return None
        return list(self.sections_by_kind.values())


class CarryState(models.TextChoices):
    """A carried-over section's state (#18); blank when it was not carried."""

    PROPOSED = "proposed", "Carried over, not yet confirmed"
    CONFIRMED = "confirmed", "Carried over and confirmed"
    EDITED = "edited", "Carried over and edited"


class IntakeSection(models.Model):
    class Kind(models.TextChoices):
        DEMOGRAPHICS = "demographics", "Demographics"
        INDICATION = "indication", "Indication and current episode"
        VITALS = "vitals", "Vitals"
        MEDICAL_HISTORY = "medical_history", "Medical history"
        PSYCHIATRIC_HISTORY = "psychiatric_history", "Psychiatric history"
        ALLERGIES = "allergies", "Allergies"
        MEDICATIONS = "medications", "Current medications"
        ANTIDEPRESSANT_TRIALS = "antidepressant_trials", "Antidepressant trials"
        SUBSTANCE_USE = "substance_use", "Substance use"
        SCALES = "scales", "Scales"

    intake = models.ForeignKey(
        Intake, on_delete=models.PROTECT, related_name="sections"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # The section's intake/1 value; null until the section is first saved.
    data = models.JSONField(
        null=True, blank=True, encoder=AnswerEncoder, decoder=AnswerDecoder
    )
    # The section's entries of intake/1 `missing_reasons` (path -> reason).
    missing_reasons = models.JSONField(default=dict, blank=True)
    # User-confirmed warnings (intake-format.md 4.2): path -> confirmation reason.
    confirmed_warnings = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    # Carried over from the patient's last signed intake (#18): a proposal until staff
    # confirm it unchanged or save it edited; the intake is not ready for review
    # while any carried section is still a proposal.
    carried_from = models.ForeignKey(
        Intake, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # db_default: the bulk loaders (devtools/generated.py COPY) name their columns.
    carry_state = models.CharField(
        max_length=10, choices=CarryState.choices, blank=True, db_default=""
    )
    # Who confirmed the carried answers unchanged, when, and which version of them.
    carry_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    carry_confirmed_at = models.DateTimeField(null=True, blank=True)
    carry_confirmed_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["intake", "kind"], name="one_section_of_each_kind"
            )
        ]

    def __str__(self) -> str:
        return f"Intake {self.intake_id} {self.kind}"

    @property
    def is_carried_proposal(self) -> bool:
        """Carried over and neither confirmed nor edited yet."""
        return self.carry_state == CarryState.PROPOSED

    @property
    def is_saved(self) -> bool:
        return self.version > 0


def sections_query(intake_id: Any) -> "models.QuerySet[IntakeSection]":
    """An intake's sections: what Intake.sections_by_kind and the flagged summary
    read, compiled once (screening/compiled.py)."""
    return IntakeSection.objects.filter(intake_id=intake_id)


class SectionRevision(models.Model):
    """Field history: every saved state of a section, with who saved it and when."""

    section = models.ForeignKey(
        IntakeSection, on_delete=models.PROTECT, related_name="revisions"
    )
    version = models.PositiveIntegerField()
    data = models.JSONField(null=True, encoder=AnswerEncoder, decoder=AnswerDecoder)
    missing_reasons = models.JSONField(default=dict)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField()
    # Where the values came from: typed in a form, an imported document, or
    # "carried" over from an earlier intake (`carried_from`, #18).
    origin = models.CharField(max_length=20, default="form")
    carried_from = models.ForeignKey(
        Intake, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["section", "version"], name="one_revision_per_section_version"
            )
        ]

    def __str__(self) -> str:
        return f"Section {self.section_id} v{self.version}"
