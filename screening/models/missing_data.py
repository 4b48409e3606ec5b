"""A missing answer accepted as unknown, once for every rule waiting on it (§11).

The acceptance of each waiting rule is still an Acknowledgement (hashed into the
sign-off); this row records the clinician's one decision about the answer, so a rule
that waits on several answers is accepted only when the last of them is resolved.
"""

from django.conf import settings
from django.db import models

from screening.models.reviews import Acknowledgement, ImmutableModel


class MissingAnswerAcceptance(ImmutableModel):
    """One answer (a field path) accepted as unknown; the newest row per path counts."""

    Reason = Acknowledgement.UnknownReason

    intake = models.ForeignKey(
        "screening.Intake",
        on_delete=models.PROTECT,
        related_name="missing_answer_acceptances",
    )
    # The intake/1 field path, as the rule book writes it (`vitals.bp_systolic`).
    path = models.CharField(max_length=200)
    reason_code = models.CharField(max_length=40, choices=Reason.choices)
    note = models.TextField(blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["intake", "path"])]

    def __str__(self) -> str:
        return f"Missing answer {self.pk} of intake {self.intake_id} accepted"
