"""Stored screening results: one row per screening run of an intake version."""

from django.db import models

from screening.json_numbers import AnswerDecoder, AnswerEncoder


class Screening(models.Model):
    class Outcome(models.TextChoices):
        ABSOLUTE_CONTRAINDICATION = (
            "absolute_contraindication",
            "Absolute contraindication",
        )
        NEEDS_CLINICIAN_REVIEW = "needs_clinician_review", "Needs clinician review"
        NO_FLAGS = "no_flags", "No flags"
        # The engine failed: never shown as "no flags" (security.md T-ERR-04).
        INCOMPLETE = "incomplete", "Screening incomplete - do not rely"

    intake = models.ForeignKey(
        "screening.Intake", on_delete=models.PROTECT, related_name="screenings"
    )
    intake_version = models.PositiveIntegerField()
    ruleset = models.ForeignKey(
        "screening.RulesetVersion", on_delete=models.PROTECT, related_name="+"
    )
    ruleset_version = models.CharField(max_length=80)
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    absolute_count = models.PositiveSmallIntegerField(default=0)
    relative_count = models.PositiveSmallIntegerField(default=0)
    caution_count = models.PositiveSmallIntegerField(default=0)
    not_evaluable_count = models.PositiveSmallIntegerField(default=0)
    # The engine's result in the §11 shape (flags with evidence, derived values).
    result = models.JSONField(encoder=AnswerEncoder, decoder=AnswerDecoder)
    screened_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["intake", "intake_version", "ruleset"],
                name="one_screening_per_intake_version_and_ruleset",
            )
        ]

    def __str__(self) -> str:
        return f"Screening {self.pk} of intake {self.intake_id}"
