"""Audit rows for authentication and privilege changes, from Django's and axes' signals.

These events start outside our services (Django's login view, axes, the admin site), so
signals are the one place that sees all of them. Each handler writes exactly one row.
"""

import logging
import time
from typing import Any

from axes.helpers import get_failure_limit
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from screening import audit
from screening.logs import current_request
from screening.middleware import LOGIN_AT_SESSION_KEY
from screening.models import AuditEvent, Membership

logger = logging.getLogger("screening.auth")
User = get_user_model()

# Set on a request by screening.reauth: its failures are `auth.reauth_failed`, not
# login failures.
REAUTH_REQUEST_FLAG = "is_reauthentication"
# Set on its own request by devtools' bench_session (never installed in production):
# a load test's session is `auth.bench_session`, not a login.
BENCH_SESSION_REQUEST_FLAG = "is_bench_session"
# User fields whose change alters what the user may do.
PRIVILEGE_FIELDS = ("is_active", "is_staff", "is_superuser")


def _current_actor() -> Any:
    request = current_request.get()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _known_user(username: Any) -> Any:
    if not isinstance(username, str) or not username:
        return None
    return User.objects.filter(**{User.USERNAME_FIELD: username}).first()


@receiver(user_logged_in, dispatch_uid="screening-audit-login")
def audit_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    # The start of the 12-hour absolute limit (SessionLifetimeMiddleware).
    request.session[LOGIN_AT_SESSION_KEY] = time.time()
    is_bench = getattr(request, BENCH_SESSION_REQUEST_FLAG, False)
    action = audit.Event.AUTH_BENCH_SESSION if is_bench else audit.Event.AUTH_LOGIN
    audit.record(action, actor=user, request=request, category="session")


@receiver(user_logged_out, dispatch_uid="screening-audit-logout")
def audit_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(
            audit.Event.AUTH_LOGOUT, actor=user, request=request, category="session"
        )


@receiver(user_login_failed, dispatch_uid="screening-audit-login-failed")
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    if getattr(request, REAUTH_REQUEST_FLAG, False):
        return  # screening.reauth writes its own row
    username = credentials.get("username")
    known = _known_user(username)
    # The typed username is kept only when it names a user: people type their
    # password into the username field.
    audit.record(
        audit.Event.AUTH_LOGIN_FAILED,
        actor=known,
        request=request,
        category="session",
        detail={"known_user": known is not None},
        outcome=AuditEvent.Outcome.DENIED,
    )
    logger.warning(
        "login failed", extra={"username": username if known is not None else ""}
    )


@receiver(user_locked_out, dispatch_uid="screening-audit-locked-out")
def audit_locked_out(
    sender: Any, request: Any, username: Any, ip_address: Any, **kwargs: Any
) -> None:
    # axes signals every attempt made during a lockout; the row marks the moment the
    # limit is reached, so one lockout is one row.
    credentials = getattr(request, "axes_credentials", None)
    failures = getattr(request, "axes_failures_since_start", None)
    if failures != get_failure_limit(request, credentials):
        return
    known = _known_user(username)
    audit.record(
        audit.Event.AUTH_LOCKED_OUT,
        actor=known,
        request=request,
        category="session",
        detail={"failures": failures},
        outcome=AuditEvent.Outcome.DENIED,
    )
    logger.warning(
        "login locked out", extra={"username": username if known is not None else ""}
    )


@receiver(pre_save, sender=User, dispatch_uid="screening-user-before-save")
def remember_user_privileges(sender: Any, instance: Any, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if instance.pk is None or (
        update_fields is not None and not set(update_fields) & set(PRIVILEGE_FIELDS)
    ):
        instance._privileges_before = None
        return
    instance._privileges_before = (
        User.objects.filter(pk=instance.pk).values(*PRIVILEGE_FIELDS).first()
    )


@receiver(post_save, sender=User, dispatch_uid="screening-audit-user-saved")
def audit_user_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    actor = _current_actor()
    if created:
        audit.record(
            audit.Event.USER_CREATED, actor=actor, target=instance, category="user"
        )
        return
    # set_password() keeps the new raw password in _password until save() ends.
    if getattr(instance, "_password", None) is not None:
        audit.record(
            audit.Event.AUTH_PASSWORD_CHANGED,
            actor=actor or instance,
            target=instance,
            category="user",
        )
    before = getattr(instance, "_privileges_before", None)
    if before:
        changed = sorted(
            name for name in PRIVILEGE_FIELDS if before[name] != getattr(instance, name)
        )
        if changed:
            audit.record(
                audit.Event.USER_PRIVILEGE_CHANGED,
                actor=actor,
                target=instance,
                category="user",
                detail={name: getattr(instance, name) for name in changed},
            )


@receiver(pre_save, sender=Membership, dispatch_uid="screening-membership-before")
def remember_membership(sender: Any, instance: Membership, **kwargs: Any) -> None:
    instance._before = (  # type: ignore[attr-defined]
        Membership.objects.filter(pk=instance.pk)
        .values("role", "clinic_id", "can_approve_rulesets")
        .first()
        if instance.pk
        else None
    )


def _audit_membership(membership: Membership, change: str) -> None:
    audit.record(
        audit.Event.USER_PRIVILEGE_CHANGED,
        actor=_current_actor(),
        clinic=membership.clinic,
        target=membership,
        category="user",
        detail={
            "change": change,
            "user_id": membership.user_id,
            "role": membership.role,
            "can_approve_rulesets": membership.can_approve_rulesets,
        },
    )


@receiver(post_save, sender=Membership, dispatch_uid="screening-audit-membership")
def audit_membership_saved(
    sender: Any, instance: Membership, created: bool, **kwargs: Any
) -> None:
    before = getattr(instance, "_before", None)
    now = {
        "role": instance.role,
        "clinic_id": instance.clinic_id,
        "can_approve_rulesets": instance.can_approve_rulesets,
    }
    if created or before is None:
        _audit_membership(instance, "granted")
    elif before != now:
        _audit_membership(instance, "changed")


@receiver(post_delete, sender=Membership, dispatch_uid="screening-audit-membership-del")
def audit_membership_deleted(sender: Any, instance: Membership, **kwargs: Any) -> None:
    _audit_membership(instance, "revoked")


@receiver(post_delete, sender=TOTPDevice, dispatch_uid="screening-audit-mfa-reset")
def audit_mfa_reset(sender: Any, instance: TOTPDevice, **kwargs: Any) -> None:
    # An administrator removing a lost authenticator: the user enrols again next login.
    if instance.confirmed:
        audit.record(
            audit.Event.AUTH_MFA_RESET,
            actor=_current_actor(),
            target=instance,
            category="session",
            detail={"user_id": instance.user_id},
        )
