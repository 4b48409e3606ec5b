"""record(): the only writer of audit rows, and their hash chain (security.md §3)."""

import functools
import hashlib
import json
import operator
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Model, Q, QuerySet
from django.db.models.base import ModelState
from django.http import HttpRequest
from django.utils import timezone

from screening import permissions
from screening.logs import current_request
from screening.models import AuditEvent, Clinic, Intake, Membership, Patient


class Event(models.TextChoices):
    """Every audit event code (security.md §3.1): `<area>.<verb>`, verb in the past."""

    AUTH_LOGIN = "auth.login", "Logged in"
    AUTH_BENCH_SESSION = "auth.bench_session", "Load-test session created"
    AUTH_LOGIN_FAILED = "auth.login_failed", "Login failed"
    AUTH_LOGOUT = "auth.logout", "Logged out"
    AUTH_TIMEOUT = "auth.timeout", "Session timed out"
    AUTH_LOCKED_OUT = "auth.locked_out", "Locked out"
    AUTH_MFA_FAILED = "auth.mfa_failed", "Second factor failed"
    AUTH_MFA_ENROLLED = "auth.mfa_enrolled", "Second factor enrolled"
    AUTH_MFA_RESET = "auth.mfa_reset", "Second factor reset"
    AUTH_RECOVERY_CODES_ISSUED = "auth.recovery_codes_issued", "Recovery codes issued"
    AUTH_RECOVERY_CODE_USED = "auth.recovery_code_used", "Recovery code used"
    AUTH_PASSWORD_CHANGED = "auth.password_changed", "Password changed"
    AUTH_REAUTH_FAILED = "auth.reauth_failed", "Re-authentication failed"
    USER_CREATED = "user.created", "User created"
    USER_PRIVILEGE_CHANGED = "user.privilege_changed", "Privileges changed"
    USER_SESSIONS_ENDED = "user.sessions_ended", "Sessions ended"
    PATIENT_VIEWED = "patient.viewed", "Patient viewed"
    INTAKE_VIEWED = "intake.viewed", "Intake viewed"
    REVIEW_VIEWED = "review.viewed", "Review viewed"
    REVIEW_PRINTED = "review.printed", "Review printed"
    INTAKE_EXPORTED = "intake.exported", "Intake exported"
    PATIENT_SEARCHED = "patient.searched", "Patients searched"
    AUDIT_VIEWED = "audit.viewed", "Audit log viewed"
    AUDIT_EXPORTED = "audit.exported", "Audit log exported"
    PATIENT_CREATED = "patient.created", "Patient created"
    PATIENT_UPDATED = "patient.updated", "Patient updated"
    PATIENT_DELETED = "patient.deleted", "Patient deleted"
    INTAKE_CREATED = "intake.created", "Intake created"
    INTAKE_UPDATED = "intake.updated", "Intake updated"
    INTAKE_IMPORTED = "intake.imported", "Intake imported"
    INTAKE_SCREENED = "intake.screened", "Intake screened"
    INTAKE_EDIT_CONFLICT = "intake.edit_conflict", "Edit conflict refused"
    INTAKE_DRAFT_SAVED = "intake.draft_saved", "Unsaved typing kept as a draft"
    REVIEW_ACKNOWLEDGED = "review.acknowledged", "Flag acknowledged"
    REVIEW_SIGNED = "review.signed", "Review signed"
    INTAKE_AMENDED = "intake.amended", "Addendum started"
    CONSENT_RECORDED = "consent.recorded", "Consent recorded"
    CONSENT_DOCUMENT_DRAFTED = "consent.document_drafted", "Consent document drafted"
    CONSENT_DOCUMENT_PUBLISHED = (
        "consent.document_published",
        "Consent document published",
    )
    RULESET_DRAFTED = "ruleset.drafted", "Ruleset drafted"
    RULESET_EDITED = "ruleset.edited", "Ruleset edited"
    RULESET_TESTED = "ruleset.tested", "Ruleset tested"
    RULESET_APPROVED = "ruleset.approved", "Ruleset approved"
    RULESET_PUBLISHED = "ruleset.published", "Ruleset published"
    RULESET_RESCREEN_STARTED = "ruleset.rescreen_started", "Re-screen started"
    RULESET_RESCREEN_FINISHED = "ruleset.rescreen_finished", "Re-screen finished"
    ACCESS_DENIED = "access.denied", "Access denied"
    ACCESS_BREAK_GLASS = "access.break_glass", "Break-glass access"
    AUDIT_STATUS_CHANGED = "audit.status_changed", "Audit status changed"
    RETENTION_PURGED = "retention.purged", "Retention purge"
    CLINIC_SETTINGS_CHANGED = "clinic.settings_changed", "Clinic settings changed"
    TEXT_PACK_LOADED = "clinic.text_pack_loaded", "Text pack loaded"
    SELF_REPORT_STARTED = "self_report.started", "Self-report started"
    SELF_REPORT_OPENED = "self_report.opened", "Self-report opened on a tablet"
    SELF_REPORT_CODE_FAILED = "self_report.code_failed", "Self-report code refused"
    SELF_REPORT_FINISHED = "self_report.finished", "Self-report finished"
    SELF_REPORT_ENDED = "self_report.ended", "Self-report ended"


CHAIN_FORMAT_VERSION = 1
GENESIS_HASH = "0" * 64
# Any constant: serialises writers of the chain on PostgreSQL (pg_advisory_xact_lock).
_CHAIN_LOCK_KEY = 7_310_455_212
# The events of the batch() being run in this thread or task, if any.
_pending: ContextVar[list[AuditEvent] | None] = ContextVar("audit_batch", default=None)


class _RequestEvents(list[AuditEvent]):
    """The events a request recorded outside any transaction (a page's read rows, a
    denied access), appended when its response is ready, in the transaction that saves
    its session (#19 goal 1: one commit, not two)."""


_HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "activity_at",
    "actor_id",
    "actor_username",
    "actor_role",
    "clinic_id",
    "patient_id",
    "data_category",
    "action",
    "object_type",
    "object_id",
    "object_version",
    "detail",
    "outcome",
    "reason",
    "request_id",
    "source_ip",
    "user_agent_hash",
    "prev_hash",
)


def canonical(payload: dict[str, Any]) -> bytes:
    """The canonical JSON bytes hashed for the chain and for sign-offs."""
    return json.dumps(
        payload,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode()


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# The hashed values of an event in _HASHED_FIELDS' order: one call, not twenty (a
# list page hashes a row per patient shown, #19).
_hashed_values = operator.attrgetter(*_HASHED_FIELDS)


def compute_row_hash(event: AuditEvent) -> str:
    payload: dict[str, Any] = {}
    for name, value in zip(_HASHED_FIELDS, _hashed_values(event), strict=True):
        if isinstance(value, datetime):
            value = _iso(value)
        elif name == "object_id":
            value = str(value)
        payload[name] = value
    payload["v"] = CHAIN_FORMAT_VERSION
    return hashlib.sha256(canonical(payload)).hexdigest()


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for audit rows and axes: one rule for both.

    REMOTE_ADDR, or behind a proxy only the header that proxy overwrites (e.g.
    HTTP_X_REAL_IP, set in CLIENT_IP_HEADER); never the left-most X-Forwarded-For
    value, which the client writes itself.
    """
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    if header:
        return request.META.get(header) or None
    return request.META.get("REMOTE_ADDR") or None


def _role_of(actor: Any, clinic: Clinic | None) -> str:
    if actor is None or clinic is None or not getattr(actor, "is_authenticated", False):
        return ""
    # Read once per request with the permission checks (permissions.memberships_of).
    return permissions.role_in(actor, clinic) or ""


def record(
    action: Event,
    *,
    actor: Any = None,
    request: HttpRequest | None = None,
    clinic: Clinic | None = None,
    patient: Patient | None = None,
    target: Model | None = None,
    category: str = "",
    object_version: int | str | None = None,
    detail: dict[str, Any] | None = None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    reason: str = "",
    activity_at: datetime | None = None,
) -> AuditEvent:
    """Append one audit row. Ids and category codes only, never PHI values."""
    if request is not None and actor is None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    if request is None:
        # Request id and address of the request being handled, when a service or
        # signal was called without it; the actor stays whatever the caller said.
        request = current_request.get()
    user_agent = request.META.get("HTTP_USER_AGENT", "") if request else ""
    event = AuditEvent(
        occurred_at=timezone.now(),
        activity_at=activity_at,
        actor=actor,
        actor_username=actor.get_username() if actor is not None else "",
        actor_role=_role_of(actor, clinic),
        clinic=clinic,
        patient=patient,
        data_category=category,
        action=action,
        object_type=target._meta.model_name if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_version="" if object_version is None else str(object_version),
        detail=detail or {},
        outcome=outcome,
        reason=reason,
        request_id=getattr(request, "request_id", "") if request else "",
        source_ip=client_ip(request) if request else None,
        user_agent_hash=hashlib.sha256(user_agent.encode()).hexdigest()
        if user_agent
        else "",
    )
    pending = _pending.get()
    if pending is None or (_is_request_events(pending) and connection.in_atomic_block):
        # A row about a change is written in the change's own transaction.
        _append([event])
    else:  # inside batch() or a request: appended when it ends
        pending.append(event)
    return event


def _is_request_events(pending: list[AuditEvent]) -> bool:
    return isinstance(pending, _RequestEvents)


def _append(events: list[AuditEvent]) -> None:
    """Chain the events after the head and insert them: one lock, one INSERT.

    Inside a caller's transaction no savepoint of its own (two round trips fewer): a
    failed append fails the caller's change with it, as it must."""
    with transaction.atomic(savepoint=False):
        head = _locked_chain_head()
        for event in events:
            event.seq = head.seq + 1 if head else 1
            event.prev_hash = head.row_hash if head else GENESIS_HASH
            if head is not None and event.occurred_at < head.occurred_at:
                # A clock stepped back (NTP): time never runs backwards along the chain.
                event.occurred_at = head.occurred_at
            event.row_hash = compute_row_hash(event)
            head = ChainHead(event.seq, event.row_hash, event.occurred_at)
        _insert(events)


def _insert(events: list[AuditEvent]) -> None:
    """One INSERT of the events. On PostgreSQL the rows travel as one JSON parameter
    that jsonb_to_recordset() turns back into typed columns: bulk_create() prepares
    each of the 21 values of each row through its field, and 21 column arrays cost
    psycopg as much again to quote, the most of a list page's cost of auditing the
    patients it shows (issue #19). The values are the ones record() gave the model:
    ids, codes, text, times and the detail, which is JSON already; a time keeps its
    microseconds and offset (the row hash was computed over them)."""
    if connection.vendor != "postgresql":
        AuditEvent.objects.bulk_create(events)
        return
    sql, fields = _insert_statement()
    columns = [field.column for field in fields]
    values = operator.attrgetter(*(field.attname for field in fields))
    rows = [
        {
            column: value.isoformat() if isinstance(value, datetime) else value
            for column, value in zip(columns, values(event), strict=True)
        }
        for event in events
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(rows)])


@functools.cache
def _insert_statement() -> tuple[str, tuple[models.Field[Any, Any], ...]]:
    """The insert of every column but the id from a JSON array of rows, and those
    fields, in order."""
    fields = tuple(f for f in AuditEvent._meta.concrete_fields if not f.primary_key)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    typed = ", ".join(f"{quote(f.column)} {f.db_type(connection)}" for f in fields)
    table = quote(AuditEvent._meta.db_table)
    # The rows are the one bound parameter.
    sql = f"INSERT INTO {table} ({columns}) SELECT {columns} FROM jsonb_to_recordset(%s::jsonb) AS rows({typed})"  # noqa: S608, E501 - the model's own names
    return sql, fields


class ChainHead(NamedTuple):
    seq: int
    row_hash: str
    occurred_at: datetime


def _locked_chain_head() -> ChainHead | None:
    """The chain's last row, read under the chain lock (held to the transaction's end).

    On PostgreSQL one statement takes pg_advisory_xact_lock and then reads the head
    (migration 0007's function: a VOLATILE function's query sees rows committed while
    it waited for the lock, which a plain SELECT that takes the lock would not).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT seq, row_hash, occurred_at FROM screening_audit_chain_head(%s)",
                [_CHAIN_LOCK_KEY],
            )
            row = cursor.fetchone()
        return ChainHead(*row) if row else None
    # SQLite serialises writers itself; the unique seq and hashes turn a race into an
    # IntegrityError, never a fork.
    head = AuditEvent.objects.order_by("-seq").values_list(
        "seq", "row_hash", "occurred_at"
    )
    return next((ChainHead(*row) for row in head[:1]), None)


@contextmanager
def batch() -> Iterator[None]:
    """Append every record() made inside as one write when the block ends.

    For a service that audits several events in one transaction (a section save and
    its screening): one chain lock, one head read and one INSERT instead of three
    statements an event, written last so the lock is brief (security.md §3.3). Use it
    inside the transaction; nested batches join the outermost. An event's seq and
    hashes are set when the outermost batch ends; an exception drops the events with
    the transaction they belong to.
    """
    outer = _pending.get()
    if outer is not None and not _is_request_events(outer):
        yield
        return
    events: list[AuditEvent] = []
    token = _pending.set(events)
    try:
        yield
    finally:
        _pending.reset(token)
    if outer is not None and not connection.in_atomic_block:
        outer.extend(events)  # no transaction here: the request's commit takes them
    elif events:
        _append(events)


@contextmanager
def deferred_to_response() -> Iterator[None]:
    """Hold the rows recorded outside a transaction until append_held(), called in the
    transaction of the caller's choice (the one that saves the session:
    SlidingSessionMiddleware). A row recorded inside a transaction is still appended in
    it, so no change commits without its row. Rows still held when the block ends are
    appended then, on their own."""
    token = _pending.set(_RequestEvents())
    try:
        yield
    finally:
        append_held()
        _pending.reset(token)


def holds_rows() -> bool:
    """Whether deferred_to_response() holds rows not appended yet."""
    pending = _pending.get()
    return bool(pending) and _is_request_events(pending)


def append_held() -> None:
    """Append the rows deferred_to_response() holds, in one write."""
    pending = _pending.get()
    if pending is None or not _is_request_events(pending):
        return
    held = pending[:]
    pending.clear()
    if held:
        _append(held)


def record_for_intake(action: Event, intake: Intake, **fields: Any) -> AuditEvent:
    """record() for an event about an intake: its clinic, patient and version."""
    fields.setdefault("object_version", intake.version)
    return record(action, clinic=intake.clinic, patient=intake.patient, **fields)


def record_patients_shown(
    request: HttpRequest,
    patients: Iterable[Patient],
    *,
    page: str,
    clinic: Clinic | None = None,
) -> None:
    """One `patient.viewed` row per patient a page shows, appended in one batch.

    A page that shows a name, MRN or date of birth is a read of that patient (#13 F2),
    so the auditor's per-patient filter finds a list or worklist read as it finds a
    detail page. `page` names the page; no search text, no value. `clinic` saves a
    query per row when every patient shown is of that clinic (else `patient.clinic`,
    which the caller should have joined).
    """
    with batch():
        pending = _pending.get()
        seen: set[int] = set()
        first: AuditEvent | None = None
        for patient in patients:
            if patient.pk in seen:
                continue
            seen.add(patient.pk)
            same_clinic = clinic is not None or (
                first is not None and patient.clinic_id == first.clinic_id
            )
            if first is not None and same_clinic and pending is not None:
                # The same row for another patient of the same clinic: copied, not
                # built again (actor, role, address and agent are the request's).
                pending.append(_for_patient(first, patient))
                continue
            first = record(
                Event.PATIENT_VIEWED,
                request=request,
                clinic=clinic or patient.clinic,
                patient=patient,
                target=patient,
                category="patient",
                detail={"page": page},
            )


def _for_patient(event: AuditEvent, patient: Patient) -> AuditEvent:
    """A copy of a not yet appended `patient.viewed` row, about another patient.

    Copied as Model.__getstate__ copies an instance (its own state and cache of
    related rows), without copy's reduce protocol: a list page copies the row for
    each of its 25 or 50 patients, and the protocol was most of each copy (#19)."""
    shown = object.__new__(AuditEvent)
    shown.__dict__.update(event.__dict__)
    state = object.__new__(ModelState)
    state.__dict__.update(event._state.__dict__)
    state.fields_cache = dict(event._state.fields_cache)
    shown._state = state
    shown.patient = patient
    shown.object_id = str(patient.pk)
    shown.detail = dict(event.detail)
    return shown


def new_request_id() -> str:
    return uuid.uuid4().hex


# Further integrity checks run by `manage.py verify_audit` after the chain, e.g. the
# sign-off hashes of security.md §3.4. Each yields one line per problem found.
IntegrityCheck = Callable[[], Iterable[str]]
integrity_checks: list[IntegrityCheck] = []


def register_integrity_check(check: IntegrityCheck) -> IntegrityCheck:
    """Add a check to verify_audit (usable as a decorator)."""
    integrity_checks.append(check)
    return check


def find_chain_break() -> tuple[str | None, int, AuditEvent | None]:
    """Walk the chain in seq order: (first broken link or None, row count, head row)."""
    expected_seq, prev_hash, count, head = 1, GENESIS_HASH, 0, None
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        where = f"audit chain broken at seq {event.seq}"
        if event.seq != expected_seq:
            return f"{where}: seq {expected_seq} missing", count, head
        if compute_row_hash(event) != event.row_hash:
            return f"{where}: row_hash does not match its contents", count, head
        if event.prev_hash != prev_hash:
            return f"{where}: prev_hash does not match seq {event.seq - 1}", count, head
        expected_seq, prev_hash, head = event.seq + 1, event.row_hash, event
        count += 1
    return None, count, head


# Cells starting with these are formulas in spreadsheet programs (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_COLUMNS = (*_HASHED_FIELDS, "row_hash")


def csv_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = _iso(value) or ""
    elif isinstance(value, dict):
        text = json.dumps(value, sort_keys=True)
    else:
        text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def export_rows(events: QuerySet[AuditEvent]) -> Iterable[list[str]]:
    """The header and one row per event, streamed in the queryset's order."""
    yield list(EXPORT_COLUMNS)
    for event in events.iterator(chunk_size=2000):
        yield [csv_cell(getattr(event, name)) for name in EXPORT_COLUMNS]


def clinics_audited_by(user: Any) -> QuerySet[Clinic]:
    """The clinics in which this user holds the auditor role."""
    return Clinic.objects.filter(
        memberships__user=user, memberships__role=Membership.Role.AUDITOR
    )


def list_events(clinics: QuerySet[Clinic]) -> QuerySet[AuditEvent]:
    """Audit rows an auditor of these clinics may read.

    Rows of the clinics themselves (a probe of one of their objects by anyone
    included), plus clinic-less rows (logins, timeouts, denials of unknown objects)
    and the denials of other clinics' objects written by the clinics' own members.
    """
    members = Membership.objects.filter(clinic__in=clinics).values("user_id")
    return AuditEvent.objects.filter(
        Q(clinic__in=clinics)
        | Q(clinic__isnull=True, actor_id__in=members)
        | Q(action=Event.ACCESS_DENIED, actor_id__in=members)
    )
