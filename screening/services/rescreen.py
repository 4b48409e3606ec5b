"""Re-screen a clinic's open intakes under a newly published ruleset, in batches.

Runs in the background (screening/tasks.py) and is resumable: the job row's cursor (the
last intake id done) is committed with each batch, so a worker killed mid-run leaves a
job that a resumed run finishes from where it stopped. Each batch is one transaction:
its Screening rows, the intakes' current screening, the cursor and one audit row.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from screening import audit
from screening.models import (
    Clinic,
    Intake,
    IntakeSection,
    RescreenJob,
    RulesetVersion,
    Screening,
)
from screening.services import documents, rulesets, screenings

logger = logging.getLogger(__name__)

OPEN_STATUSES = (Intake.Status.IN_PROGRESS, Intake.Status.READY_FOR_REVIEW)
DEFAULT_BATCH_SIZE = 500
# A running job whose last batch committed longer ago than this was killed: a batch
# of 500 takes seconds, so minutes of silence mean no worker holds it any more.
STALE_AFTER = timedelta(minutes=5)


def open_intakes(clinic: Clinic) -> QuerySet[Intake]:
    """The intakes a publish re-screens: not signed (signed intakes never change)."""
    return Intake.objects.filter(clinic=clinic, status__in=OPEN_STATUSES)


@transaction.atomic
def do_start_rescreen(
    ruleset: RulesetVersion,
    *,
    by: Any,
    request: Any = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> RescreenJob:
    """Create the re-screen job of a published ruleset; it is queued once committed."""
    clinic = ruleset.clinic
    assert clinic is not None  # noqa: S101 - only a clinic's own versions are published
    job = RescreenJob.objects.create(
        clinic=clinic,
        ruleset=ruleset,
        total=open_intakes(clinic).count(),
        batch_size=batch_size,
        created_by=by,
    )
    audit.record(
        "ruleset.rescreen_started",
        actor=by,
        request=request,
        clinic=clinic,
        target=job,
        category="ruleset",
        object_version=ruleset.label,
        detail={"count": job.total, "ruleset_version": ruleset.label},
    )
    # The worker must see the committed job (and the immediate backend of the tests
    # runs the task at once, which must not happen inside the publish transaction).
    transaction.on_commit(lambda: enqueue_rescreen(job))
    return job


def enqueue_rescreen(job: RescreenJob) -> None:
    """Hand the job to the task queue and remember which task runs it."""
    # Imported here: screening.tasks imports this module.
    from screening.tasks import rescreen_job

    result = rescreen_job.enqueue(job.pk)
    RescreenJob.objects.filter(pk=job.pk).update(task_id=result.id)


class RescreenJobTakenError(Exception):
    """Another run moved the job's cursor first: this run stops, the other goes on."""


def do_run_rescreen_job(
    job_id: int, *, after_batch: Callable[[int], None] | None = None
) -> RescreenJob:
    """Run (or resume) a job to the end. `after_batch` is called after each commit."""
    job = RescreenJob.objects.select_related("ruleset", "clinic").get(pk=job_id)
    if job.is_finished:
        return job
    now = timezone.now()
    RescreenJob.objects.filter(pk=job.pk).update(
        status=RescreenJob.Status.RUNNING,
        started_at=Coalesce(F("started_at"), Value(now)),
        heartbeat_at=now,
        attempts=F("attempts") + 1,
    )
    engine_ruleset = rulesets.get_engine_ruleset(job.ruleset)
    batch_number = 0
    while True:
        job.refresh_from_db()
        batch = load_batch(job.clinic, after=job.cursor, size=job.batch_size)
        if not batch:
            break
        try:
            _screen_batch(job, batch, engine_ruleset)
        except RescreenJobTakenError:
            logger.info("re-screen job %s is run by another worker", job.pk)
            return job
        batch_number += 1
        if after_batch is not None:
            after_batch(batch_number)
    return _finish(job)


def load_batch(
    clinic: Clinic, *, after: int, size: int
) -> list[tuple[Intake, dict[str, Any]]]:
    """The next open intakes after an id, each with its intake/1 document.

    Sections are read in one query over the batch's id range, not a prefetch's
    IN list of every id: the range is what the batch covers anyway.
    """
    intakes = list(
        open_intakes(clinic)
        .filter(pk__gt=after)
        .select_related("patient")
        .order_by("pk")[:size]
    )
    if not intakes:
        return []
    sections: dict[int, list[IntakeSection]] = defaultdict(list)
    for section in IntakeSection.objects.filter(
        intake_id__gte=intakes[0].pk, intake_id__lte=intakes[-1].pk
    ).only("intake_id", "kind", "data", "missing_reasons", "version"):
        sections[section.intake_id].append(section)
    return [
        (intake, documents.intake_document(intake, sections[intake.pk]))
        for intake in intakes
    ]


def _screen_batch(
    job: RescreenJob,
    batch: list[tuple[Intake, dict[str, Any]]],
    engine_ruleset: Any,
) -> None:
    # The engine runs outside the transaction: it reads nothing from the database.
    screened_at = timezone.now()
    results = [
        (intake, screenings.run_engine(document, engine_ruleset))
        for intake, document in batch
    ]
    first, last = batch[0][0].pk, batch[-1][0].pk
    with transaction.atomic():
        # Compare-and-swap on the cursor: of two runs of a job only one commits a batch.
        claimed = RescreenJob.objects.filter(pk=job.pk, cursor=job.cursor).update(
            cursor=last,
            heartbeat_at=screened_at,
            done=F("done") + len(batch),
            batches=F("batches") + 1,
        )
        if not claimed:
            raise RescreenJobTakenError
        done_before = set(
            Screening.objects.filter(
                intake_id__gte=first, intake_id__lte=last, ruleset=job.ruleset
            ).values_list("intake_id", "intake_version")
        )
        new = [
            Screening(
                intake=intake,
                intake_version=intake.version,
                ruleset=job.ruleset,
                ruleset_version=result["ruleset_version"],
                outcome=outcome,
                result=result,
                screened_at=screened_at,
                **screenings.screening_counts(result),
            )
            for intake, (outcome, result) in results
            if (intake.pk, intake.version) not in done_before
        ]
        # ignore_conflicts: a save racing this batch may have screened the same intake
        # version under this ruleset a moment ago; the unique constraint keeps one.
        Screening.objects.bulk_create(new, ignore_conflicts=True)
        _point_intakes_at(job.ruleset, first=first, last=last)
        RescreenJob.objects.filter(pk=job.pk).update(
            screened=F("screened") + len(new),
            already_screened=F("already_screened") + len(batch) - len(new),
        )
        audit.record(
            "intake.screened",
            actor=job.created_by,
            clinic=job.clinic,
            target=job,
            category="screening_summary",
            object_version=job.ruleset.label,
            detail={
                "object_type": "intake",
                "count": len(new),
                "ruleset_version": job.ruleset.label,
                "first_id": first,
                "last_id": last,
            },
        )


def _point_intakes_at(ruleset: RulesetVersion, *, first: int, last: int) -> None:
    """Make each open intake's screening under this ruleset, at the intake's present
    version, its current one: one UPDATE over the batch's id range.

    An intake edited meanwhile has a new version, which its save screened (then that
    screening becomes current) or not yet (then it is left alone); a signed intake
    never changes.
    """
    screening = Screening.objects.filter(
        intake=OuterRef("pk"), intake_version=OuterRef("version"), ruleset=ruleset
    ).values("pk")[:1]
    Intake.objects.filter(
        Exists(screening),
        pk__gte=first,
        pk__lte=last,
        status__in=OPEN_STATUSES,
    ).update(current_screening_id=Subquery(screening))


@transaction.atomic
def _finish(job: RescreenJob) -> RescreenJob:
    finished = RescreenJob.objects.filter(
        pk=job.pk, status=RescreenJob.Status.RUNNING
    ).update(status=RescreenJob.Status.FINISHED, finished_at=timezone.now())
    job.refresh_from_db()
    if finished:
        audit.record(
            "ruleset.rescreen_finished",
            actor=job.created_by,
            clinic=job.clinic,
            target=job,
            category="ruleset",
            object_version=job.ruleset.label,
            detail={
                "count": job.screened,
                "already_screened": job.already_screened,
                "ruleset_version": job.ruleset.label,
                "batches": job.batches,
            },
        )
    return job


def list_stale_jobs(*, stale_after: timedelta = STALE_AFTER) -> QuerySet[RescreenJob]:
    """Unfinished jobs nobody has moved on for a while: their worker died."""
    cutoff = timezone.now() - stale_after
    return RescreenJob.objects.exclude(status=RescreenJob.Status.FINISHED).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    )


def do_resume_stale_jobs(
    *, stale_after: timedelta = STALE_AFTER, job: RescreenJob | None = None
) -> list[RescreenJob]:
    """Queue stale jobs (or this one, if stale) again; they go on after the cursor."""
    stale = list_stale_jobs(stale_after=stale_after)
    jobs = list(stale.filter(pk=job.pk) if job is not None else stale)
    resumed = []
    for stale_job in jobs:
        # Claim it by moving the heartbeat: two checks at once queue it only once.
        claimed = RescreenJob.objects.filter(
            pk=stale_job.pk, heartbeat_at=stale_job.heartbeat_at
        ).update(heartbeat_at=timezone.now())
        if claimed:
            logger.info("resuming re-screen job %s", stale_job.pk)
            enqueue_rescreen(stale_job)
            resumed.append(stale_job)
    return resumed
