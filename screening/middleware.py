"""Middleware: request ids, session limits, required 2FA, no-store, database outages."""

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware
from django.contrib.sessions.models import Session
from django.db import InterfaceError, OperationalError, transaction
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware

from screening import audit, permissions
from screening.logs import current_request
from screening.models import Membership
from screening.services import accounts
from screening.views import tablet

logger = logging.getLogger(__name__)

GetResponse = Callable[[HttpRequest], HttpResponse]

# Session key holding the Unix time of the login (absolute limit, security.md §2.1).
LOGIN_AT_SESSION_KEY = "login_at"

# Roles whose holders need a verified second factor (security.md §2.4).
MFA_ROLES = (
    Membership.Role.CLINICIAN,
    Membership.Role.RULE_ADMIN,
    Membership.Role.CLINIC_ADMIN,
)
# URL names reachable before the second factor; static files never reach Django
# (whitenoise answers them first).
MFA_EXEMPT_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "accounts-mfa-enrol",
        "accounts-mfa-verify",
        "screening:health",
    }
)


# URL names whose requests are not the user's activity: a monitor's health check and
# the progress poll of a page left open. They do not renew the idle timer (#13 info).
IDLE_TIMER_EXEMPT_URL_NAMES = frozenset(
    {
        "screening:health",
        "screening:rescreen-job-progress",
        # The draft a page posts by its timer just before the idle logout (F15).
        "screening:intake-section-draft-at-timeout",
    }
)


class RequestIdMiddleware:
    """Give every request an id, for its log lines, its audit rows and its response."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = uuid.uuid4().hex  # type: ignore[attr-defined]
        token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response


class HttpMethodMiddleware:
    """Answer 405 to any method but GET, HEAD, POST and OPTIONS, before any view runs.

    Django's generic views route PUT to post(); no view of this app takes PUT, DELETE,
    PATCH or TRACE, so they never reach one (security.md T-CFG-04).
    """

    ALLOWED = ("GET", "HEAD", "POST", "OPTIONS")

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in self.ALLOWED:
            return HttpResponseNotAllowed(self.ALLOWED)
        return self.get_response(request)


# Session key: the Unix time of the session's last save. Its expiry in the database is
# that time plus SESSION_COOKIE_AGE, so pages read the time left from it (session.js).
RENEWED_AT_SESSION_KEY = "renewed_at"
# A person's request renews the idle limit only when the last save is this old: one
# UPDATE a minute instead of one per request, and the limit still never runs beyond
# SESSION_COOKIE_AGE after the person's last request (#19, security.md §2.1).
RENEW_AFTER_SECONDS = 60


def idle_seconds_left(session: SessionBase) -> int:
    """Seconds until the idle limit ends this session, from its last save."""
    renewed_at = session.get(RENEWED_AT_SESSION_KEY)
    if renewed_at is None:
        return settings.SESSION_COOKIE_AGE
    return max(0, int(renewed_at + settings.SESSION_COOKIE_AGE - time.time()))


def renew_idle_limit(session: SessionBase, *, force: bool = False) -> None:
    """Mark the session to be saved, with a new expiry, if its last save is a minute
    old (or at once when a person asked to stay logged in)."""
    renewed_at = session.get(RENEWED_AT_SESSION_KEY)  # loads the session
    if session.is_empty():
        return  # a visitor without a session has no idle limit to renew
    now = time.time()
    if force or renewed_at is None or now - renewed_at >= RENEW_AFTER_SECONDS:
        session[RENEWED_AT_SESSION_KEY] = now


class SlidingSessionMiddleware(SessionMiddleware):
    """Django's SessionMiddleware with the sliding idle limit of security.md §2.1.

    A person's request (any URL but IDLE_TIMER_EXEMPT_URL_NAMES: the health check, the
    progress poll, the pre-logout draft) renews the session's expiry when its last save
    is at least RENEW_AFTER_SECONDS old; any other request saves it only when it
    changed. Every save records its time, which pages and background saves read to
    time the idle warning (`X-Idle-Seconds-Left`).

    The audit rows the request recorded outside a transaction (a page's read rows, a
    denied access) are appended with the session's save, in one transaction: one commit
    a request (#19 goal 1).
    """

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit.deferred_to_response():
            return super().__call__(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> None:
        match = request.resolver_match
        if match is not None and match.view_name not in IDLE_TIMER_EXEMPT_URL_NAMES:
            renew_idle_limit(request.session)

    def process_response(
        self, request: HttpRequest, response: HttpResponse
    ) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.accessed and not session.is_empty():
            if session.modified:
                # Saved below with a new expiry: note when, truthfully.
                session[RENEWED_AT_SESSION_KEY] = time.time()
            response["X-Idle-Seconds-Left"] = str(idle_seconds_left(session))
        # Django saves a changed session unless the response is an error (5xx).
        saves = getattr(session, "modified", False) and response.status_code < 500
        if not (saves or audit.holds_rows()):
            # Nothing to write: no transaction (nor a connection: a 503 page while the
            # database is down comes through here).
            return super().process_response(request, response)
        interrupted = None
        with transaction.atomic():
            try:
                response = super().process_response(request, response)
            except SessionInterrupted as error:  # logged out meanwhile: rows still kept
                interrupted = error
            # After the session's UPDATE: the chain's lock is held only to the commit.
            audit.append_held()
        if interrupted is not None:
            raise interrupted
        return response


class SessionLifetimeMiddleware:
    """End sessions at the idle limit and 12 h after login, each with one audit row.

    The idle limit itself is the database session's expiry (SESSION_COOKIE_AGE, renewed
    by SlidingSessionMiddleware); here a request carrying an expired session's key is
    recognised and audited before `clearsessions` removes the row.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._end_if_too_old(request)
        else:
            self._audit_idle_timeout(request)
        return self.get_response(request)

    def _end_if_too_old(self, request: HttpRequest) -> None:
        login_at = request.session.get(LOGIN_AT_SESSION_KEY)
        # A session without a login time was not made by our login: fail closed.
        age = time.time() - login_at if login_at is not None else None
        if age is not None and age < settings.SESSION_ABSOLUTE_AGE:
            return
        audit.record(
            audit.Event.AUTH_TIMEOUT,
            request=request,
            category="session",
            detail={"limit": "absolute"},
        )
        request.session.flush()
        request.user = AnonymousUser()

    def _audit_idle_timeout(self, request: HttpRequest) -> None:
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if not session_key:
            return
        expired = Session.objects.filter(
            session_key=session_key, expire_date__lte=timezone.now()
        ).first()
        if expired is None:
            return
        user_id = expired.get_decoded().get("_auth_user_id")
        if user_id is not None:
            actor = get_user_model().objects.filter(pk=user_id).first()
            audit.record(
                audit.Event.AUTH_TIMEOUT,
                actor=actor,
                request=request,
                category="session",
                detail={"limit": "idle"},
            )
        # Deleted so the same stale cookie is audited once.
        Session.objects.filter(session_key=session_key).delete()


def needs_mfa(user: Any) -> bool:
    """Whether this user must pass a second factor before reaching the app.

    Clinicians, rule admins, clinic admins and staff always; anyone else once they
    have set up an authenticator app (a factor that is set up but never asked for
    protects nothing).
    """
    if user.is_staff or user.is_superuser:
        return True
    memberships = permissions.memberships_of(user).values()
    if any(membership.role in MFA_ROLES for membership in memberships):
        return True
    return accounts.has_confirmed_device(user)


class OTPMiddleware(DjangoOTPMiddleware):
    """django-otp's middleware (request.user.otp_device, is_verified()), taking the
    session's TOTP device from the user's row when that row read it (#19 goal 2).

    The backend's user query also reads the id of the user's confirmed TOTP device;
    when the session names that device, what django-otp would check of the row it
    reads (the device is the user's, and confirmed) is already known, live, from
    this request's statement. Any other device (a recovery-code login, a device
    removed or unconfirmed since) is read and checked as django-otp does.
    """

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        self._init_user_fields(user)
        if user.is_authenticated:
            persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
            device = (
                accounts.session_device_read_with_user(user, persistent_id)
                or self._device_from_persistent_id(persistent_id)
                if persistent_id
                else None
            )
            user.otp_device = self._finalize_device(request, user, device)
        return user


class RequireMFAMiddleware:
    """Send a user who needs a second factor and has not passed it to 2FA first.

    LoginRequiredMiddleware checks only the password login; without this a password
    alone would reach PHI (security.md §4, two-factor gaps).
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():  # type: ignore[union-attr]
            return None
        match = request.resolver_match
        if match is None or match.view_name in MFA_EXEMPT_URL_NAMES:
            return None
        # The admin site is an OTPAdminSite: it asks for the code on its own login form.
        if match.namespace == "admin":
            return None
        if not needs_mfa(user):
            return None
        if accounts.has_confirmed_device(user):
            target = reverse("accounts-mfa-verify")
        else:
            target = reverse("accounts-mfa-enrol")
        if request.method == "GET":
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        return HttpResponseRedirect(target)


class PatientModeMiddleware:
    """Refuse a patient-mode session (the clinic tablet, issue #17) every URL but the
    patient's own pages: no staff page, no login form, no admin site, whatever the
    URL, before any login redirect."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if not tablet.is_patient_mode(request):
            return None
        match = request.resolver_match
        if match is not None and match.namespace == "tablet":
            return None
        return tablet.refused(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response the app makes (ASVS 14.3.2).

    Not only to logged-in users: a 405, the lockout page and the login form (its CSRF
    token) are no one's to cache either (#13 F12). It runs outside the session and
    authentication middlewares, so it never looks at the user; static files, answered
    by whitenoise further out, keep their long cache.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


def database_unavailable_response() -> HttpResponse:
    """The generic 503 page, rendered without a context: the database may be down."""
    body = loader.get_template("503.html").render()
    response = HttpResponse(body, status=503)
    response["Retry-After"] = "30"
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection in a view into the generic 503 page."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("database unavailable", exc_info=exception)
            return database_unavailable_response()
        return None
