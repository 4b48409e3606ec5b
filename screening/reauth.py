"""Re-authentication inside one POST: password and a current TOTP code (ASVS 7.5.3).

Used by sign-off and ruleset publishing. There is no "recently authenticated" window:
the form that signs or publishes carries both factors, checked here before the service
runs. The password goes through authenticate(), so axes counts failures (a bare
check_password would let a stolen session guess forever). Call it before the service's
transaction, so the `auth.reauth_failed` row is never rolled back with the refusal.

    class SignOffForm(ReauthenticationFields):
        disposition = forms.ChoiceField(...)

    if form.is_valid() and verify_reauthentication(form, request):
        reviews.do_sign_off(...)
"""

from typing import Any

from django import forms
from django.contrib.auth import authenticate, logout
from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from screening import audit
from screening.models import AuditEvent
from screening.signals import REAUTH_REQUEST_FLAG

FIRST_FACTOR_REFUSED = "The password is not correct. Type your own password again."
WRONG_CODE = (
    "The code is wrong or was already used to log in. Wait for the next code in "
    "your authenticator app and type it."
)
NO_DEVICE = "Set up your authenticator app before doing this."


class ReauthenticationError(Exception):
    """One factor was refused; `field` names the form field the message belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class ReauthenticationFields(forms.Form):
    """The two fields a signing or publishing form inherits."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_token = forms.CharField(
        label="Current code from your authenticator app",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )


class PasswordReauthenticationForm(forms.Form):
    """The password alone, asked before a change to the account's own factors."""

    password = ReauthenticationFields.base_fields["password"]


def _refuse(
    request: HttpRequest, field: str, message: str, *, purpose: str = ""
) -> ReauthenticationError:
    detail = {"factor": field, **({"purpose": purpose} if purpose else {})}
    audit.record(
        audit.Event.AUTH_REAUTH_FAILED,
        request=request,
        category="session",
        detail=detail,
        outcome=AuditEvent.Outcome.DENIED,
    )
    return ReauthenticationError(field, message)


def _password_is_right(request: HttpRequest, password: str) -> bool:
    """authenticate() as the signed-in user, so axes counts and locks out."""
    user: Any = request.user
    setattr(request, REAUTH_REQUEST_FLAG, True)
    try:
        checked = authenticate(request, username=user.get_username(), password=password)
    finally:
        delattr(request, REAUTH_REQUEST_FLAG)
    return checked is not None and checked.pk == user.pk


def do_reauthenticate_password(
    request: HttpRequest, *, password: str, purpose: str, field: str = "password"
) -> None:
    """Check the signed-in user's password, or raise (password change, enrolment).

    Failures count towards axes' lockout like wrong passwords at login. When they
    reach it, the session ends too: a session left open must not keep guessing, and
    axes answers with the lockout page (#13 F3).
    """
    if _password_is_right(request, password):
        return
    error = _refuse(request, "password", FIRST_FACTOR_REFUSED, purpose=purpose)
    error.field = field
    if getattr(request, "axes_locked_out", False):
        logout(request)
    raise error


def do_reauthenticate(request: HttpRequest, *, password: str, otp_token: str) -> None:
    """Check the signed-in user's password and a fresh TOTP code, or raise."""
    user: Any = request.user
    if not _password_is_right(request, password):
        raise _refuse(request, "password", FIRST_FACTOR_REFUSED)
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )
        # verify_token refuses a code of an already used time step (last_t) and
        # throttles wrong codes.
        verified = device is not None and device.verify_token(otp_token)
    if device is None:
        raise _refuse(request, "otp_token", NO_DEVICE)
    if not verified:
        raise _refuse(request, "otp_token", WRONG_CODE)
    # A step up in assurance: a new session key (ASVS 7.2.4).
    request.session.cycle_key()


def verify_reauthentication(form: forms.Form, request: HttpRequest) -> bool:
    """Run do_reauthenticate on a valid form; attach a refusal to its field."""
    try:
        do_reauthenticate(
            request,
            password=form.cleaned_data["password"],
            otp_token=form.cleaned_data["otp_token"],
        )
    except ReauthenticationError as error:
        form.add_error(error.field, error.message)
        return False
    return True


def verify_password(
    form: forms.Form, request: HttpRequest, *, purpose: str, field: str = "password"
) -> bool:
    """Run do_reauthenticate_password on a valid form; attach a refusal to `field`."""
    try:
        do_reauthenticate_password(
            request, password=form.cleaned_data[field], purpose=purpose, field=field
        )
    except ReauthenticationError as error:
        form.add_error(error.field, error.message)
        return False
    return True
