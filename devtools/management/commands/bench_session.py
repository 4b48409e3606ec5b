"""manage.py bench_session USERNAME --i-am-a-benchmark: a session for a load test.

security.md §2.3: the benchmark logs in through this command, not through a setting
that weakens anything. The command is in devtools, which production settings never
install (DEBUG=true or DEVTOOLS=true only): it mints sessions without a password. It
runs Django's own login for the named user (so the login time of the 12-hour limit and
the session come from the usual code), audited as `auth.bench_session`, never as a
login, and marks the session verified by the user's confirmed TOTP device. A user who
needs a second factor and has no confirmed device is refused: the command never creates
a device, and 2FA stays on for everyone. It prints one JSON line per session: the
cookies and the CSRF token a load tool sends.
"""

import json
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.test import RequestFactory
from django.utils.crypto import get_random_string

from screening import audit
from screening.middleware import needs_mfa
from screening.services.accounts import get_totp_device
from screening.signals import BENCH_SESSION_REQUEST_FLAG

USER_AGENT = "bench_session (load test)"


class Command(BaseCommand):
    help = "Benchmarks only: log a user in and print the session cookie (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--i-am-a-benchmark",
            action="store_true",
            dest="is_benchmark",
            help="required: says this session is for a load test on loopback",
        )
        parser.add_argument(
            "--count", type=int, default=1, help="sessions to create (default 1)"
        )
        parser.add_argument(
            "--backend",
            default=settings.AUTHENTICATION_BACKENDS[-1],
            help="the backend the session names (default the app's; the bare "
            "baseline project of bench/pages.py knows only Django's ModelBackend)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["is_benchmark"]:
            raise CommandError(
                "bench_session creates a logged-in session without a password: it "
                "runs only with --i-am-a-benchmark, for a load test."
            )
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None or not user.is_active:
            raise CommandError("No active user with that username.")
        device = get_totp_device(user)
        if needs_mfa(user) and device is None:
            raise CommandError(
                "This user needs a second factor and has no confirmed TOTP device: "
                "enrol one first (the benchmark never skips two-factor)."
            )
        for _ in range(max(1, options["count"])):
            session = self._session(user, device, backend=options["backend"])
            self.stdout.write(json.dumps(session))

    def _session(self, user: Any, device: Any, *, backend: str) -> dict[str, str]:
        request = RequestFactory().get("/", HTTP_USER_AGENT=USER_AGENT)
        request.request_id = audit.new_request_id()  # type: ignore[attr-defined]
        setattr(request, BENCH_SESSION_REQUEST_FLAG, True)  # auth.bench_session
        # As SessionMiddleware finds the store: SESSION_ENGINE names a module.
        request.session = import_module(settings.SESSION_ENGINE).SessionStore()
        # login() sets request.user only where there is one; django-otp's hook reads it.
        request.user = AnonymousUser()
        if device is not None:
            # django-otp's login hook keeps this device in the session: verified.
            user.otp_device = device
        # Django's login: new session key, login time and the auth.bench_session row
        # (screening.signals.audit_login).
        login(request, user, backend=backend)
        request.session.save()
        csrf_secret = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
        return {
            "username": user.get_username(),
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "session_key": request.session.session_key or "",
            "csrf_cookie": settings.CSRF_COOKIE_NAME,
            # The CSRF cookie holds the secret; Django also accepts it unmasked as
            # the form's csrfmiddlewaretoken or the X-CSRFToken header.
            "csrf_token": csrf_secret,
            "cookie_header": (
                f"{settings.SESSION_COOKIE_NAME}={request.session.session_key}; "
                f"{settings.CSRF_COOKIE_NAME}={csrf_secret}"
            ),
        }
