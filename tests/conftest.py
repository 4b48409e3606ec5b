"""Personas and clients shared by every Django test."""

from collections.abc import Callable

import pytest
from django.test import Client

from tests.factories import ClinicFactory, MembershipFactory, UserFactory

ROLES = ("intake_staff", "clinician", "rule_admin", "auditor")


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
def other_clinic_clinician(other_clinic):
    return _member(other_clinic, "clinician", "otherclinician")


@pytest.fixture
def client_as(clinic) -> Callable[[str], Client]:
    """A logged-in client for a role in clinic A (users made on demand)."""
    users: dict[str, object] = {}

    def make(role: str) -> Client:
        if role not in users:
            users[role] = _member(clinic, role, f"{role}-user")
        client = Client()
        client.force_login(users[role])
        return client

    return make
