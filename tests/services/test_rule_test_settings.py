"""A permitted setting change publishes without rewriting shipped rule tests, and a
dose-table row holds an antidepressant class (issue #16 item 8)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import TestCase

from screening.services import clinic_tests, drafts, impact, publishing
from tests.factories import MembershipFactory, UserFactory

CASES_DIR = Path(settings.BASE_DIR) / "fixtures" / "clinic_test_cases"


@pytest.fixture
def approver(clinic):
    user = UserFactory(username="second-admin")
    MembershipFactory(user=user, clinic=clinic, role="rule_admin")
    return user


@pytest.fixture
def draft(clinic, rule_admin):
    clinic_tests.do_load_test_cases(clinic, CASES_DIR)
    return drafts.do_create_draft(clinic, by=rule_admin)


def test_it_publishes_recent_cv_event_absolute_off_without_editing_shipped_tests(
    clinic, draft, rule_admin, approver
):
    shipped = {rule.code: rule.tests for rule in draft.rules.all()}
    drafts.do_update_settings(
        draft, {"recent_cv_event_absolute": False}, revision=1, by=rule_admin
    )
    draft.refresh_from_db()
    # The clinic's own cases are screened under the draft: those it changes are
    # approved with a reason, as the gate asks (§6.1). The rule tests are untouched.
    for case in clinic_tests.run_clinic_tests(draft):
        if not case.passed:
            clinic_tests.do_approve_expectation(
                case.case, draft=draft, reason="US reading, by decision", by=rule_admin
            )
    draft.refresh_from_db()
    impact.do_show_impact_preview(draft, by=rule_admin)

    assert publishing.check_gate(draft).failing_rule_tests == []
    with TestCase.captureOnCommitCallbacks(execute=True):
        published = publishing.do_publish_ruleset(
            draft, by=approver, reason="US reading", revision=draft.revision
        )

    assert published.clinic_settings["recent_cv_event_absolute"] is False
    assert {rule.code: rule.tests for rule in published.rules.all()} == shipped


def test_it_stores_a_dose_row_with_a_new_antidepressant_class(draft, rule_admin):
    table = [
        {
            "names": ["agomelatine"],
            "agent": "agomelatine",
            "class": "melatonergic",
            "min_mg_per_day": 25,
        }
    ]

    drafts.do_update_settings(
        draft, {"min_dose_table": table}, revision=1, by=rule_admin
    )

    draft.refresh_from_db()
    assert draft.clinic_settings["min_dose_table"][-1]["class"] == "melatonergic"
