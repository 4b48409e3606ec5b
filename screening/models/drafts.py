"""Section drafts: what someone typed on a section page and has not saved yet.

security.md T-SES-06 (#13 F15): typing must survive the idle logout, and on the
server, never in the browser's storage. A draft is the page's posted fields as typed;
it is no answer: nothing reads it but the same person's next visit to the same page,
it is never screened, and saving the section discards it.
"""

from django.conf import settings
from django.db import models


class SectionDraft(models.Model):
    section = models.ForeignKey(
        "screening.IntakeSection", on_delete=models.CASCADE, related_name="drafts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The page's form fields as posted: field name -> its list of values.
    fields = models.JSONField()
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["section", "user"], name="one_draft_per_user_and_section"
            )
        ]
        indexes = [models.Index(fields=["saved_at"])]

    def __str__(self) -> str:
        return f"Draft of section {self.section_id} by user {self.user_id}"
