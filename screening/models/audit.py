"""The append-only, hash-chained audit log (security.md §3)."""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class AuditLogIsAppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnlyError("audit rows are never updated")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AuditLogIsAppendOnlyError("audit rows are never deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnlyError("audit rows are never updated")


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        DENIED = "denied", "Denied"
        ERROR = "error", "Error"

    seq = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    activity_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    clinic = models.ForeignKey(
        "screening.Clinic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the index on it and occurred_at (Meta) covers it
    )
    patient = models.ForeignKey(
        "screening.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the index on it and occurred_at (Meta) covers it
    )
    data_category = models.CharField(max_length=30, blank=True)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    object_version = models.CharField(max_length=40, blank=True)
    # Non-PHI numbers only (counts, ids, ruleset versions).
    detail = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS
    )
    reason = models.CharField(max_length=500, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent_hash = models.CharField(max_length=64, blank=True)
    # Unique by the constraints below: a unique field would get a second index on
    # PostgreSQL for LIKE (varchar_pattern_ops) that nothing uses, and each index is
    # written on every append (issue #19).
    prev_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["clinic", "occurred_at"]),
            models.Index(fields=["patient", "occurred_at"]),
        ]
        constraints = [
            # One row per link: a second row after the same one is a fork.
            models.UniqueConstraint(fields=["prev_hash"], name="audit_prev_unique"),
            models.UniqueConstraint(fields=["row_hash"], name="audit_row_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnlyError("audit rows are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnlyError("audit rows are never deleted")
