"""Store generated intakes in bulk, screened, for load and scale tests.

`manage.py generate_intakes N --clinic SLUG` makes N patients (MRN GEN-<n>), each with
one intake/1 document from generated_documents.py, stored the way an import stores it:
every section at version 1 with its field-history row, screened by the engine under
the clinic's active ruleset, the screening made current. Nothing the app reads is left
out or deferred: the indexes, constraints and triggers stay as they are.

Speed comes from the bulk path security.md §4 allows ("Bulk writes"): ids are reserved
from the sequences up front, documents are made and screened in worker processes
(the engine is pure Python and needs no database), and each batch is written in one
transaction (COPY on PostgreSQL, bulk_create elsewhere) with one audit row naming the
count, the ruleset version and the first and last intake id.
"""

import json
import multiprocessing
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, Final

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from devtools.generated_documents import (
    GENERATED_UNTIL,
    MRN_PREFIX,
    generated_document,
)
from screening import audit, engine
from screening.intake_format.fields import SECTIONS
from screening.json_numbers import AnswerEncoder
from screening.models import (
    Clinic,
    Intake,
    IntakeSection,
    Patient,
    RulesetVersion,
    Screening,
    SectionRevision,
)
from screening.services import rulesets, screenings
from screening.services.documents import split_missing_reasons

DEFAULT_BATCH_SIZE: Final = 2000
# The SectionRevision origin of generated values (typed values say "form").
ORIGIN: Final = "generated"
# Share of generated intakes handed to the clinicians' worklist; the rest are still
# being filled in. None is signed: a sign-off needs a clinician's review.
READY_PERCENT: Final = 65

# Columns written per table, in this order (attnames of the model's fields).
COLUMNS: Final[dict[type[Model], tuple[str, ...]]] = {
    Patient: (
        "id", "clinic_id", "mrn", "given_name", "family_name", "date_of_birth",
        "sex_for_scoring", "is_deleted", "created_by_id", "created_at", "updated_at",
    ),
    Intake: (
        "id", "clinic_id", "patient_id", "intake_on", "status", "version",
        "amends_id", "current_screening_id", "created_by_id", "created_at",
        "updated_at",
    ),
    IntakeSection: (
        "id", "intake_id", "kind", "data", "missing_reasons", "confirmed_warnings",
        "version", "updated_by_id", "updated_at",
    ),
    SectionRevision: (
        "id", "section_id", "version", "data", "missing_reasons", "saved_by_id",
        "saved_at", "origin",
    ),
    Screening: (
        "id", "intake_id", "intake_version", "ruleset_id", "ruleset_version",
        "outcome", "absolute_count", "relative_count", "caution_count",
        "not_evaluable_count", "result", "screened_at",
    ),
}  # fmt: skip
SECTION_COUNT: Final = len(SECTIONS)

# The compiled ruleset the batch builder screens with: set once per run in the parent,
# and inherited by the forked workers (the engine's objects need no pickling then).
_ruleset: engine.Ruleset | None = None


@dataclass(frozen=True)
class FirstIds:
    """The first id reserved in each table; the run's rows take consecutive ids."""

    patient: int
    intake: int
    section: int
    revision: int
    screening: int


@dataclass(frozen=True)
class BatchPlan:
    """One batch, as a worker process needs it (plain values only: it is pickled)."""

    seed: int
    first_number: int
    offset: int
    count: int
    until: date
    now: datetime
    clinic_id: int
    user_id: int
    ruleset_id: int
    first_ids: FirstIds
    as_copy_text: bool


@dataclass
class BatchRows:
    """A built batch: rows per model (or COPY text on PostgreSQL) and its outcomes."""

    plan: BatchPlan
    rows: dict[type[Model], list[tuple[Any, ...]]] = field(default_factory=dict)
    copy_text: dict[type[Model], bytes] = field(default_factory=dict)
    outcomes: Counter[str] = field(default_factory=Counter)


@dataclass
class GenerationReport:
    count: int = 0
    batches: int = 0
    first_intake_id: int | None = None
    last_intake_id: int | None = None
    outcomes: Counter[str] = field(default_factory=Counter)


def do_generate_intakes(
    clinic: Clinic,
    count: int,
    *,
    seed: int,
    by: Any,
    until: date | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    processes: int = 1,
    after_batch: Callable[[GenerationReport], None] | None = None,
) -> GenerationReport:
    """Create `count` patients with one screened intake each, in audited batches."""
    global _ruleset
    until = until or min(GENERATED_UNTIL, timezone.localdate())
    stored = rulesets.get_active_ruleset(clinic)
    _ruleset = rulesets.get_engine_ruleset(stored)
    first_number = _next_mrn_number(clinic)
    first_ids = FirstIds(
        patient=_reserve_ids(Patient, count),
        intake=_reserve_ids(Intake, count),
        section=_reserve_ids(IntakeSection, count * SECTION_COUNT),
        revision=_reserve_ids(SectionRevision, count * SECTION_COUNT),
        screening=_reserve_ids(Screening, count),
    )
    now = timezone.now()
    plans = [
        BatchPlan(
            seed=seed,
            first_number=first_number + offset,
            offset=offset,
            count=min(batch_size, count - offset),
            until=until,
            now=now,
            clinic_id=clinic.pk,
            user_id=by.pk,
            ruleset_id=stored.pk,
            first_ids=first_ids,
            as_copy_text=connection.vendor == "postgresql",
        )
        for offset in range(0, count, batch_size)
    ]
    report = GenerationReport()
    for batch in _built(plans, processes=processes):
        _write_batch(batch, clinic=clinic, by=by, ruleset=stored)
        report.count += batch.plan.count
        report.batches += 1
        report.outcomes.update(batch.outcomes)
        first, last = _intake_id_range(batch.plan)
        report.first_intake_id = report.first_intake_id or first
        report.last_intake_id = last
        if after_batch is not None:
            after_batch(report)
    _analyze()
    return report


def _analyze() -> None:
    """Refresh the planner's statistics of the tables just filled.

    Autovacuum would, in a while; until then PostgreSQL plans the worklist from the
    statistics of the empty tables (a sort of every intake instead of an index walk).
    """
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def _next_mrn_number(clinic: Clinic) -> int:
    """One past the clinic's highest GEN- MRN, so a second run adds new patients."""
    highest = (
        Patient.objects.filter(clinic=clinic, mrn__startswith=MRN_PREFIX)
        .order_by("-mrn")
        .values_list("mrn", flat=True)
        .first()
    )
    return int(highest.removeprefix(MRN_PREFIX)) + 1 if highest else 1


def _reserve_ids(model: type[Model], count: int) -> int:
    """Take `count` consecutive ids of the model's table; return the first.

    On PostgreSQL the sequence is moved past them while the table is locked against
    inserts (for milliseconds), so no concurrent INSERT can draw one of them. SQLite
    has no sequence: there the next id after the highest is used, which is safe only
    while nothing else writes (a development or test database).
    """
    table = connection.ops.quote_name(model._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 - quoted table name
            return int(cursor.fetchone()[0])
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [sequence])
        first = int(cursor.fetchone()[0])
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
        return first


def _built(plans: list[BatchPlan], *, processes: int) -> Iterator[BatchRows]:
    """The batches in order, built here or by worker processes.

    Workers stay at most one batch ahead of each other, so memory holds a few batches
    whatever the count, and the writer (this process) commits while they build.
    """
    if processes <= 1:
        yield from map(build_batch, plans)
        return
    # fork: the workers inherit the loaded Django and the compiled ruleset; they never
    # touch the parent's database connection (building needs no database).
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pending: deque[Any] = deque()
        for plan in plans:
            pending.append(pool.apply_async(build_batch, (plan,)))
            if len(pending) > processes:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def build_batch(plan: BatchPlan) -> BatchRows:
    """Make, screen and lay out the rows of one batch (no database access)."""
    assert _ruleset is not None  # noqa: S101 - set by do_generate_intakes
    sink = _CopyText() if plan.as_copy_text else _Rows()
    outcomes: Counter[str] = Counter()
    ids = plan.first_ids
    for index in range(plan.offset, plan.offset + plan.count):
        number = plan.first_number + index - plan.offset
        document, person = generated_document(plan.seed, number, until=plan.until)
        intake_on = date.fromisoformat(document["intake_date"])
        # Entered on the intake day, during clinic hours (never in the future).
        entered = min(
            datetime.combine(intake_on, time(8 + number % 9, number * 7 % 60), UTC),
            plan.now,
        )
        patient_id, intake_id = ids.patient + index, ids.intake + index
        screening_id = ids.screening + index
        ready = number * 2654435761 % 100 < READY_PERCENT  # a fixed spread by number
        sink.add(
            Patient,
            (
                patient_id, plan.clinic_id, person.mrn, person.given_name,
                person.family_name, person.date_of_birth, person.sex_for_scoring,
                False, plan.user_id, entered, entered,
            ),
        )  # fmt: skip
        sink.add(
            Intake,
            (
                intake_id, plan.clinic_id, patient_id, intake_on,
                Intake.Status.READY_FOR_REVIEW if ready else Intake.Status.IN_PROGRESS,
                1, None, screening_id, plan.user_id, entered, entered,
            ),
        )  # fmt: skip
        reasons = split_missing_reasons(document.get("missing_reasons", {}))
        for position, kind in enumerate(SECTIONS):
            section_id = ids.section + index * SECTION_COUNT + position
            data = sink.json(document[kind])
            section_reasons = sink.json(reasons.get(kind, {}))
            sink.add(
                IntakeSection,
                (
                    section_id, intake_id, kind, data, section_reasons, sink.json({}),
                    1, plan.user_id, entered,
                ),
            )  # fmt: skip
            sink.add(
                SectionRevision,
                (
                    ids.revision + index * SECTION_COUNT + position, section_id, 1,
                    data, section_reasons, plan.user_id, entered, ORIGIN,
                ),
            )  # fmt: skip
        outcome, result = screenings.run_engine(document, _ruleset)
        counts = screenings.screening_counts(result)
        sink.add(
            Screening,
            (
                screening_id, intake_id, 1, plan.ruleset_id, result["ruleset_version"],
                outcome, counts["absolute_count"], counts["relative_count"],
                counts["caution_count"], counts["not_evaluable_count"],
                sink.json(result), plan.now,
            ),
        )  # fmt: skip
        outcomes[outcome] += 1
    batch = BatchRows(plan=plan, outcomes=outcomes)
    sink.finish(batch)
    return batch


class _Rows:
    """Collects each model's rows as Python values, for bulk_create."""

    def __init__(self) -> None:
        self.rows: dict[type[Model], list[Any]] = {model: [] for model in COLUMNS}

    def json(self, value: Any) -> Any:
        return value

    def add(self, model: type[Model], row: tuple[Any, ...]) -> None:
        self.rows[model].append(row)

    def finish(self, batch: "BatchRows") -> None:
        batch.rows = self.rows


class _CopyText(_Rows):
    """Collects each model's rows as lines of PostgreSQL's COPY text format.

    JSON is serialised once per value (a section's data serves its revision too) and
    a datetime once per intake: this is the inner loop of a million-intake run.
    """

    def __init__(self) -> None:
        super().__init__()
        self._dates: dict[date, str] = {}

    def json(self, value: Any) -> "_Json":
        if value is None:
            return _Json("\\N")  # also a JSON null: Django stores SQL NULL
        if not value and isinstance(value, dict):
            return _Json("{}")  # most missing_reasons and every confirmed_warnings
        text = json.dumps(value, cls=AnswerEncoder, separators=(",", ":"))
        return _Json(_escape(text))

    def add(self, model: type[Model], row: tuple[Any, ...]) -> None:
        self.rows[model].append("\t".join(map(self._cell, row)))

    def _cell(self, value: Any) -> str:
        if isinstance(value, str):  # _Json is already COPY text
            return value if isinstance(value, _Json) else _escape(value)
        if value is None:
            return "\\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        if isinstance(value, date):  # and datetime (aware: the offset is kept)
            text = self._dates.get(value)
            if text is None:
                text = self._dates[value] = value.isoformat()
            return text
        return str(value)

    def finish(self, batch: "BatchRows") -> None:
        batch.copy_text = {
            model: ("\n".join(lines) + "\n").encode()
            for model, lines in self.rows.items()
        }


class _Json(str):
    """JSON already serialised and escaped for COPY."""

    __slots__ = ()


def _escape(text: str) -> str:
    # COPY text format: backslash, tab, newline and carriage return are escaped.
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _intake_id_range(plan: BatchPlan) -> tuple[int, int]:
    first = plan.first_ids.intake + plan.offset
    return first, first + plan.count - 1


@transaction.atomic
def _write_batch(
    batch: BatchRows, *, clinic: Clinic, by: Any, ruleset: RulesetVersion
) -> None:
    """Insert one batch and its audit row in one transaction.

    Intakes point at screenings written after them: Django's foreign keys are
    checked at commit (DEFERRABLE INITIALLY DEFERRED), by when both are there.
    """
    for model in COLUMNS:
        if batch.plan.as_copy_text:
            table = connection.ops.quote_name(model._meta.db_table)
            columns = ", ".join(
                connection.ops.quote_name(model._meta.get_field(name).column)
                for name in COLUMNS[model]
            )
            with connection.cursor() as cursor:
                raw = cursor.cursor  # psycopg's own cursor: COPY is not in the DB-API
                with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write(batch.copy_text[model])
        else:
            model.objects.bulk_create(  # type: ignore[attr-defined]
                (
                    model(**dict(zip(COLUMNS[model], row, strict=True)))
                    for row in batch.rows[model]
                ),
                batch_size=500,
            )
    first, last = _intake_id_range(batch.plan)
    patient_first = batch.plan.first_ids.patient + batch.plan.offset
    # One row for the batch (security.md §4): counts, ruleset version and id ranges.
    audit.record(
        audit.Event.INTAKE_CREATED,
        actor=by,
        clinic=clinic,
        target=Intake(pk=first),
        category="intake",
        object_version=1,
        detail={
            "object_type": "intake",
            "count": batch.plan.count,
            "first_id": first,
            "last_id": last,
            "patients_created": batch.plan.count,
            "first_patient_id": patient_first,
            "last_patient_id": patient_first + batch.plan.count - 1,
            "screened": batch.plan.count,
            "ruleset_version": ruleset.label,
        },
    )
