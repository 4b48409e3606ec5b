import contextlib
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.oath import totp
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from screening.models import Intake, SignOff
from screening.services import reviews
from tests.factories import (
    MembershipFactory,
    TOTPDeviceFactory,
    UserFactory,
    screened_intake,
)
from tests.services.review_documents import REALISTIC

SCREENSHOT = (
    Path(__file__).resolve().parents[2] / "docs/screenshots/flagged-summary.png"
)
PASSWORD = "correct horse battery staple"


def next_code(device) -> str:
    """The code of the next 30-second step: the login used this step's code, and a
    code is never accepted twice (the device allows one step of drift)."""
    code = totp(device.bin_key, device.step, device.t0 - device.step, device.digits)
    return f"{code:0{device.digits}d}"


def focused_name(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.name")


def assert_focus_on(page, name: str, message: str = "") -> None:
    """The browser applies `autofocus` a frame after the load event: wait for it."""
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            "name => document.activeElement && document.activeElement.name === name",
            arg=name,
            timeout=5000,
        )
    assert focused_name(page) == name, message


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_reviews_and_signs_with_the_keyboard(live_server, page, login, clinic):
    clinician = UserFactory(username="dr-rivera")
    MembershipFactory(user=clinician, clinic=clinic, role="clinician")
    device = TOTPDeviceFactory(user=clinician)
    staff = UserFactory(username="front-desk")
    MembershipFactory(user=staff, clinic=clinic, role="intake_staff")
    intake = screened_intake(clinic, REALISTIC, by=staff)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda dialog: problems.append(f"dialog {dialog.message}"))

    login(page, clinician, device)
    page.get_by_role("link", name="Worklist").click()
    page.get_by_role("link", name=intake.patient.display_name).click()
    page.wait_for_url(f"**{reverse('screening:review-summary', args=[intake.pk])}")
    assert page.get_by_text("Flags for the clinician to review.").is_visible()

    # Each open item has the focus in turn: arrows pick the reason, Tab reaches the
    # note, Enter acknowledges; the page comes back with the next item focused.
    open_items = len(list(reviews.review_items(intake.current_screening)))
    for done in range(open_items):
        assert_focus_on(page, "reason_code", f"after {done} acknowledgements")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
        assert focused_name(page) == "note"
        page.keyboard.type(f"Reviewed at intake review, item {done + 1}.")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    assert page.get_by_text("Every flag is acknowledged").is_visible()

    # Disposition: Space picks "proceed", Tab to the rationale, Tab to the button.
    assert_focus_on(page, "decision")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("No contraindication outweighs the benefit; monitor BP.")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Re-authenticate and sign: password, then the next authenticator code.
    assert_focus_on(page, "password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(next_code(device))
    with page.expect_navigation():
        page.keyboard.press("Enter")

    banner = page.locator(".banner-signed")
    assert "Signed by dr-rivera at" in banner.inner_text()
    signoff = SignOff.objects.get(intake=intake)
    assert signoff.signature_sha256 in banner.inner_text()
    assert Intake.objects.get(pk=intake.pk).status == Intake.Status.SIGNED
    assert reviews.verify_signoffs() == []
    assert problems == []
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
