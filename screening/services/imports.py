"""Import intake/1 documents: validate a whole batch, then write it in one go."""

import functools
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import connection, router, transaction
from django.db.models import Field, QuerySet, Subquery
from django.utils import timezone

from screening import audit, compiled
from screening.intake_format import (
    DocumentInvalid,
    Issue,
    dumps,
    load_document,
    normal_form,
    warnings_for,
)
from screening.intake_format.issues import format_path
from screening.models import (
    Clinic,
    ImportRecord,
    Intake,
    Patient,
)
from screening.services import intakes, patients, screenings

# Far above any real intake (the vignettes are 2-4 kB), low enough to stop a wrong file.
MAX_FILE_BYTES: Final = 2 * 1024 * 1024
DOCUMENT: Final = "(document)"
BATCH: Final = "(batch)"
NUL_MESSAGE: Final = (
    "holds a NUL character (\\u0000), which cannot be stored: remove it from the text"
)
# Who the import_intakes and export_intake commands act as when no --user is named.
SYSTEM_USERNAME: Final = "system-import"


@dataclass(frozen=True)
class FileIssue:
    """One reason a file of the batch is refused: file, field path, reason."""

    file_name: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file_name}: {self.path}: {self.message}"


@dataclass(frozen=True)
class ImportedIntake:
    file_name: str
    intake: Intake
    patient_created: bool
    warnings: list[Issue]


@dataclass
class ImportReport:
    """What a batch import did: either every file imported, or errors and nothing."""

    errors: list[FileIssue] = field(default_factory=list)
    imported: list[ImportedIntake] = field(default_factory=list)
    batch: uuid.UUID | None = None

    @property
    def is_refused(self) -> bool:
        return bool(self.errors)

    @property
    def warning_count(self) -> int:
        return sum(len(item.warnings) for item in self.imported)


@dataclass
class _Accepted:
    file_name: str
    document: dict[str, Any]
    normal: dict[str, Any]
    sha256: str
    patient: Patient | None


def do_get_system_user() -> Any:
    """The command-line actor: inactive, no password, so nobody logs in as it.

    Created on first use; the user signal audits the creation (`user.created`).
    """
    user, _ = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_active": False, "password": make_password(None)},
    )
    return user


def document_sha256(normal: dict[str, Any]) -> str:
    """Fingerprint of a normal-form document; reason order does not change it."""
    canonical = dict(normal)
    if "missing_reasons" in canonical:
        canonical["missing_reasons"] = dict(
            sorted(canonical["missing_reasons"].items())
        )
    return hashlib.sha256(dumps(canonical).encode()).hexdigest()


def do_import_documents(
    files: list[tuple[str, bytes]],
    *,
    clinic: Clinic,
    by: User,
    today: date,
) -> ImportReport:
    """Import a batch of intake/1 files into the clinic: all of them, or none.

    Every file is validated first (intake-format.md 4.1, with `today` for the
    intake-date check); one refused file refuses the batch and nothing is written.
    Otherwise each document becomes an intake of the patient with its MRN (created if
    unknown), audited and screened, in one transaction.
    """
    accepted, errors = _validate_batch(files, clinic=clinic, today=today)
    if errors:
        return ImportReport(errors=errors)
    return _write_batch(accepted, clinic=clinic, by=by)


def _validate_batch(
    files: list[tuple[str, bytes]], *, clinic: Clinic, today: date
) -> tuple[list[_Accepted], list[FileIssue]]:
    if not files:
        return [], [
            FileIssue(BATCH, DOCUMENT, "no files were given: nothing to import")
        ]
    accepted: list[_Accepted] = []
    errors: list[FileIssue] = []
    seen: dict[str, str] = {}
    for file_name, raw in files:
        document = _validate_file(raw, today=today)
        if isinstance(document, list):
            errors += [FileIssue(file_name, i.path, i.message) for i in document]
            continue
        normal = normal_form(document)
        sha256 = document_sha256(normal)
        stored = _stored(sha256, normal["patient"]["mrn"], clinic=clinic)
        problems = _duplicate_issues(sha256, seen, stored)
        patient, patient_issue = _existing_patient(stored)
        if patient_issue:
            problems.append(patient_issue)
        errors += [FileIssue(file_name, i.path, i.message) for i in problems]
        seen.setdefault(sha256, file_name)
        accepted.append(_Accepted(file_name, document, normal, sha256, patient))
    return accepted, errors


def _validate_file(raw: bytes, *, today: date) -> dict[str, Any] | list[Issue]:
    """The valid document, or the reasons to refuse it."""
    if len(raw) > MAX_FILE_BYTES:
        size = f"{len(raw) / 1024 / 1024:.1f} MB"
        return [Issue(DOCUMENT, f"the file is {size}; an intake/1 file may be 2 MB")]
    try:
        document = load_document(raw, today=today)
    except DocumentInvalid as refused:
        return refused.issues
    if "patient" not in document:
        return [Issue("patient", "no patient: import it as a clinic test case instead")]
    # NUL can only come from a \u0000 escape (JSON text holds no raw control
    # character): without one in the file, no value needs walking (#19).
    if b"\\u0000" not in raw:
        return document
    return _nul_issues(document, []) or document


def _nul_issues(value: Any, path: list[str | int]) -> list[Issue]:
    # Valid JSON and valid intake/1, but PostgreSQL's jsonb cannot store U+0000: refuse
    # it on every database alike rather than fail half-way through the write.
    if isinstance(value, str):
        return [Issue(format_path(path), NUL_MESSAGE)] if "\x00" in value else []
    children: list[tuple[str | int, Any]] = []
    if isinstance(value, dict):  # keys are schema names or patterned paths: no NUL
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))
    return [
        issue for key, child in children for issue in _nul_issues(child, [*path, key])
    ]


@dataclass(frozen=True)
class _Stored:
    """What the clinic already holds of a document: an earlier import, the MRN."""

    earlier_intake_id: int | None
    earlier_imported_at: datetime | None
    patient_id: int | None
    patient_is_deleted: bool


def stored_query(sha256: str, mrn: str, clinic_id: int) -> QuerySet[Clinic]:
    """The clinic's earlier import of a document (intake id, when) and its patient
    with the MRN (id, whether deleted), in one row."""
    earlier = ImportRecord.objects.filter(
        document_sha256=sha256, intake__clinic_id=clinic_id
    ).order_by("pk")
    patient = Patient.objects.filter(clinic_id=clinic_id, mrn=mrn)  # one at most
    return Clinic.objects.filter(pk=clinic_id).values_list(
        Subquery(earlier.values("intake_id")[:1]),
        Subquery(earlier.values("imported_at")[:1]),
        Subquery(patient.values("pk")[:1]),
        Subquery(patient.values("is_deleted")[:1]),
    )


# Where stored_query's values go in its statement, compiled once (#19).
_STORED_PLACEHOLDERS: Final = ("<sha256>", "<mrn>", compiled.PLACEHOLDER_PK)


def _stored(sha256: str, mrn: str, *, clinic: Clinic) -> _Stored:
    # The duplicate check and the MRN look-up in one statement: a round trip less per
    # document (#19).
    alias = router.db_for_read(Clinic)
    row = compiled.first_row(
        stored_query, _STORED_PLACEHOLDERS, (sha256, mrn, clinic.pk), alias
    )
    if row is None:
        raise Clinic.DoesNotExist
    return _Stored(row[0], row[1], row[2], bool(row[3]))


def _duplicate_issues(
    sha256: str, seen: dict[str, str], stored: _Stored
) -> list[Issue]:
    # Importing a file twice (a double upload, a folder run again) would give the
    # patient two identical intakes on the clinicians' worklist.
    if sha256 in seen:
        return [Issue(DOCUMENT, f"the same document as {seen[sha256]} in this batch")]
    if stored.earlier_imported_at is None:
        return []
    day = timezone.localdate(stored.earlier_imported_at).isoformat()
    intake_id = stored.earlier_intake_id
    return [Issue(DOCUMENT, f"already imported as intake {intake_id} on {day}")]


def _existing_patient(stored: _Stored) -> tuple[Patient | None, Issue | None]:
    if stored.patient_id is None:
        return None, None
    if stored.patient_is_deleted:
        # Deleted patients are hidden, not gone (the MRN stays taken): attaching an
        # intake to one would hide the intake too.
        return None, Issue(
            "patient.mrn",
            "the patient with this MRN was deleted in this clinic; restore the "
            "patient record first",
        )
    return Patient.objects.get(pk=stored.patient_id), None


@transaction.atomic
def _write_batch(
    accepted: list[_Accepted], *, clinic: Clinic, by: User
) -> ImportReport:
    report = ImportReport(batch=uuid.uuid4())
    known: dict[str, Patient] = {}
    with audit.batch():  # the batch's audit rows in one append, at the end
        for position, item in enumerate(accepted):
            mrn = item.normal["patient"]["mrn"]
            patient = item.patient or known.get(mrn)
            created = patient is None
            if patient is None:
                # No savepoint of its own: a taken MRN ends the batch's transaction,
                # and the batch with it (all or nothing).
                patient = patients.do_create_patient(
                    clinic, mrn=mrn, by=by, savepoint=False
                )
            known[mrn] = patient
            intake, warnings = _write_intake(
                item,
                patient,
                by=by,
                batch=report.batch,
                position=position,
                batch_size=len(accepted),
            )
            report.imported.append(
                ImportedIntake(item.file_name, intake, created, warnings)
            )
    return report


def _write_intake(
    item: _Accepted,
    patient: Patient,
    *,
    by: User,
    batch: uuid.UUID | None,
    position: int,
    batch_size: int,
) -> tuple[Intake, list[Issue]]:
    now = timezone.now()
    normal = item.normal
    # The imported document is the intake's first state: version 1 of it and of every
    # section, so a form opened on it saves version 2.
    intake = Intake(
        clinic=patient.clinic,
        patient=patient,
        intake_on=date.fromisoformat(normal["intake_date"]),
        status=Intake.Status.IN_PROGRESS,
        version=1,
        created_by=by,
    )
    warnings = warnings_for(item.document)
    record = ImportRecord(
        intake=intake,
        batch=batch,
        position=position,
        file_name=item.file_name[:255],
        document_sha256=item.sha256,
        warnings=[{"path": w.path, "message": w.message} for w in warnings],
        imported_by=by,
        imported_at=now,
    )
    _insert_intake_and_record(intake, record)
    sections = intakes.do_store_sections(
        [(intake, intakes.document_answers(normal))], by=by, origin="import"
    )
    audit.record(
        audit.Event.INTAKE_IMPORTED,
        actor=by,
        clinic=intake.clinic,
        patient=patient,
        target=intake,
        category="intake",
        object_version=intake.version,
        detail={
            "batch_size": batch_size,
            "batch_position": position,
            "warnings": len(warnings),
        },
    )
    screenings.do_screen_intake(intake, by=by, sections=sections)
    return intake, warnings


def _insert_intake_and_record(intake: Intake, record: ImportRecord) -> None:
    """Insert a new intake and its import record, and set their ids.

    On PostgreSQL in one statement: one round trip and two ORM saves fewer an
    import (#19). The values are those the ORM's INSERTs would send (each field's
    pre_save and database value); SQLite, without a data-modifying WITH, saves both.
    """
    if connection.vendor != "postgresql":
        intake.save(force_insert=True)
        record.intake = intake
        record.save(force_insert=True)
        return
    statement, intake_fields, record_fields = _intake_and_record_statement()
    params = [
        field.get_db_prep_save(field.pre_save(saved, True), connection)
        for saved, fields in ((intake, intake_fields), (record, record_fields))
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        intake.pk, record.pk = cursor.fetchone()
    record.intake = intake
    for saved in (intake, record):
        saved._state.adding, saved._state.db = False, connection.alias


@functools.cache
def _intake_and_record_statement() -> tuple[str, list[Field], list[Field]]:
    """The INSERT of an intake and its import record (PostgreSQL), the fields whose
    values it takes in order."""
    quote = connection.ops.quote_name
    intake_fields = [f for f in Intake._meta.concrete_fields if not f.primary_key]
    record_fields = [
        f
        for f in ImportRecord._meta.concrete_fields
        if not f.primary_key and f.name != "intake"
    ]
    if any(f.has_db_default() for f in [*intake_fields, *record_fields]):
        raise RuntimeError("a column with a database default: leave it out here")

    def columns(fields: list[Field]) -> str:
        return ", ".join(quote(f.column) for f in fields)

    def placeholders(fields: list[Field]) -> str:
        return ", ".join(["%s"] * len(fields))

    record_intake = quote(ImportRecord._meta.get_field("intake").column)
    statement = f"""
WITH intake AS (
    INSERT INTO {quote(Intake._meta.db_table)} ({columns(intake_fields)})
    VALUES ({placeholders(intake_fields)})
    RETURNING {quote(Intake._meta.pk.column)} AS id
)
INSERT INTO {quote(ImportRecord._meta.db_table)}
    ({record_intake}, {columns(record_fields)})
SELECT intake.id, {placeholders(record_fields)} FROM intake
RETURNING {record_intake}, {quote(ImportRecord._meta.pk.column)}
"""  # noqa: S608 - the models' own table and column names
    return statement, intake_fields, record_fields
