"""Rule admins' settings and rule-test pages: named inputs, dose-table classes,
and rule tests that state the settings they assume (issue #16 items 6 and 8)."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from screening.services import drafts
from tests.conftest import logged_in_client
from tests.factories import MembershipFactory, UserFactory

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
