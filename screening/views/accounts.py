"""Account pages: logout, TOTP enrolment, the code prompt, recovery codes, password."""

from base64 import b32encode
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from screening.forms.accounts import (
    AccountPasswordChangeForm,
    ReauthPasswordForm,
    RecoveryCodesForm,
    SecondFactorForm,
    TotpCodeForm,
)
from screening.reauth import verify_password, verify_reauthentication
from screening.services import accounts

ISSUED_TEMPLATE = "screening/accounts/recovery_codes_issued.html"
# The unconfirmed TOTP device this session made after giving the password again.
ENROLMENT_SESSION_KEY = "mfa_enrolment_device"
WRONG_CODE = "That code is not right. Type the code your app shows now."
THROTTLED = (
    "Too many wrong codes in a row. Wait a minute, then type the code your app "
    "shows now."
)


def _next_url(request: HttpRequest) -> str:
    """The page to continue to: a local path only (no open redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("screening:home")


def _qr_svg(uri: str) -> str:
    # Inline SVG markup (no data: URI, no inline style) passes the strict CSP.
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)  # deletes the session row; the signal writes auth.logout
    response = redirect("login")
    # The browser drops its cache, cookies and storage for the site (ASVS 14.3.1).
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


def _enrolling_device(request: HttpRequest) -> TOTPDevice | None:
    """The unconfirmed device this session started after giving the password."""
    device_id = request.session.get(ENROLMENT_SESSION_KEY)
    if device_id is None:
        return None
    return TOTPDevice.objects.filter(
        pk=device_id, user=request.user, confirmed=False
    ).first()


@require_http_methods(["GET", "POST"])
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: the password first, then its key and a code.

    Without the password a session left open could add someone else's phone and lock
    its owner out (#13 F10). The key is made and shown only after the password, and
    only the session that gave it can confirm that key.
    """
    if accounts.get_totp_device(request.user) is not None:
        return redirect(_next_url(request))
    device = _enrolling_device(request)
    if device is None or "password" in request.POST:
        return _enrol_password_step(request)
    form = TotpCodeForm(request.POST or None)
    if form.is_valid():
        code = form.cleaned_data["code"]
        if accounts.do_confirm_totp_device(device, token=code, request=request):
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            codes = accounts.do_issue_recovery_codes(request.user)
            context = {"codes": codes, "next": _next_url(request)}
            return render(request, ISSUED_TEMPLATE, context)
        form.add_error("code", WRONG_CODE)
    secret = b32encode(device.bin_key).decode()
    context: dict[str, Any] = {
        "form": form,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "otpauth_uri": device.config_url,
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - our own SVG
        "next": _next_url(request),
    }
    return render(request, "screening/accounts/mfa_enrol.html", context)


def _enrol_password_step(request: HttpRequest) -> HttpResponse:
    form = ReauthPasswordForm(request.POST if "password" in request.POST else None)
    if form.is_valid() and verify_password(form, request, purpose="mfa_enrol"):
        device = accounts.do_start_totp_enrolment(request.user)
        request.session[ENROLMENT_SESSION_KEY] = device.pk
        target = reverse("accounts-mfa-enrol")
        return redirect(f"{target}?{urlencode({'next': _next_url(request)})}")
    context = {"form": form, "next": _next_url(request)}
    return render(request, "screening/accounts/mfa_enrol_password.html", context)


@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():  # type: ignore[union-attr]
        return redirect(_next_url(request))
    if accounts.get_totp_device(request.user) is None:
        return redirect("accounts-mfa-enrol")
    form = SecondFactorForm(request.POST or None)
    if form.is_valid():
        try:
            device = accounts.do_verify_second_factor(
                request.user, code=form.cleaned_data["code"], request=request
            )
        except accounts.SecondFactorThrottledError:
            form.add_error("code", THROTTLED)
        else:
            if device is not None:
                return redirect(_next_url(request))
            form.add_error("code", WRONG_CODE)
    context = {"form": form, "next": _next_url(request)}
    return render(request, "screening/accounts/mfa_verify.html", context)


@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if accounts.get_totp_device(request.user) is None:
        return redirect("accounts-mfa-enrol")
    form = RecoveryCodesForm(request.POST or None)
    if form.is_valid() and verify_reauthentication(form, request):
        codes = accounts.do_issue_recovery_codes(request.user)
        context = {"codes": codes, "next": reverse("screening:home")}
        return render(request, ISSUED_TEMPLATE, context)
    context = {"form": form, "left": accounts.count_recovery_codes(request.user)}
    return render(request, "screening/accounts/recovery_codes.html", context)


@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = AccountPasswordChangeForm(request.user, request.POST or None)
    if form.is_valid() and verify_password(
        form, request, purpose="password_change", field="old_password"
    ):
        user = form.save()  # the post_save signal writes auth.password_changed
        # This session stays; the user's other sessions fail their hash check and end.
        update_session_auth_hash(request, user)
        messages.success(request, "Your password is changed. Other sessions are ended.")
        return redirect("screening:home")
    return render(request, "screening/accounts/password_change.html", {"form": form})
