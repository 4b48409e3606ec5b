"""The record of an imported intake/1 document: who, when, which file, its warnings."""

from django.conf import settings
from django.db import models


class ImportRecord(models.Model):
    """One imported document; the documents imported together share a batch id.

    The warnings of intake-format.md 4.2 live here rather than in the sections'
    `confirmed_warnings`: nobody confirmed them, so a form still asks when the value is
    next edited, and the import record keeps what the file said when it arrived.
    """

    intake = models.OneToOneField(
        "screening.Intake", on_delete=models.PROTECT, related_name="import_record"
    )
    batch = models.UUIDField(db_index=True)
    # Order of the document in its batch, as the files were given.
    position = models.PositiveIntegerField()
    # As uploaded (the name may hold PHI, so it stays in this clinic-scoped table and
    # never reaches an audit row, a log line or a URL).
    file_name = models.CharField(max_length=255, blank=True)
    # sha256 of the document's normal form: the same document imported twice is refused.
    document_sha256 = models.CharField(max_length=64)
    # [{"path": ..., "message": ...}] in the order warnings_for() gave them.
    warnings = models.JSONField(default=list, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["document_sha256"])]

    def __str__(self) -> str:
        return f"Import of intake {self.intake_id}"
