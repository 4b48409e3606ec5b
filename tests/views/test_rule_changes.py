"""The approver sees what publishing changes; the diff shows added rules' content
(issue #16 item 7)."""

import pytest
from django.urls import reverse

from screening.services import drafts
from tests.conftest import logged_in_client
from tests.factories import MembershipFactory, UserFactory

HEART_RATE_RULE = {
    "code": "CLINIC-HR-HIGH",
    "title": "Heart rate above 110",
    "severity": "caution",
    "expression": "vitals.heart_rate > 110",
    "message": "Recheck the heart rate before the session.",
    "source": {"title": "Clinic protocol", "year": "2026", "section": "1", "url": None},
    "enabled": True,
}


@pytest.fixture
def author(clinic):
    user = UserFactory(username="author")
    MembershipFactory(user=user, clinic=clinic, role="rule_admin")
    return user


@pytest.fixture
def approver(clinic):
    user = UserFactory(username="approver")
    MembershipFactory(user=user, clinic=clinic, role="rule_admin")
    return user


@pytest.fixture
def draft(clinic, author):
    draft = drafts.do_create_draft(clinic, by=author)
    drafts.do_update_settings(
        draft, {"recent_cv_event_absolute": False}, revision=1, by=author
    )
    draft.refresh_from_db()
    drafts.do_add_rule(draft, HEART_RATE_RULE, revision=draft.revision, by=author)
    draft.refresh_from_db()
    return draft


def assert_shows_the_added_rule(html: str) -> None:
    assert 'data-added-rule="CLINIC-HR-HIGH"' in html
    for text in (
        "Heart rate above 110",
        "vitals.heart_rate &gt; 110",
        "Recheck the heart rate before the session.",
        "Clinic protocol",
    ):
        assert text in html, text


def test_it_shows_the_approver_what_changed_on_the_publish_page(draft, approver):
    url = reverse("screening:ruleset-publish", args=[draft.pk])

    html = logged_in_client(approver).get(url).content.decode()

    assert "What changes when this is published" in html
    assert_shows_the_added_rule(html)
    assert "<code>recent_cv_event_absolute</code>" in html


def test_it_lists_added_rules_with_their_content_in_the_diff(draft, client_as):
    html = (
        client_as("clinician")
        .get(
            reverse("screening:ruleset-diff"),
            {"old": draft.based_on.pk, "new": draft.pk},
        )
        .content.decode()
    )

    assert_shows_the_added_rule(html)
