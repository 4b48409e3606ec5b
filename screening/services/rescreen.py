"""Re-screen a clinic's open intakes under a newly published ruleset, in batches.

Runs in the background (screening/tasks.py) and is resumable: the job row's cursor (the
last intake id done) is committed with each batch, so a worker killed mid-run leaves a
job that a resumed run finishes from where it stopped. Each batch is one transaction:
its Screening rows, the intakes' current screening, the cursor and one audit row.

Speed (bench/rescreen.py; 100,000 intakes within a minute on 2 cores): the engine runs
in RESCREEN_PROCESSES worker processes while this process reads the next batch, and
the Screening rows go in with COPY on PostgreSQL (bulk_create would quote every JSON
result as text, which costs more than the engine).
"""

import json
import logging
import multiprocessing
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, NamedTuple

import psycopg
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import (
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from screening import audit
from screening.json_numbers import AnswerDecoder, AnswerEncoder
from screening.models import (
    Clinic,
    Intake,
    IntakeSection,
    Patient,
    RescreenJob,
    RulesetVersion,
    Screening,
)
from screening.services import documents, rereview, rulesets, screenings, urgent

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
    by: User,
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
        audit.Event.RULESET_RESCREEN_STARTED,
        actor=by,
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
    job_id: int,
    *,
    after_batch: Callable[[int], None] | None = None,
    processes: int | None = None,
) -> RescreenJob:
    """Run (or resume) a job to the end. `after_batch` is called after each commit;
    `processes` (default RESCREEN_PROCESSES) run the engine."""
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
    processes = processes or settings.RESCREEN_PROCESSES
    batch_number = 0
    with _engine(engine_ruleset, processes=processes) as screen:
        batch = read_stored_batch(job.clinic, after=job.cursor, size=job.batch_size)
        results = screen(batch)
        while batch:
            upcoming, upcoming_results = [], None
            if processes > 1:
                # The workers screen the next batch while this one is written.
                upcoming = read_stored_batch(
                    job.clinic, after=batch[-1][0].pk, size=job.batch_size
                )
                upcoming_results = screen(upcoming)
            job.refresh_from_db(fields=["cursor"])
            try:
                _screen_batch(job, [intake for intake, _ in batch], results())
            except RescreenJobTakenError:
                logger.info("re-screen job %s is run by another worker", job.pk)
                return job
            batch_number += 1
            if after_batch is not None:
                after_batch(batch_number)
            if upcoming_results is None:
                upcoming = read_stored_batch(
                    job.clinic, after=batch[-1][0].pk, size=job.batch_size
                )
                upcoming_results = screen(upcoming)
            batch, results = upcoming, upcoming_results
    # Signed intakes are never re-screened; those whose result the new rules would
    # change go to a clinician (idempotent: a resumed job queues none twice).
    rereviews = rereview.do_queue_rereviews(job.ruleset)
    return _finish(job, rereviews=rereviews)


# A section as stored: kind, version, and its data and missing reasons as JSON text.
SectionRow = tuple[str, int, str | None, str | None]


class StoredIntake(NamedTuple):
    """What a re-screen reads of an intake and its patient: plain values, cheap to
    read and to send to an engine process (model instances cost the main process
    more than the engine costs a worker, issue #19)."""

    pk: int
    version: int
    intake_on: Any
    clinic_id: int
    urgent_since: Any
    patient_id: int | None
    mrn: str | None
    date_of_birth: Any
    sex_for_scoring: str | None

    @property
    def is_urgent(self) -> bool:
        return self.urgent_since is not None

    def as_intake(self) -> Intake:
        """An Intake (not read again) with its Patient, for intake_document() and the
        urgent markers."""
        intake = Intake(
            pk=self.pk,
            version=self.version,
            intake_on=self.intake_on,
            clinic_id=self.clinic_id,
            urgent_since=self.urgent_since,
        )
        if self.patient_id is not None:
            intake.patient = Patient(
                pk=self.patient_id,
                mrn=self.mrn,
                date_of_birth=self.date_of_birth,
                sex_for_scoring=self.sex_for_scoring,
            )
        return intake


StoredBatch = list[tuple[StoredIntake, list[SectionRow]]]


class _StoredSection(NamedTuple):
    """What intake_document() reads of a section, without a model instance each."""

    kind: str
    data: Any
    missing_reasons: dict[str, str]
    version: int

    @property
    def is_saved(self) -> bool:
        return self.version > 0


def read_stored_batch(clinic: Clinic, *, after: int, size: int) -> StoredBatch:
    """The next open intakes after an id as plain values, each with its sections'
    rows (see _read_batch)."""
    intakes = [
        StoredIntake(*row)
        for row in open_intakes(clinic)
        .filter(pk__gt=after)
        .order_by("pk")
        .values_list(
            "pk",
            "version",
            "intake_on",
            "clinic_id",
            "urgent_since",
            "patient_id",
            "patient__mrn",
            "patient__date_of_birth",
            "patient__sex_for_scoring",
        )[:size]
    ]
    if not intakes:
        return []
    rows = _section_rows(first=intakes[0].pk, last=intakes[-1].pk)
    return [(intake, rows[intake.pk]) for intake in intakes]


def _section_rows(*, first: int, last: int) -> dict[int, list[SectionRow]]:
    rows: dict[int, list[SectionRow]] = defaultdict(list)
    if connection.vendor != "postgresql":
        for intake_id, *row in (
            IntakeSection.objects.filter(intake_id__gte=first, intake_id__lte=last)
            .annotate(
                data_text=Cast("data", TextField()),
                reasons_text=Cast("missing_reasons", TextField()),
            )
            .values_list("intake_id", "kind", "version", "data_text", "reasons_text")
        ):
            rows[intake_id].append(tuple(row))  # type: ignore[arg-type]
        return rows
    # The same rows without the ORM's work per row: about 10 a intake, read by the
    # one process every batch waits for (issue #19).
    table = IntakeSection._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT intake_id, kind, version, data::text, missing_reasons::text "  # noqa: S608 - the model's table
            f"FROM {table} WHERE intake_id BETWEEN %s AND %s",
            [first, last],
        )
        for intake_id, kind, version, data, reasons in cursor.fetchall():
            rows[intake_id].append((kind, version, data, reasons))
    return rows


def _read_batch(
    clinic: Clinic, *, after: int, size: int
) -> list[tuple[Intake, list[SectionRow]]]:
    """The next open intakes after an id, each with its sections' rows.

    Sections are read in one query over the batch's id range, not a prefetch's IN list
    of every id: the range is what the batch covers anyway. Their JSON stays text here,
    to be parsed where the document is built (a worker process, when there are
    several): parsing and a model instance per section cost about what the engine
    does.
    """
    intakes = list(
        open_intakes(clinic)
        .filter(pk__gt=after)
        .select_related("patient")
        .order_by("pk")[:size]
    )
    if not intakes:
        return []
    rows = _section_rows(first=intakes[0].pk, last=intakes[-1].pk)
    return [(intake, rows[intake.pk]) for intake in intakes]


def _document(
    intake: Intake, rows: list[SectionRow], decode: Callable[[str], Any]
) -> dict[str, Any]:
    sections = [
        _StoredSection(
            kind,
            None if data is None else decode(data),
            json.loads(reasons) if reasons and reasons != "{}" else {},
            version,
        )
        for kind, version, data, reasons in rows
    ]
    return documents.intake_document(intake, sections)  # type: ignore[arg-type]


def load_batch(
    clinic: Clinic, *, after: int, size: int
) -> list[tuple[Intake, dict[str, Any]]]:
    """The next open intakes after an id, each with its intake/1 document."""
    decode = AnswerDecoder().decode
    return [
        (intake, _document(intake, rows, decode))
        for intake, rows in _read_batch(clinic, after=after, size=size)
    ]


class _Screened(NamedTuple):
    """One intake's screening as the batch writes it."""

    outcome: str
    ruleset_version: str
    counts: dict[str, int]
    # The result (None on PostgreSQL, where the line below holds it).
    result: Any
    # Read from the result before it became text: the urgent pathway's triggers.
    triggers: urgent.Triggers
    # PostgreSQL: the Screening row as a line of COPY text, from ruleset_version to
    # result (_copy_line); the writer adds the intake, the ruleset and the time. Made
    # by the engine process, so the process that writes only passes bytes on.
    line: bytes | None = None


def screen_stored(
    batch: StoredBatch, ruleset: Any, *, as_text: bool
) -> list[_Screened]:
    """Screen a batch as read: documents built, engine run, results serialised."""
    decode = AnswerDecoder().decode
    screened = []
    for intake, rows in batch:
        outcome, result = screenings.run_engine(
            _document(intake.as_intake(), rows, decode), ruleset
        )
        counts = screenings.screening_counts(result)
        screened.append(
            _Screened(
                outcome,
                result["ruleset_version"],
                counts,
                None if as_text else result,
                urgent.triggers_of(result),
                _copy_line(outcome, result, counts) if as_text else None,
            )
        )
    return screened


# COPY's text format: a backslash, tab, newline or carriage return in a value is
# written as an escape (JSON text has backslashes; the others cannot occur in it).
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_line(outcome: str, result: dict[str, Any], counts: dict[str, int]) -> bytes:
    """One Screening's COPY_COLUMNS from ruleset_version on, as COPY text without
    the newline."""
    values = (
        str(result["ruleset_version"]),
        outcome,
        *(str(counts[name]) for name in COUNT_COLUMNS),
    )
    text = "\t".join(value.translate(_COPY_ESCAPES) for value in values)
    # JSON text holds no raw tab, newline or carriage return: only backslashes.
    result_text = json.dumps(result, cls=AnswerEncoder).replace("\\", "\\\\")
    return f"{text}\t{result_text}".encode()


# The compiled ruleset the worker processes screen with, set before they are forked:
# they inherit it rather than unpickle the engine's objects.
_worker_ruleset: Any = None


def _screen_in_worker(batch: StoredBatch, as_text: bool) -> list[_Screened]:
    return screen_stored(batch, _worker_ruleset, as_text=as_text)


@contextmanager
def _engine(
    ruleset: Any, *, processes: int
) -> Iterator[Callable[[StoredBatch], Callable[[], list[_Screened]]]]:
    """screen(batch) starts screening a batch and returns a function that gives the
    results in order: here when it is called, or split between forked worker
    processes (they build the documents, run the engine and serialise the results;
    no database)."""
    as_text = connection.vendor == "postgresql"
    if processes <= 1:
        yield lambda batch: lambda: screen_stored(batch, ruleset, as_text=as_text)
        return
    global _worker_ruleset
    _worker_ruleset = ruleset
    with multiprocessing.get_context("fork").Pool(processes) as pool:

        def screen(batch: StoredBatch) -> Callable[[], list[_Screened]]:
            size = max(1, -(-len(batch) // processes))
            chunks = [
                (batch[i : i + size], as_text) for i in range(0, len(batch), size)
            ]
            pending = pool.starmap_async(_screen_in_worker, chunks)
            return lambda: [result for part in pending.get() for result in part]

        yield screen


def _screen_batch(
    job: RescreenJob, batch: list[StoredIntake], outcomes: list[_Screened]
) -> None:
    # The engine ran outside the transaction: it reads nothing from the database.
    screened_at = timezone.now()
    results = list(zip(batch, outcomes, strict=True))
    first, last = batch[0].pk, batch[-1].pk
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
            (intake, screened)
            for intake, screened in results
            if (intake.pk, intake.version) not in done_before
        ]
        # A save racing this batch may have screened the same intake version under this
        # ruleset a moment ago; the unique constraint keeps one.
        if connection.vendor == "postgresql":
            _copy_screenings(new, ruleset_id=job.ruleset_id, screened_at=screened_at)
        else:
            _insert_rows(
                [
                    (
                        intake.pk,
                        intake.version,
                        job.ruleset_id,
                        screened.ruleset_version,
                        screened.outcome,
                        *(screened.counts[name] for name in COUNT_COLUMNS),
                        screened.result,
                        screened_at,
                    )
                    for intake, screened in new
                ]
            )
        _point_intakes_at(job.ruleset, first=first, last=last)
        # A new ruleset may raise an urgent flag: the marker comes with the batch.
        # Only the few intakes whose markers could change become model instances.
        urgent.do_sync_markers(
            (
                (intake.as_intake(), screened.triggers)
                for intake, screened in results
                if urgent.needs_sync(intake, screened.triggers)  # type: ignore[arg-type]
            ),
            by=job.created_by,
        )
        RescreenJob.objects.filter(pk=job.pk).update(
            screened=F("screened") + len(new),
            already_screened=F("already_screened") + len(batch) - len(new),
        )
        audit.record(
            audit.Event.INTAKE_SCREENED,
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


SCREENING_COLUMNS = (
    "intake_id",
    "intake_version",
    "ruleset_id",
    "ruleset_version",
    "outcome",
    "absolute_count",
    "relative_count",
    "caution_count",
    "not_evaluable_count",
    "result",
    "screened_at",
)


COUNT_COLUMNS = SCREENING_COLUMNS[5:9]
# The columns of _Screened.line, after the ones the writer puts first.
COPY_COLUMNS = (
    "screened_at",
    "ruleset_id",
    "intake_id",
    "intake_version",
    "ruleset_version",
    "outcome",
    *COUNT_COLUMNS,
    "result",
)


def _copy_screenings(
    new: list[tuple[StoredIntake, _Screened]], *, ruleset_id: int, screened_at: Any
) -> None:
    """Write a batch's new screenings on PostgreSQL: its engine processes made each
    row's COPY text, so this process joins bytes and sends them (issue #19: the
    process every batch waits for does as little as it can). Straight into the
    table, as no row of the batch was stored when the batch began; if a section
    save stored one meanwhile, the unique constraint refuses the COPY, and the rows
    go in through a temporary table with ON CONFLICT DO NOTHING instead."""
    if not new:
        return
    prefix = f"{screened_at.isoformat()}\t{ruleset_id}\t".encode()
    data = b"".join(
        b"%s%d\t%d\t%s\n" % (prefix, intake.pk, intake.version, screened.line or b"")
        for intake, screened in new
    )
    columns = ", ".join(COPY_COLUMNS)
    table = Screening._meta.db_table
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor: COPY is not in the DB-API
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write(data)
    except psycopg.errors.UniqueViolation:
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE rescreen_batch ON COMMIT DROP AS "  # noqa: S608 - own columns
                f"SELECT {columns} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(
                f"COPY rescreen_batch ({columns}) FROM STDIN"
            ) as copy:
                copy.write(data)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608 - own columns
                f"SELECT {columns} FROM rescreen_batch "
                "ON CONFLICT (intake_id, intake_version, ruleset_id) DO NOTHING"
            )
            cursor.execute("DROP TABLE rescreen_batch")


def _insert_ignoring_conflicts(rows: list[Screening]) -> None:
    """Insert screenings, skipping any already stored for that intake version and
    ruleset (see _insert_rows)."""
    _insert_rows([[getattr(row, name) for name in SCREENING_COLUMNS] for row in rows])


def _insert_rows(rows: list[Sequence[Any]]) -> None:
    """Insert screenings given as values in SCREENING_COLUMNS order, skipping any
    already stored for that intake version and ruleset. PostgreSQL: COPY into a
    temporary table, then one INSERT ... ON CONFLICT DO NOTHING (each row's `result`
    is its JSON text there); elsewhere bulk_create(ignore_conflicts=True). No model
    instance per row: the main process of a re-screen must stay light (issue #19)."""
    if connection.vendor != "postgresql":
        screenings_ = [
            Screening(**dict(zip(SCREENING_COLUMNS, row, strict=True))) for row in rows
        ]
        Screening.objects.bulk_create(screenings_, ignore_conflicts=True)
        return
    columns = ", ".join(SCREENING_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE rescreen_batch ON COMMIT DROP AS "  # noqa: S608 - own columns
            f"SELECT {columns} FROM screening_screening WITH NO DATA"
        )
        raw = cursor.cursor  # psycopg's own cursor: COPY is not in the DB-API
        with raw.copy(f"COPY rescreen_batch ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO screening_screening ({columns}) "  # noqa: S608 - own columns
            f"SELECT {columns} FROM rescreen_batch "
            "ON CONFLICT (intake_id, intake_version, ruleset_id) DO NOTHING"
        )
        cursor.execute("DROP TABLE rescreen_batch")


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
def _finish(job: RescreenJob, *, rereviews: int = 0) -> RescreenJob:
    finished = RescreenJob.objects.filter(
        pk=job.pk, status=RescreenJob.Status.RUNNING
    ).update(status=RescreenJob.Status.FINISHED, finished_at=timezone.now())
    job.refresh_from_db()
    if finished:
        audit.record(
            audit.Event.RULESET_RESCREEN_FINISHED,
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
                "rereviews": rereviews,
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
