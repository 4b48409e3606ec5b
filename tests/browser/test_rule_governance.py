import json
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from screening import intake_format
from screening.middleware import LOGIN_AT_SESSION_KEY
from screening.models import RescreenJob, Screening
from screening.services import clinic_tests
from tests.factories import (
    ClinicFactory,
    MembershipFactory,
    TOTPDeviceFactory,
    UserFactory,
    intakes_from_documents,
)

CASES_DIR = Path(settings.BASE_DIR) / "fixtures" / "clinic_test_cases"
SCREENSHOT = Path(settings.BASE_DIR) / "docs" / "screenshots" / "impact-preview.png"
PASSWORD = "correct horse battery staple"


def signed_in(page: Page, live_server, user, device) -> None:
    """Give the browser a session as after password and code (as the login does)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "screening.backends.ModelBackendWithSecondFactor"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[LOGIN_AT_SESSION_KEY] = time.time()
    session.create()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.session_key,
                "url": live_server.url,
            }
        ]
    )


@pytest.fixture
def clinic_with_intakes(transactional_db):
    clinic = ClinicFactory(name="Clinic A", slug="clinic-a")
    people = {}
    for name in ("author", "approver"):
        user = UserFactory(username=name)
        MembershipFactory(user=user, clinic=clinic, role="rule_admin")
        people[name] = (user, TOTPDeviceFactory(user=user))
    lorazepam = intake_format.load_document(
        next(CASES_DIR.glob("C02-*.json")).read_bytes(), today=None
    )
    intakes = intakes_from_documents(
        clinic, [lorazepam] * 3, created_by=people["author"][0]
    )
    clinic_tests.do_load_test_cases(clinic, CASES_DIR)
    return people, intakes


def watch_for_csp_violations(page: Page) -> list[str]:
    """Console errors about the Content-Security-Policy (strict CSP, T-HDR-05)."""
    problems: list[str] = []

    def listen(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("console", listen)
    return problems


@pytest.mark.browser
def test_it_takes_a_threshold_change_from_draft_to_published(
    live_server, clinic_with_intakes, page: Page, browser
):
    people, intakes = clinic_with_intakes
    author, author_device = people["author"]
    approver, approver_device = people["approver"]
    problems = watch_for_csp_violations(page)
    signed_in(page, live_server, author, author_device)

    # The author drafts and raises DDI-BZD-HIGH's threshold from 8 to 10 mg.
    page.goto(f"{live_server.url}/rules/")
    page.get_by_role("button", name="Create draft from default-1").click()
    page.get_by_role("link", name="Edit DDI-BZD-HIGH").click()
    page.get_by_label("Condition").fill("diazepam_equivalent_exact > 10")
    page.get_by_role("button", name="Save in the draft").click()
    expect(page.get_by_text("DDI-BZD-HIGH saved in the draft.")).to_be_visible()

    # Its own test "8.001 fires" now fails; the author fixes the test case.
    page.get_by_role("link", name="3. Rule tests").click()
    page.get_by_role("button", name="Run tests").click()
    expect(page.locator("[data-tests-failed]")).to_have_attribute(
        "data-tests-failed", "1"
    )
    page.get_by_role("row", name="8.001 fires").get_by_role("link").click()
    row = page.locator("tbody tr").filter(
        has=page.locator('input[value="8.001 fires"]')
    )
    row.locator('input[name$="-name"]').fill("10.001 fires")
    row.locator('textarea[name$="-facts"]').fill(
        json.dumps({"diazepam_equivalent_exact": "10.001"})
    )
    page.get_by_role("button", name="Save test cases").click()
    expect(page.get_by_text("Test cases of DDI-BZD-HIGH saved.")).to_be_visible()
    page.get_by_role("link", name="3. Rule tests").click()
    page.get_by_role("button", name="Run tests").click()
    expect(page.locator("[data-tests-failed]")).to_have_attribute(
        "data-tests-failed", "0"
    )

    # C02 (lorazepam, 9 mg) no longer flags: the author approves the new result.
    page.get_by_role("link", name="4. Clinic test cases").click()
    case = page.locator('[data-case="C02"]')
    expect(case.get_by_text("differs")).to_be_visible()
    case.get_by_label("Why the new result is right").fill(
        "Threshold 10 mg per the clinic's benzodiazepine policy of December"
    )
    case.get_by_role("button", name="Approve the new result for C02").click()
    expect(
        page.get_by_text("The new result of C02 is its expectation.")
    ).to_be_visible()

    # The impact preview: the three lorazepam intakes lose DDI-BZD-HIGH.
    page.get_by_role("link", name="5. Impact preview").click()
    flags = page.locator("[data-impact-flags]")
    expect(flags.get_by_role("row", name="DDI-BZD-HIGH")).to_contain_text(
        "lose: " + ", ".join(str(intake.pk) for intake in intakes)
    )
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # The author may not approve their own draft.
    page.get_by_role("link", name="6. Approve and publish").click()
    expect(page.get_by_text("two-person rule")).to_be_visible()

    # A second admin approves with password and code, and publishes.
    second = browser.new_context().new_page()
    problems += watch_for_csp_violations(second)
    signed_in(second, live_server, approver, approver_device)
    second.goto(page.url)
    second.get_by_label("Reason for publishing").fill(
        "Checked the failing-test fix, C02 and the preview with the author."
    )
    second.get_by_label("Your password").fill(PASSWORD)
    second.get_by_label("Current code from your authenticator app").fill(
        f"{totp(approver_device.bin_key):06d}"
    )
    second.get_by_role("button", name="Approve and publish").click()

    expect(second.get_by_text("Published as clinic-a-1.")).to_be_visible()
    expect(second.locator("progress")).to_have_attribute("value", "100")
    expect(second.locator("[data-rescreen-text]")).to_contain_text("3 of 3")
    assert second.locator("progress").evaluate("bar => bar.value") == 100
    assert RescreenJob.objects.get().status == "finished"
    assert Screening.objects.filter(ruleset__label="clinic-a-1").count() == 3
    assert problems == []
