"""Clinician review: acknowledgements, dispositions, addenda and sign-offs.

Every review record is append-only: a clinician who changes their mind adds a newer
row (the newest per item counts), so the history of the review stays readable. A
sign-off row changes in exactly one way, its status going active -> superseded when an
addendum is signed; on PostgreSQL a trigger refuses everything else, superusers
included (security.md §3.4).
"""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class ReviewRecordIsImmutableError(Exception):
    pass


class ImmutableQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise ReviewRecordIsImmutableError("review records are never updated")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise ReviewRecordIsImmutableError("review records are never deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ReviewRecordIsImmutableError("review records are never updated")


class ImmutableModel(models.Model):
    """Rows are inserted once and never saved again or deleted through the ORM."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ReviewRecordIsImmutableError("review records are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ReviewRecordIsImmutableError("review records are never deleted")


class Acknowledgement(ImmutableModel):
    """A clinician's answer to one flag, or to one rule that could not be evaluated."""

    class Kind(models.TextChoices):
        FLAG = "flag", "Flag"
        NOT_EVALUABLE = "not_evaluable", "Not evaluable"

    # Rule book §11: the codes for a flag ...
    class FlagReason(models.TextChoices):
        BENEFIT_OUTWEIGHS_RISK = (
            "reviewed_benefit_outweighs_risk",
            "Reviewed: benefit outweighs risk",
        )
        WILL_MONITOR = "reviewed_will_monitor", "Reviewed: will monitor"
        ANSWER_CORRECTED = (
            "answer_corrected",
            "Answer corrected (the data were wrong and have been corrected)",
        )
        NOT_RELEVANT = "not_relevant_for_patient", "Not relevant for this patient"
        OTHER = "other", "Other (say why)"

    # ... and for accepting a not-evaluable rule as unknown.
    class UnknownReason(models.TextChoices):
        PATIENT_DECLINED = "patient_declined", "Patient declined"
        RECORDS_UNAVAILABLE = "records_unavailable", "Records unavailable"
        NOT_CLINICALLY_NEEDED = "not_clinically_needed", "Not clinically needed"
        OTHER = "other", "Other (say why)"

    intake = models.ForeignKey(
        "screening.Intake", on_delete=models.PROTECT, related_name="acknowledgements"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    rule_code = models.CharField(max_length=60)
    # Hash of the flag (code, severity, evidence) or not-evaluable item (code, needs)
    # as shown: when a re-screen changes the evidence, the acknowledgement lapses.
    item_sha256 = models.CharField(max_length=64)
    reason_code = models.CharField(max_length=40)
    note = models.TextField(blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["intake", "kind", "rule_code"])]

    def __str__(self) -> str:
        return f"Acknowledgement {self.pk} of {self.rule_code}"


class Disposition(ImmutableModel):
    """The clinician's decision on the intake; the newest row counts."""

    class Decision(models.TextChoices):
        PROCEED = "proceed", "Proceed to clinical evaluation"
        NEEDS_MORE_INFORMATION = "needs_more_information", "Needs more information"
        NOT_SUITABLE = "not_suitable", "Not suitable at this time"

    intake = models.ForeignKey(
        "screening.Intake", on_delete=models.PROTECT, related_name="dispositions"
    )
    decision = models.CharField(max_length=30, choices=Decision.choices)
    rationale = models.TextField()
    # Required to proceed while an absolute contraindication is flagged.
    override_rationale = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Disposition {self.pk} of intake {self.intake_id}"

    @property
    def is_override(self) -> bool:
        return bool(self.override_rationale)


class Addendum(ImmutableModel):
    """Why a new intake version was started from a signed one (security.md §3.4)."""

    intake = models.OneToOneField(
        "screening.Intake", on_delete=models.PROTECT, related_name="addendum_record"
    )
    amends = models.ForeignKey(
        "screening.Intake", on_delete=models.PROTECT, related_name="+"
    )
    # The first version of the chain: every version shares it, and so does the
    # one-active-sign-off constraint.
    root = models.ForeignKey(
        "screening.Intake", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Addendum {self.pk}: intake {self.intake_id} amends {self.amends_id}"


class SignOffQuerySet(ImmutableQuerySet):
    def supersede(self) -> int:
        """The one change a sign-off may undergo: active -> superseded, status only."""
        return models.QuerySet.update(
            self.filter(status=SignOff.Status.ACTIVE), status=SignOff.Status.SUPERSEDED
        )


class SignOff(ImmutableModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUPERSEDED = "superseded", "Superseded by an addendum"

    intake = models.OneToOneField(
        "screening.Intake", on_delete=models.PROTECT, related_name="signoff"
    )
    chain_root = models.ForeignKey(
        "screening.Intake", on_delete=models.PROTECT, related_name="+"
    )
    # The screening the clinician saw and signed; later re-screens never replace it.
    screening = models.ForeignKey(
        "screening.Screening", on_delete=models.PROTECT, related_name="+"
    )
    intake_version = models.PositiveIntegerField()
    ruleset_version = models.CharField(max_length=80)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()
    # The earlier sign-off this addendum's sign-off supersedes, and the reason.
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    amendment_reason = models.TextField(blank=True)
    summary_sha256 = models.CharField(max_length=64)
    signature_sha256 = models.CharField(max_length=64)
    # What the two hashes cover (review_hashes): each row keeps the format it was
    # signed in, so a later format never breaks an earlier signature. Rows older than
    # this column are format 1; do_sign_off writes the current format.
    hash_format = models.PositiveSmallIntegerField(default=1)
    # Format 2: a hash per patient identifier (MRN, name, date of birth) at signing,
    # so a later change shows, and shows which identifier changed (issue 13 F9).
    identity_sha256 = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.ACTIVE
    )

    objects = SignOffQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["chain_root"],
                condition=models.Q(status="active"),
                name="one_active_signoff_per_intake_chain",
            )
        ]

    def __str__(self) -> str:
        return f"Sign-off {self.pk} of intake {self.intake_id}"
