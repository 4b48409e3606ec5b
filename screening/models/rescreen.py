"""Background re-screen jobs: resumable, with a cursor committed per batch."""

from django.conf import settings
from django.db import models


class RescreenJob(models.Model):
    """Re-screens a clinic's open intakes under a newly published ruleset.

    The worker may be killed mid-run (django-tasks-db then leaves its task RUNNING), so
    the job, not the task, holds the progress: `cursor` is the last intake id done,
    committed with each batch. A resumed job carries on after the cursor.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"

    clinic = models.ForeignKey(
        "screening.Clinic", on_delete=models.PROTECT, related_name="rescreen_jobs"
    )
    ruleset = models.ForeignKey(
        "screening.RulesetVersion", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # Open intakes at the start; the bar shows done / total.
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # Of the done: screened now, or already screened under this version (e.g. edited
    # after the publish) and so left as they were.
    screened = models.PositiveIntegerField(default=0)
    already_screened = models.PositiveIntegerField(default=0)
    cursor = models.BigIntegerField(default=0)
    batch_size = models.PositiveIntegerField(default=500)
    batches = models.PositiveIntegerField(default=0)
    # The django-tasks result id of the run in charge; a resume enqueues a new one.
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Moved by every batch: a running job whose heartbeat is old was killed.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"Re-screen job {self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status == self.Status.FINISHED

    @property
    def percent(self) -> int:
        if self.total == 0:
            return 100 if self.is_finished else 0
        return min(100, self.done * 100 // self.total)
