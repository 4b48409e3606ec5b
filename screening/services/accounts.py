"""Second factors and sessions: TOTP enrolment, recovery codes, checks, ending sessions.

Each change writes its audit row in the same transaction (security.md §2.4, §3.1).
"""

import functools
import operator
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django_otp import device_classes
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from screening import audit
from screening.models import AuditEvent, RecoveryCode, RecoveryCodeDevice
from screening.models.security import normalise_code

RECOVERY_CODE_COUNT = 10
# 12 base32 characters = 60 bits each (ASVS 6.5.2 asks for at least 10).
RECOVERY_CODE_LENGTH = 12
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


class SecondFactorThrottledError(Exception):
    """Too many wrong codes in a row: the device refuses until the back-off passes."""


def get_totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    """The user's TOTP device (confirmed, or the one being enrolled)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()
    )


@functools.cache
def _device_classes() -> tuple[type[Device], ...]:
    # django_otp.device_classes() walks every model of every app on each call.
    return tuple(device_classes())


def confirmed_device_exists(user_pk: Any = None) -> Q:
    """A condition on users (or, given a pk, on that user): has a confirmed device of
    any kind (django_otp.user_has_device(user, confirmed=True) as one expression)."""
    owner = OuterRef("pk") if user_pk is None else user_pk
    return functools.reduce(
        operator.or_,
        (
            Q(Exists(model.objects.filter(user=owner, confirmed=True)))
            for model in _device_classes()
        ),
    )


# Set on the user by screening.backends.ModelBackendWithSecondFactor's user query.
_ANNOTATION = "has_confirmed_device_annotation"


def has_confirmed_device(user: User) -> bool:
    """Whether the user has set up a second factor: read with the request's user row
    when the backend loaded it (one statement), else in one query of its own."""
    if not user.is_authenticated:
        return False
    known = getattr(user, _ANNOTATION, None)
    if known is not None:
        return bool(known)
    return (
        get_user_model()
        .objects.filter(confirmed_device_exists(user.pk), pk=user.pk)
        .exists()
    )


def confirmed_totp_device_id() -> Subquery:
    """A column of a user query: the id of the user's confirmed TOTP device (the one
    get_totp_device gives), or NULL."""
    return Subquery(
        TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        .order_by("pk")
        .values("pk")[:1]
    )


# Set on the user by screening.backends.ModelBackendWithSecondFactor's user query.
_TOTP_ANNOTATION = "confirmed_totp_device_id_annotation"


def session_device_read_with_user(user: Any, persistent_id: str) -> Device | None:
    """The device an OTP-verified session names, when it is the user's confirmed TOTP
    device read with the user's row; None when that row does not say (then the
    device is read as django-otp reads it).

    The user's row established what django-otp checks of the device (it is the
    user's, and confirmed), so an OTP-verified request of a clinician, rule admin or
    auditor reads no row of its own for it (#19: one round trip fewer on each of
    their pages). Its other columns load if something asks for them.
    """
    device_id = getattr(user, _TOTP_ANNOTATION, None)
    if device_id is None or persistent_id != f"{TOTPDevice.model_label()}/{device_id}":
        return None
    return TOTPDevice.from_db(
        user._state.db, ["id", "user_id", "confirmed"], [device_id, user.pk, True]
    )


def count_recovery_codes(user: User) -> int:
    """How many unused recovery codes the user has left."""
    return RecoveryCode.objects.filter(device__user=user).count()


@transaction.atomic
def do_start_totp_enrolment(user: User) -> TOTPDevice:
    """A new unconfirmed device whose secret the user adds to an authenticator app.

    Called once the password was given again (#13 F10). Any earlier unconfirmed device
    goes: a key shown on a screen before is never the one confirmed.
    """
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=False
    )


@transaction.atomic
def do_confirm_totp_device(
    device: TOTPDevice, *, token: str, request: HttpRequest
) -> bool:
    """Confirm the device with a first code; the session counts as verified."""
    if not device.verify_token(token):
        audit.record(
            audit.Event.AUTH_MFA_FAILED,
            request=request,
            category="session",
            detail={"step": "enrolment"},
            outcome=AuditEvent.Outcome.DENIED,
        )
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    setattr(request.user, _ANNOTATION, True)  # read with the user row, now outdated
    otp_login(request, device)
    # A new privilege level for this session: a new session key (ASVS 7.2.4).
    request.session.cycle_key()
    audit.record(
        audit.Event.AUTH_MFA_ENROLLED,
        request=request,
        target=device,
        category="session",
    )
    return True


def _new_code() -> str:
    return "".join(secrets.choice(_BASE32) for _ in range(RECOVERY_CODE_LENGTH))


def format_code(code: str) -> str:
    """XXXX-XXXX-XXXX, easier to copy by hand."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def do_issue_recovery_codes(user: User) -> list[str]:
    """Replace all recovery codes with 10 new ones, returned once, stored hashed."""
    device, _ = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": "Recovery codes", "confirmed": True}
    )
    RecoveryCode.objects.filter(device=device).delete()
    codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=make_password(code)) for code in codes
    )
    audit.record(
        audit.Event.AUTH_RECOVERY_CODES_ISSUED,
        actor=user,
        target=device,
        category="session",
        detail={"count": len(codes)},
    )
    return [format_code(code) for code in codes]


def _check_device(device: Device | None, code: str) -> bool:
    if device is None:
        return False
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        raise SecondFactorThrottledError
    return device.verify_token(code)


def do_verify_second_factor(
    user: User, *, code: str, request: HttpRequest
) -> Device | None:
    """Check a TOTP or recovery code; on success the session is OTP-verified."""
    code = code.strip().replace(" ", "")
    is_totp = code.isdigit() and len(code) in (6, 8)
    with transaction.atomic():
        if is_totp:
            device: Device | None = get_totp_device(user)
            if device is not None:
                device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        else:
            device = (
                RecoveryCodeDevice.objects.select_for_update().filter(user=user).first()
            )
        try:
            verified = _check_device(device, code if is_totp else normalise_code(code))
        except SecondFactorThrottledError:
            verified = None
    if device is None or not verified:
        audit.record(
            audit.Event.AUTH_MFA_FAILED,
            request=request,
            category="session",
            detail={"kind": "totp" if is_totp else "recovery_code"},
            outcome=AuditEvent.Outcome.DENIED,
        )
        if verified is None:
            raise SecondFactorThrottledError
        return None
    otp_login(request, device)
    request.session.cycle_key()
    if not is_totp:
        audit.record(
            audit.Event.AUTH_RECOVERY_CODE_USED,
            request=request,
            target=device,
            category="session",
            detail={"left": count_recovery_codes(user)},
        )
    return device


@transaction.atomic
def do_end_sessions(user: User, *, by: User | None) -> int:
    """Log the user out everywhere: delete each of their session rows."""
    # No session-to-user index: decoding every live session is fine at clinic scale.
    keys = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(session_key__in=keys).delete()
    audit.record(
        audit.Event.USER_SESSIONS_ENDED,
        actor=by,
        target=user,
        category="user",
        detail={"count": len(keys)},
    )
    return len(keys)
