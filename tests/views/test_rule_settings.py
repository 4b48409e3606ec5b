"""Rule admins' settings and rule-test pages: named inputs, dose-table classes,
and rule tests that state the settings they assume (issue #16 items 6 and 8)."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from screening.services import drafts
from tests.conftest import logged_in_client
from tests.factories import MembershipFactory, UserFactory
from tests.views.test_rules import settings_post

CONTROLS = {"input", "select", "textarea"}
UNNAMED_TYPES = {"hidden", "submit", "button"}


class Controls(HTMLParser):
    """Each form control's id and aria-label, and the ids that a <label for> names."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "label" and found.get("for"):
            self.labelled.add(str(found["for"]))
        if tag in CONTROLS and found.get("type") not in UNNAMED_TYPES:
            self.controls.append(found)


def unnamed_controls(html: str) -> list[str]:
    page = Controls()
    page.feed(html)
    return [
        str(control.get("name"))
        for control in page.controls
        if not control.get("aria-label") and control.get("id") not in page.labelled
    ]


@pytest.fixture
def author(clinic):
    user = UserFactory(username="author")
    MembershipFactory(user=user, clinic=clinic, role="rule_admin")
    return user


@pytest.fixture
def draft(clinic, author):
    return drafts.do_create_draft(clinic, by=author)


@pytest.mark.parametrize("page", ["settings", "rule tests"])
def test_it_names_every_input_of_the_settings_and_rule_test_tables(draft, author, page):
    rule = draft.rules.get(code="CI-RECENT-CV-EVENT")
    url = (
        reverse("screening:ruleset-settings-edit", args=[draft.pk])
        if page == "settings"
        else reverse("screening:rule-tests-edit", args=[rule.pk])
    )

    html = logged_in_client(author).get(url).content.decode()

    assert unnamed_controls(html) == []
    assert 'aria-label="Agent, row 1"' in html or 'aria-label="Name, row 1"' in html


def test_it_accepts_a_dose_row_of_a_new_antidepressant_class(draft, author):
    data = settings_post(draft)
    index = int(data["doses-TOTAL_FORMS"])
    data["doses-TOTAL_FORMS"] = index + 1
    data.update(
        {
            f"doses-{index}-names": "agomelatine",
            f"doses-{index}-agent": "agomelatine",
            f"doses-{index}-drug_class": "melatonergic",
            f"doses-{index}-min_mg_per_day": "25",
        }
    )

    response = logged_in_client(author).post(
        reverse("screening:ruleset-settings-edit", args=[draft.pk]), data
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.clinic_settings["min_dose_table"][-1]["class"] == "melatonergic"


def test_it_saves_the_settings_a_rule_test_assumes(draft, author):
    rule = draft.rules.get(code="CI-RECENT-CV-EVENT")
    facts = '{"intake_date": "2026-09-15", "medical_history.mi_or_acs_date": ' + (
        '"2026-09-01", "medical_history.revascularization_date": false}'
    )
    data = {"revision": draft.revision, "tests-TOTAL_FORMS": 1}
    data["tests-INITIAL_FORMS"] = 0
    data.update(
        {
            "tests-0-name": "US reading is silent",
            "tests-0-facts": facts,
            "tests-0-settings": '{"recent_cv_event_absolute": false}',
            "tests-0-expect": "silent",
        }
    )

    response = logged_in_client(author).post(
        reverse("screening:rule-tests-edit", args=[rule.pk]), data
    )

    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.tests[0]["settings"] == {"recent_cv_event_absolute": False}
    page = logged_in_client(author).get(
        reverse("screening:rule-tests-edit", args=[rule.pk])
    )
    assert "{&quot;recent_cv_event_absolute&quot;: false}" in page.content.decode()
