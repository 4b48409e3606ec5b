"""record(): the only writer of audit rows, and the hash chain over them (security.md §3)."""

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from screening.models import AuditEvent, Clinic, Patient

CHAIN_FORMAT_VERSION = 1
GENESIS_HASH = "0" * 64
# Any constant: serialises writers of the chain on PostgreSQL (pg_advisory_xact_lock).
_CHAIN_LOCK_KEY = 7_310_455_212

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


def compute_row_hash(event: AuditEvent) -> str:
    payload: dict[str, Any] = {}
    for name in _HASHED_FIELDS:
        value = getattr(event, name)
        if isinstance(value, datetime):
            value = _iso(value)
        elif name == "object_id":
            value = str(value)
        payload[name] = value
    payload["v"] = CHAIN_FORMAT_VERSION
    return hashlib.sha256(canonical(payload)).hexdigest()


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR; never the client-written X-Forwarded-For."""
    return request.META.get("REMOTE_ADDR") or None


def _role_of(actor: Any, clinic: Clinic | None) -> str:
    if actor is None or clinic is None or not getattr(actor, "is_authenticated", False):
        return ""
    membership = actor.memberships.filter(clinic=clinic).only("role").first()
    return membership.role if membership else ""


def record(
    action: str,
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
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        head = AuditEvent.objects.order_by("-seq").only("seq", "row_hash").first()
        event.seq = head.seq + 1 if head else 1
        event.prev_hash = head.row_hash if head else GENESIS_HASH
        event.row_hash = compute_row_hash(event)
        event.save(force_insert=True)
    return event


def new_request_id() -> str:
    return uuid.uuid4().hex
