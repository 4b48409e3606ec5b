"""Urgent markers and re-reviews: what puts an intake in front of a clinician now.

An urgent marker (issue #15) is raised by a screening and stays until a clinician
clears it: a safety risk must never depend on someone opening the right intake. A
re-review is raised by a publish that would change a signed result: nothing changes
behind a signature without the signer (or a colleague) looking at it again.
"""

from django.conf import settings
from django.db import models


class UrgentMarker(models.Model):
    """One trigger of an intake's urgent marker; open while `cleared_at` is null.

    The note of a clearance stays here, with the intake, and never in the audit log
    (its audit row carries ids and codes only).
    """

    class Trigger(models.TextChoices):
        # Rule book §5.5 and §11: a flag marked urgent (today PSY-SUICIDE-HIGH).
        URGENT_FLAG = "urgent_flag", "Same-day safety assessment needed"
        # PHQ-9 item 9 >= 1 while the C-SSRS screener is not recorded (issue #15).
        CSSRS_NEEDED = "cssrs_needed", "C-SSRS needed before the patient leaves"

    class Resolution(models.TextChoices):
        ASSESSMENT_DONE = "assessment_done", "Safety assessment done"
        ENTERED_IN_ERROR = "entered_in_error", "The answer was entered in error"
        CSSRS_RECORDED = "cssrs_recorded", "C-SSRS recorded"

    intake = models.ForeignKey(
        "screening.Intake", on_delete=models.PROTECT, related_name="urgent_markers"
    )
    # The intake's clinic, copied so the worklist reads open markers by one index.
    clinic = models.ForeignKey(
        "screening.Clinic", on_delete=models.PROTECT, related_name="+"
    )
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    # The urgent flags' codes (URGENT_FLAG), for the reason shown; codes, not answers.
    rule_codes = models.JSONField(default=list, blank=True)
    # What raised it (the answers, hashed): a cleared marker is raised again only when
    # the deciding answers change, never by an unrelated save.
    evidence_sha256 = models.CharField(max_length=64)
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["intake", "trigger"],
                condition=models.Q(cleared_at__isnull=True),
                name="one_open_urgent_marker_per_trigger",
            )
        ]
        indexes = [
            models.Index(
                fields=["clinic", "raised_at"],
                condition=models.Q(cleared_at__isnull=True),
                name="urgent_marker_open_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Urgent marker {self.pk} of intake {self.intake_id}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None


class ReReview(models.Model):
    """A signed intake whose result a newly published ruleset would change."""

    class Closure(models.TextChoices):
        ADDENDUM = "addendum", "Addendum signed"
        NO_CHANGE = "no_change", "Reviewed, no change"

    intake = models.ForeignKey(
        "screening.Intake", on_delete=models.PROTECT, related_name="rereviews"
    )
    clinic = models.ForeignKey(
        "screening.Clinic", on_delete=models.PROTECT, related_name="+"
    )
    signoff = models.ForeignKey(
        "screening.SignOff", on_delete=models.PROTECT, related_name="+"
    )
    # The signer, copied: the re-review sits on their worklist first.
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ruleset = models.ForeignKey(
        "screening.RulesetVersion", on_delete=models.PROTECT, related_name="+"
    )
    # reviews.compare_results() of the signed result and the new one: rule codes,
    # severities, titles and outcomes, no answers.
    diff = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closure = models.CharField(max_length=20, choices=Closure.choices, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["signoff", "ruleset"], name="one_rereview_per_signoff_ruleset"
            )
        ]
        indexes = [
            models.Index(
                fields=["clinic", "created_at"],
                condition=models.Q(closed_at__isnull=True),
                name="rereview_open_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Re-review {self.pk} of intake {self.intake_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
