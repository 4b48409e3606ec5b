"""Intake state changes: create, save a section (with the version check), status."""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from screening import audit
from screening.intake_format.fields import SECTIONS
from screening.json_numbers import AnswerEncoder, as_stored
from screening.models import (
    CarryState,
    Intake,
    IntakeSection,
    Patient,
    SectionRevision,
)
from screening.services import carry_over, screenings, section_drafts
from screening.services.documents import split_missing_reasons


class StaleEditError(Exception):
    """Someone saved the section after the user opened it."""


class SignedIntakeError(Exception):
    """A signed intake is immutable: corrections go into an addendum."""


class NotReadyError(Exception):
    """The intake cannot go to the clinicians yet; the message says why."""


@dataclass(frozen=True)
class SectionAnswers:
    """One section's values and its missing-data reasons (intake/1 paths)."""

    data: dict[str, Any]
    missing_reasons: dict[str, str] = field(default_factory=dict)


def document_answers(document: dict[str, Any]) -> dict[str, SectionAnswers]:
    """Every section's answers in an intake/1 document, as the database returns them."""
    reasons = split_missing_reasons(document.get("missing_reasons", {}))
    # One JSON round trip for the whole document, not one a section (#19).
    stored = as_stored({kind: document[kind] for kind in SECTIONS})
    return {
        kind: SectionAnswers(stored[kind], reasons.get(kind, {})) for kind in SECTIONS
    }


# No savepoint when called inside another transaction (a save, an import): nothing
# catches its errors halfway there, so the whole transaction fails with it, and a
# savepoint is two more round trips a request (#19).
@transaction.atomic(savepoint=False)
def do_store_sections(
    answered: Iterable[tuple[Intake, Mapping[str, SectionAnswers]]],
    *,
    by: User,
    origin: str,
) -> list[IntakeSection]:
    """Store new intakes' sections, every kind of intake/1, with first revisions.

    An answered section is version 1 with its revision (who, when, where from), so a
    form opened on it saves version 2; the others stay unanswered (version 0).
    """
    now = timezone.now()
    sections = []
    for intake, answers in answered:
        for kind in SECTIONS:
            section = IntakeSection(intake=intake, kind=kind, carry_state="")
            if kind in answers:
                section.data = answers[kind].data
                section.missing_reasons = answers[kind].missing_reasons
                section.version, section.updated_by, section.updated_at = 1, by, now
            sections.append(section)
    if connection.vendor == "postgresql":
        insert_sections_in_one_statement(sections, by=by, now=now, origin=origin)
    else:
        insert_sections(sections, by=by, now=now, origin=origin)
    return sections


def insert_sections(
    sections: list[IntakeSection], *, by: User, now: datetime, origin: str
) -> None:
    """Write new sections and a first revision of each answered one, with the ORM."""
    # Batches keep SQLite under its bound-variable limit for thousands of intakes.
    IntakeSection.objects.bulk_create(sections, batch_size=2000)
    SectionRevision.objects.bulk_create(
        (
            SectionRevision(
                section=section,
                version=1,
                data=section.data,
                missing_reasons=section.missing_reasons,
                saved_by=by,
                saved_at=now,
                origin=origin,
            )
            for section in sections
            if section.version == 1
        ),
        batch_size=2000,
    )


# The columns insert_sections_in_one_statement writes, with their types: every column
# of the two tables (tests/services/test_intakes.py fails when a model gets another).
SECTION_COLUMNS: Final = {
    "intake_id": "bigint",
    "kind": "text",
    "data": "jsonb",
    "missing_reasons": "jsonb",
    "confirmed_warnings": "jsonb",
    "version": "integer",
    "updated_by_id": "integer",
    "updated_at": "timestamp with time zone",
    "carried_from_id": "bigint",
    "carry_state": "text",
    "carry_confirmed_by_id": "integer",
    "carry_confirmed_at": "timestamp with time zone",
    "carry_confirmed_version": "integer",
}
REVISION_COLUMNS: Final = (
    "section_id",
    "version",
    "data",
    "missing_reasons",
    "saved_by_id",
    "saved_at",
    "origin",
    "carried_from_id",
)
# One statement for the sections and their first revisions, the sections' values in
# one JSON parameter. bulk_create's two INSERTs took an import about 12,000 Python
# calls (each value of each row prepared, a JSON adapter for each JSON value, a
# 130-parameter statement parsed by psycopg anew) and two round trips (#19).
# PostgreSQL only: SQLite has no data-modifying WITH, and keeps bulk_create.
_INSERT_SECTIONS_AND_REVISIONS: Final = f"""
WITH section AS (
    INSERT INTO {IntakeSection._meta.db_table} ({", ".join(SECTION_COLUMNS)})
    SELECT {", ".join(f"row.{column}" for column in SECTION_COLUMNS)}
    FROM jsonb_to_recordset(%s::jsonb) AS row(
        position integer,
        {", ".join(f"{column} {kind}" for column, kind in SECTION_COLUMNS.items())}
    )
    ORDER BY row.position
    RETURNING id, intake_id, kind, version, data, missing_reasons
), revision AS (
    INSERT INTO {SectionRevision._meta.db_table} ({", ".join(REVISION_COLUMNS)})
    SELECT id, version, data, missing_reasons, %s, %s, %s, NULL
    FROM section WHERE version = 1
)
SELECT id, intake_id, kind FROM section
"""  # noqa: S608 - the models' own table and column names


class _RowEncoder(AnswerEncoder):
    """The data as its JSONField writes it (decimals exact), times as ISO text."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


def insert_sections_in_one_statement(
    sections: list[IntakeSection], *, by: User, now: datetime, origin: str
) -> None:
    """insert_sections() on PostgreSQL, in one statement."""
    rows = [
        {"position": position} | {c: getattr(section, c) for c in SECTION_COLUMNS}
        for position, section in enumerate(sections)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_SECTIONS_AND_REVISIONS,
            [json.dumps(rows, cls=_RowEncoder), by.pk, now, origin],
        )
        ids = {(intake_id, kind): pk for pk, intake_id, kind in cursor.fetchall()}
    for section in sections:
        section.pk = ids[section.intake_id, section.kind]
        section._state.adding, section._state.db = False, connection.alias


@transaction.atomic
def do_create_intake(
    patient: Patient,
    *,
    intake_on: date,
    primary_indication: str,
    by: User,
    carry_from: Intake | None = None,
) -> Intake:
    """Start an intake with the indication recorded and every other section
    unanswered, or proposed from the signed intake `carry_from` (#18)."""
    intake = Intake.objects.create(
        clinic=patient.clinic, patient=patient, intake_on=intake_on, created_by=by
    )
    answers = {"indication": SectionAnswers({"primary": primary_indication})}
    carried: dict[str, Any] = {}
    if carry_from is not None:
        carried = carry_over.proposals(carry_from)
        answers |= {kind: SectionAnswers(value) for kind, value in carried.items()}
    sections = do_store_sections([(intake, answers)], by=by, origin="form")
    if carry_from is not None:
        carry_over.mark_carried(intake, carry_from, sections, set(carried))
    with audit.batch():
        audit.record(
            audit.Event.INTAKE_CREATED,
            actor=by,
            clinic=intake.clinic,
            patient=patient,
            target=intake,
            category="indication",
            object_version=intake.version,
            activity_at=None,
            detail={"carried_from": carry_from.pk} if carry_from else None,
        )
        screenings.do_screen_intake(intake, by=by, sections=sections)
    return intake


def _refuse_if_signed(intake: Intake) -> None:
    if intake.is_signed:
        raise SignedIntakeError


@transaction.atomic
def do_save_section(
    section: IntakeSection,
    values: Any,
    *,
    missing_reasons: dict[str, str],
    confirmed_warnings: dict[str, str] | None = None,
    version: int,
    by: User,
    origin: str = "form",
) -> IntakeSection:
    """Save a section unless someone saved it first; keep history, audit, re-screen.

    `origin` "self_report": the patient's answers from the tablet, saved by the staff
    member who started the session (field history and audit say so, issue #17).
    """
    intake = section.intake
    _refuse_if_signed(intake)
    now = timezone.now()
    changed = IntakeSection.objects.filter(pk=section.pk, version=version).update(
        data=values,
        missing_reasons=missing_reasons,
        confirmed_warnings=confirmed_warnings or {},
        version=F("version") + 1,
        updated_by=by,
        updated_at=now,
        # Saving a carried proposal through its form is the "edit" of #18.
        carry_state=Case(
            When(carry_state=CarryState.PROPOSED, then=Value(CarryState.EDITED)),
            default=F("carry_state"),
        ),
    )
    if not changed:  # someone saved first; the view shows both versions
        raise StaleEditError
    if origin == "form":
        # What was typed is now saved: the saver's draft of this section is done with.
        section_drafts.discard_draft(section, by)
    opened_at = intake.version
    bump_intake_version(intake, now)
    # What was stored, as reading it back would give it (without reading it back).
    section.data = as_stored(values)
    section.missing_reasons = dict(missing_reasons)
    section.confirmed_warnings = confirmed_warnings or {}
    section.version, section.updated_by, section.updated_at = version + 1, by, now
    if section.carry_state == CarryState.PROPOSED:
        section.carry_state = CarryState.EDITED
    revision = SectionRevision.objects.create(
        section=section,
        version=section.version,
        data=section.data,
        missing_reasons=section.missing_reasons,
        saved_by=by,
        saved_at=now,
        origin=origin,
    )
    with audit.batch():
        audit.record_for_intake(
            audit.Event.INTAKE_UPDATED,
            intake,
            actor=by,
            target=revision,
            category=section.kind,
            object_version=section.version,
            detail={"source": origin} if origin != "form" else None,
        )
        screenings.do_screen_intake(
            intake,
            by=by,
            sections=_sections_after_save(intake, section, opened_at=opened_at),
        )
    return section


def _sections_after_save(
    intake: Intake, section: IntakeSection, *, opened_at: int
) -> list[IntakeSection] | None:
    """The sections the page read, this one saved, if they are the current ones.

    The intake row is locked now (its version was bumped). If no other save came
    between the page's read and this one (the version went up by exactly one) and the
    saved section is the very object the page read, nothing needs reading again.
    """
    sections = intake.read_sections(at_version=opened_at)
    if (
        sections is None
        or intake.version != opened_at + 1
        or not any(read is section for read in sections)
    ):
        return None
    intake.sections_read_at = intake.version
    return sections


def bump_intake_version(intake: Intake, now: datetime) -> None:
    """Add one to the intake's version (locking its row) and read the new version."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Intake._meta.db_table} SET version = version + 1,"  # noqa: S608 - the model's own table name
            " updated_at = %s WHERE id = %s RETURNING version",
            [connection.ops.adapt_datetimefield_value(now), intake.pk],
        )
        (intake.version,) = cursor.fetchone()
    intake.updated_at = now


def record_edit_conflict(section: IntakeSection, *, by: User) -> None:
    """Audit a refused stale save (security.md T-INT-01)."""
    audit.record(
        audit.Event.INTAKE_EDIT_CONFLICT,
        actor=by,
        clinic=section.intake.clinic,
        patient=section.intake.patient,
        target=section,
        category=section.kind,
        object_version=section.version,
        outcome="denied",
    )


@transaction.atomic
def do_set_intake_date(
    intake: Intake, *, intake_on: date, version: int, by: User
) -> Intake:
    """Change the intake date if nobody changed the intake first; re-screen."""
    _refuse_if_signed(intake)
    changed = Intake.objects.filter(pk=intake.pk, version=version).update(
        intake_on=intake_on, version=F("version") + 1, updated_at=timezone.now()
    )
    if not changed:
        raise StaleEditError
    intake.refresh_from_db()
    audit.record_for_intake(
        audit.Event.INTAKE_UPDATED,
        intake,
        actor=by,
        target=intake,
        category="intake",
    )
    screenings.do_screen_intake(intake, by=by)
    return intake


@transaction.atomic
def do_mark_ready_for_review(intake: Intake, *, by: User) -> None:
    """Hand the intake to the clinicians' worklist, once no carried section waits."""
    _refuse_if_signed(intake)
    pending = carry_over.pending_sections(intake)
    if pending:
        names = ", ".join(section.get_kind_display().lower() for section in pending)
        raise NotReadyError(
            f"Confirm or edit the sections carried over from the last intake first: "
            f"{names}."
        )
    Intake.objects.filter(pk=intake.pk).update(
        status=Intake.Status.READY_FOR_REVIEW, updated_at=timezone.now()
    )
    intake.refresh_from_db(fields=["status", "updated_at"])
    audit.record_for_intake(
        audit.Event.INTAKE_UPDATED,
        intake,
        actor=by,
        target=intake,
        category="intake",
    )
