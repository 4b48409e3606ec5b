"""Security-test fixtures: two seeded clinics, TOTP codes, production settings."""

import json
import os
import re
import secrets
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp

from screening.models import ImportRecord, RescreenJob
from screening.services import clinic_tests, consent, drafts, intakes, patients
from tests.factories import MembershipFactory, TOTPDeviceFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"  # UserFactory's


def totp_code(device: Any) -> str:
    """The code an authenticator app shows now for this device."""
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def production_env(**changes: str | None) -> dict[str, str]:
    """Production-like variables: no development switch, a random key, a PG URL."""
    # Nothing of the test run leaks in: no development switch, no HTTP-only test mode,
    # and not the async-safety bypass the browser tests set (async.E001).
    dropped = (
        "DEBUG",
        "DEVTOOLS",
        "HTTPS_ONLY",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "DATABASE_URL",
    )
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="clinic.example.org",
        DATABASE_URL="postgres://app@db.example.org:5432/intake",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


_SETTINGS_DUMP = """
import json, django
from django.conf import settings
django.setup()
names = [n for n in dir(settings) if n.isupper()]
print(json.dumps({n: getattr(settings, n) for n in names}, default=str))
"""


@pytest.fixture(scope="session")
def production_settings() -> dict[str, Any]:
    """config.settings as production loads it, read in a subprocess."""
    run = run_python(_SETTINGS_DUMP, production_env())
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.splitlines()[-1])


HTTPS_SETTING_NAMES = (
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
)


@pytest.fixture
def https_settings(settings, production_settings):
    """The HTTPS-only values of production (the test settings run over plain HTTP)."""
    for name in HTTPS_SETTING_NAMES:
        setattr(settings, name, production_settings[name])
    settings.CSRF_TRUSTED_ORIGINS = ["https://testserver"]
    return settings


def normalise_page(body: bytes) -> str:
    """A page without what changes per response: CSRF tokens and CSP nonces."""
    text = body.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "csrf", text)
    return re.sub(r'nonce="[^"]*"', "nonce", text)


@pytest.fixture
def member(db):
    """Make a user with a role in a clinic."""

    def make(clinic: Any, role: str, username: str | None = None) -> Any:
        user = UserFactory(username=username or f"{role}-{uuid.uuid4().hex[:8]}")
        MembershipFactory(user=user, clinic=clinic, role=role)
        return user

    return make


def _seed(clinic: Any, creator: Any, *, name: str) -> dict[str, Any]:
    patient = patients.do_create_patient(
        clinic,
        mrn=f"MRN-{clinic.slug}",
        given_name=name,
        family_name=name,
        date_of_birth=date(1980, 5, 17),
        sex_for_scoring="female",
        by=creator,
    )
    intake = intakes.do_create_intake(
        patient,
        intake_on=date(2026, 11, 2),
        primary_indication="major_depressive_disorder",
        by=creator,
    )
    imported = intakes.do_create_intake(
        patient,
        intake_on=date(2026, 11, 3),
        primary_indication="major_depressive_disorder",
        by=creator,
    )
    ImportRecord.objects.create(
        intake=imported,
        batch=uuid.uuid4(),
        position=0,
        file_name="",
        document_sha256=secrets.token_hex(32),
        imported_by=creator,
        imported_at=timezone.now(),
    )
    draft = drafts.do_create_draft(clinic, by=creator)
    cases, _ = clinic_tests.do_load_test_cases(
        clinic, ROOT / "fixtures/clinic_test_cases", by=creator
    )
    job = RescreenJob.objects.create(clinic=clinic, ruleset=draft, total=0)
    consent_document = consent.do_create_consent_document(
        clinic,
        title="Consent to screening",
        version="1",
        text="I agree.",
        effective_on=date(2026, 1, 1),
        by=creator,
    )
    return {
        "consent_document": consent_document,
        "patient": patient,
        "intake": intake,
        "imported_intake": imported,
        "draft": draft,
        "rule": draft.rules.order_by("pk").first(),
        "test_case": cases[0],
        "rescreen_job": job,
    }


@pytest.fixture
def world(clinic, other_clinic, member) -> dict[str, dict[str, Any]]:
    """The same records in clinic A ("own") and clinic B ("other")."""
    own_creator = member(clinic, "intake_staff", "seed-a")
    other_creator = member(other_clinic, "intake_staff", "seed-b")
    return {
        "own": _seed(clinic, own_creator, name="Owner"),
        "other": _seed(other_clinic, other_creator, name="Stranger"),
    }


@pytest.fixture
def device_for(db):
    """A confirmed TOTP device for a user."""
    return lambda user: TOTPDeviceFactory(user=user)


@pytest.fixture
def anonymous() -> Client:
    return Client()
