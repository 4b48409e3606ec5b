"""Fixtures shared by the ruleset service tests: a second rule admin, a draft, cases."""

import pytest

from screening.services import clinic_tests, drafts
from tests.factories import MembershipFactory, UserFactory
from tests.services.ruleset_cases import CASES_DIR


@pytest.fixture
def second_admin(clinic):
    user = UserFactory(username="second-admin")
    MembershipFactory(user=user, clinic=clinic, role="rule_admin")
    return user


@pytest.fixture
def draft(clinic, rule_admin):
    return drafts.do_create_draft(clinic, by=rule_admin)


@pytest.fixture
def test_cases(clinic):
    clinic_tests.do_load_test_cases(clinic, CASES_DIR)
