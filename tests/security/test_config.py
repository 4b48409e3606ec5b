import subprocess
import sys
from importlib import import_module

import pytest
from django.contrib.sessions.backends import db as db_sessions
from django.urls import reverse
from django.utils.module_loading import import_string
from django_otp.middleware import OTPMiddleware

from tests.security.conftest import ROOT, production_env, run_python
from tests.security.routes import all_patterns

pytestmark = pytest.mark.django_db


def test_it_passes_check_deploy_with_no_warning__t_cfg_01():
    run = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "System check identified no issues" in output
    for prefix in ("security.W", "axes.", "csp."):
        assert prefix not in output


def test_it_keeps_the_production_invariants__t_cfg_02(production_settings):
    s = production_settings
    assert s["DEBUG"] is False
    assert s["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")
    assert s["SESSION_COOKIE_AGE"] <= 900
    # The idle limit slides by our middleware, at most one save per 60 s and never
    # beyond 15 minutes after the last request (#19; tests/security/test_sessions.py).
    assert s["SESSION_SAVE_EVERY_REQUEST"] is False
    assert "screening.middleware.SlidingSessionMiddleware" in s["MIDDLEWARE"]
    assert s["CSRF_COOKIE_HTTPONLY"] is True
    assert s["USE_TZ"] is True
    assert s["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert s["CSRF_COOKIE_NAME"].startswith("__Host-")
    # Server-side sessions in the database: Django's store or one made from it.
    store = import_module(s["SESSION_ENGINE"]).SessionStore
    assert issubclass(store, db_sessions.SessionStore)
    middleware = s["MIDDLEWARE"]
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in middleware
    assert any(issubclass(import_string(path), OTPMiddleware) for path in middleware)
    assert "screening.middleware.RequireMFAMiddleware" in middleware
    assert middleware[-1] == "axes.middleware.AxesMiddleware"
    assert s["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    assert s["MESSAGE_STORAGE"].endswith("session.SessionStorage")
    for app in (
        "debug_toolbar",
        "django.contrib.admindocs",
        "django_otp.plugins.otp_static",
    ):
        assert app not in s["INSTALLED_APPS"]
    directives = s["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    for values in directives.values():
        assert "'unsafe-inline'" not in values
        assert "'unsafe-eval'" not in values
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] >= 31536000


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"])
def test_it_refuses_to_start_without_a_required_variable__t_cfg_03(missing):
    run = run_python("import django; django.setup()", production_env(**{missing: None}))
    assert run.returncode != 0
    assert "ImproperlyConfigured" in run.stderr
    assert missing in run.stderr


def test_it_has_no_secret_key_literal_in_the_code__t_cfg_03():
    run = subprocess.run(
        ["git", "grep", "-nE", "SECRET_KEY *= *['\"]", "--", ":!tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    # A value generated on the spot ("$(python -c ...)") is not a literal.
    literals = [line for line in run.stdout.splitlines() if '"$(' not in line]
    assert literals == []


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PATCH"])
def test_it_refuses_other_methods_on_every_url__t_cfg_04(method, client_as):
    client = client_as("clinician")
    for pattern in all_patterns():
        url = reverse(pattern.name, kwargs=pattern.any_kwargs())
        response = client.generic(method, url, secure=True)
        assert response.status_code == 405, (method, pattern.name)


@pytest.mark.parametrize("path", ["/static/", "/.git/HEAD", "/media/", "/static/js/"])
def test_it_serves_no_directory_or_repository_file__t_cfg_05(
    path, client_as, anonymous
):
    for client in (anonymous, client_as("intake_staff")):
        response = client.get(path, secure=True)
        assert response.status_code == 404, path
        body = response.content.decode()
        assert "Index of" not in body
        assert "Directory indexes" not in body
        assert "ref: refs/" not in body
