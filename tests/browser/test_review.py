import contextlib

import pytest
from django.urls import reverse
from django_otp.oath import totp
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from screening.models import Intake, SignOff
from screening.services import missing_data, reviews
from tests.factories import (
    MembershipFactory,
    TOTPDeviceFactory,
    UserFactory,
    screened_intake,
)
from tests.services.review_documents import REALISTIC

PASSWORD = "correct horse battery staple"


def next_code(device) -> str:
    """The code of the next 30-second step: the login used this step's code, and a
    code is never accepted twice (the device allows one step of drift)."""
    code = totp(device.bin_key, device.step, device.t0 - device.step, device.digits)
    return f"{code:0{device.digits}d}"


def focused_name(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.name")


def tab_to(page, name: str, message: str = "", limit: int = 15) -> None:
    """Press Tab until the field named `name` has the focus (links come first)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_name(page) == name:
            return
    raise AssertionError(f"Tab never reached {name}: {message}")


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

    # Each open flag is one line: Enter opens it, Tab reaches its reason, arrows pick
    # one, Tab reaches the note, Enter acknowledges and the page comes back there.
    screening = intake.current_screening
    flags = [
        item["code"]
        for kind, item in reviews.review_items(screening)
        if kind == "flag" and not missing_data.is_missing_data_flag(item["code"])
    ]
    for done, code in enumerate(flags):
        page.locator(f"#flag-{code} > summary").focus()
        page.keyboard.press("Enter")
        tab_to(page, "reason_code", f"flag {code}")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
        assert focused_name(page) == "note"
        page.keyboard.type(f"Reviewed at intake review, item {done + 1}.")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    # Each missing answer once: "Accept as unknown…" opens its form.
    for missing in page.locator(".missing-item").all():
        missing.locator(".missing-accept > summary").focus()
        page.keyboard.press("Enter")
        tab_to(page, "reason_code", "missing answer")
        page.keyboard.press("Space")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    assert page.get_by_text("every flag is acknowledged").is_visible()

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
