"""Personas and clients shared by every Django test."""

from collections.abc import Callable

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from screening.middleware import needs_mfa
from screening.services import rulesets
from tests.factories import (
    ClinicFactory,
    MembershipFactory,
    TOTPDeviceFactory,
    UserFactory,
)

ROLES = ("intake_staff", "clinician", "rule_admin", "auditor", "clinic_admin")


@pytest.fixture(autouse=True)
def _default_ruleset_after_flush(request):
    # The migration installs the default ruleset, but a transactional test's flush
    # empties every table, and every test after one (in any order: pytest-xdist mixes
    # them) starts where a fresh `migrate` would leave it. One query when it is there.
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    if transactional or {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
    elif marker is not None or "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    rulesets.do_install_default_ruleset()


@pytest.fixture
def clinic(db):
    return ClinicFactory(name="Clinic A", slug="clinic-a")


@pytest.fixture
def other_clinic(db):
    return ClinicFactory(name="Clinic B", slug="clinic-b")


def _member(clinic, role: str, username: str):
    user = UserFactory(username=username)
    MembershipFactory(user=user, clinic=clinic, role=role)
    return user


@pytest.fixture
def intake_staff(clinic):
    return _member(clinic, "intake_staff", "intake")


@pytest.fixture
def clinician(clinic):
    return _member(clinic, "clinician", "clinician")


@pytest.fixture
def rule_admin(clinic):
    return _member(clinic, "rule_admin", "ruleadmin")


@pytest.fixture
def auditor(clinic):
    return _member(clinic, "auditor", "auditor")


@pytest.fixture
def clinic_admin(clinic):
    return _member(clinic, "clinic_admin", "clinicadmin")


@pytest.fixture
def other_clinic_clinician(other_clinic):
    return _member(other_clinic, "clinician", "otherclinician")


def logged_in_client(user) -> Client:
    """A client logged in as the user; OTP-verified when the user's role needs 2FA.

    Clinicians, rule admins and staff get a confirmed TOTP device and a session that
    counts as verified, as after the code prompt (RequireMFAMiddleware lets them in).
    """
    client = Client()
    client.force_login(user)
    if needs_mfa(user):
        device = TOTPDeviceFactory(user=user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_for(db) -> Callable[[object], Client]:
    """A logged-in (and, where needed, OTP-verified) client for any user."""
    return logged_in_client


@pytest.fixture
def client_as(clinic) -> Callable[[str], Client]:
    """A logged-in client for a role in clinic A (users made on demand)."""
    users: dict[str, object] = {}

    def make(role: str) -> Client:
        if role not in users:
            users[role] = _member(clinic, role, f"{role}-user")
        return logged_in_client(users[role])

    return make


@pytest.fixture
def models_compiled(monkeypatch) -> list[type]:
    """The models of the statements the ORM builds from here on, in order: a
    statement compiled once per process (screening/compiled.py) is not among them.
    Ask for it where the counting starts (`request.getfixturevalue`), after the
    request that compiles them."""
    built: list[type] = []
    as_sql = SQLCompiler.as_sql

    def spy(compiler, *args, **kwargs):
        built.append(compiler.query.model)
        return as_sql(compiler, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", spy)
    return built
