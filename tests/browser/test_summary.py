"""The flagged summary read at a glance (issue #15), measured in the browser."""

from pathlib import Path

import pytest
from django.urls import reverse

from screening.models import Intake
from screening.services import missing_data, reviews
from screening.services.review_hashes import review_items
from tests.browser.test_review import assert_focus_on, next_code
from tests.factories import (
    MembershipFactory,
    PatientFactory,
    TOTPDeviceFactory,
    UserFactory,
    screened_intake,
)
from tests.services.review_documents import realistic

SCREENSHOT = (
    Path(__file__).resolve().parents[2] / "docs/screenshots/flagged-summary.png"
)

# WCAG 2 contrast ratio of an element's text colour against the background it is drawn
# on: its own, or (when transparent) that of the nearest ancestor that paints one.
CONTRAST = """element => {
  const channels = text => text.match(/[\\d.]+/g).map(Number);
  const painted = node => {
    for (; node; node = node.parentElement) {
      const rgba = channels(getComputedStyle(node).backgroundColor);
      if (rgba.length < 4 || rgba[3] > 0) return rgba.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const luminance = rgb => {
    const [r, g, b] = rgb.map(c => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const text = channels(getComputedStyle(element).color).slice(0, 3);
  const [a, b] = [text, painted(element)].map(luminance);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def ten_flags() -> dict:
    """REALISTIC without blood pressure and lamotrigine: ten flags of every severity,
    two of them DATA-MISSING, and the rules waiting on the missing answers."""
    document = realistic()
    document["vitals"].update(bp_systolic=None, bp_diastolic=None)
    document["medications"] = [
        med for med in document["medications"] if med["class"] != "lamotrigine"
    ]
    return document


@pytest.fixture
def clinician(clinic):
    user = UserFactory(username="dr-okafor")
    MembershipFactory(user=user, clinic=clinic, role="clinician")
    return user, TOTPDeviceFactory(user=user)


@pytest.fixture
def flagged(clinic):
    staff = UserFactory(username="front-desk")
    MembershipFactory(user=staff, clinic=clinic, role="intake_staff")
    patient = PatientFactory(clinic=clinic, created_by=staff)
    intake = screened_intake(clinic, ten_flags(), by=staff, patient=patient)
    assert len(intake.current_screening.result["flags"]) == 10
    return intake


def open_summary(page, live_server, login, user, device, intake: Intake) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, user, device)
    page.goto(live_server.url + reverse("screening:review-summary", args=[intake.pk]))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_shows_every_flag_title_in_the_first_viewport(
    live_server, page, login, clinician, flagged
):
    open_summary(page, live_server, login, *clinician, flagged)
    titles = page.locator(".flag-line .flag-title")
    assert titles.count() == 10
    for index in range(10):
        box = titles.nth(index).bounding_box()
        assert box is not None
        assert box["y"] >= 0
        assert box["y"] + box["height"] <= 800, titles.nth(index).inner_text()
    # The patient, the outcome, the key scores and what is missing: on screen too.
    for selector in (".patient-ids", ".banner.alert", ".key-scores", "#missing"):
        box = page.locator(selector).first.bounding_box()
        assert box is not None
        assert box["y"] < 800, selector
    assert page.evaluate("window.scrollY") == 0
    # The README's picture of the summary is this first screen.
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_draws_each_severity_badge_at_a_contrast_of_4_5_to_1(
    live_server, page, login, clinician, clinic
):
    user, device = clinician
    document = realistic()
    # Every severity and the urgent badge: C-SSRS intent is PSY-SUICIDE-HIGH.
    document["medical_history"]["aneurysmal_vascular_disease"] = True
    document["scales"]["cssrs_screener"].update(q2=True, q3=True, q4=True, q5=False)
    intake = screened_intake(clinic, document)
    open_summary(page, live_server, login, user, device, intake)
    badges = page.locator(".badge.severity")
    seen = set()
    for index in range(badges.count()):
        badge = badges.nth(index)
        seen.add(badge.get_attribute("class").split()[-1])
        ratio = badge.evaluate(CONTRAST)
        assert ratio >= 4.5, (badge.inner_text(), ratio)
    assert seen >= {
        "severity-absolute",
        "severity-relative",
        "severity-caution",
        "severity-info",
        "severity-urgent",
    }
    # The intake overview uses the same badge.
    page.goto(live_server.url + reverse("screening:intake-detail", args=[intake.pk]))
    overview = page.locator("[data-screening] .badge.severity")
    assert overview.count() > 0
    for index in range(overview.count()):
        assert overview.nth(index).evaluate(CONTRAST) >= 4.5


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_focus_on_the_password_after_a_failed_sign_off(
    live_server, page, login, clinician, flagged
):
    user, device = clinician
    intake = Intake.objects.select_related("clinic", "patient").get(pk=flagged.pk)
    for kind, item in review_items(intake.current_screening):
        if kind == "flag" and not missing_data.is_missing_data_flag(item["code"]):
            reviews.do_acknowledge(
                intake,
                kind=kind,
                rule_code=item["code"],
                reason_code="reviewed_will_monitor",
                note="",
                by=user,
            )
    for path in (
        "vitals.bp_systolic",
        "vitals.bp_diastolic",
        "psychiatric_history.severe_personality_disorder",
    ):
        missing_data.do_accept_missing_answer(
            intake, path=path, reason_code="records_unavailable", note="", by=user
        )
    reviews.do_set_disposition(
        intake, decision="proceed", rationale="Benefit outweighs the risks.", by=user
    )
    open_summary(page, live_server, login, user, device, intake)
    assert_focus_on(page, "password")
    page.keyboard.type("not my password")
    page.keyboard.press("Tab")
    page.keyboard.type(next_code(device))
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.get_by_text("The password is not correct").is_visible()
    assert_focus_on(page, "password", "the failed sign-off keeps the field in error")
    box = page.locator("input[name=password]").bounding_box()
    assert box is not None
    assert 0 <= box["y"] <= 800 - box["height"]
