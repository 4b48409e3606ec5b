"""The urgent pathway in the browser (issue #15): an answer saved by one user puts the
intake at the top of another clinician's worklist, with its red marker and reason, on
their next page load; the sign-off is refused until a clinician clears the marker.
Chromium (Debian's), the live server, the production CSP."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from screening.models import Intake, SignOff, UrgentMarker
from tests.factories import (
    MembershipFactory,
    PatientFactory,
    TOTPDeviceFactory,
    UserFactory,
    screened_intake,
)
from tests.services.review_documents import REALISTIC, with_aneurysm
from tests.services.test_reviews import acknowledge_all, decide
from tests.services.test_urgent import LOW, document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = Path(settings.BASE_DIR) / "docs" / "screenshots" / "worklist.png"
PASSWORD = "correct horse battery staple"  # UserFactory's
ROWS = "[data-urgent-intake], [data-rereview-intake], [data-intake]"


def clinician(clinic, username: str):
    user = UserFactory(username=username)
    MembershipFactory(user=user, clinic=clinic, role="clinician")
    return user, TOTPDeviceFactory(user=user)


def routine_intakes(clinic, staff) -> None:
    """Routine work that an urgent intake must never sit below, ready for review: an
    absolute and a relative one, for two different people of the same name."""
    for born, doc in (
        (date(1971, 2, 3), with_aneurysm()),
        (date(1994, 8, 21), REALISTIC),
    ):
        patient = PatientFactory(
            clinic=clinic,
            family_name="Garcia",
            given_name="Alex",
            date_of_birth=born,
            created_by=staff,
        )
        screened_intake(clinic, doc, by=staff, patient=patient)


def new_page(browser, login, user, device=None) -> Page:
    """A separate browser context per user: their own session, as on two desks."""
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    errors: list[str] = []
    # A refused sign-off answers 400 on purpose: the browser logs that, nothing else.
    expected = "the server responded with a status of 400"
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and expected not in m.text
            else None
        ),
    )
    page.errors = errors  # type: ignore[attr-defined]
    login(page, user, device)
    return page


def choose(page: Page, name: str, value: str) -> None:
    radio = page.locator(f'input[type="radio"][name="{name}"][value="{value}"]')
    radio.press(" ")
    expect(radio).to_be_checked()


def save(page: Page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).press("Enter")


def top_row(page: Page):
    return page.locator(ROWS).first


def fresh_code(device) -> str:
    """A code the device has not accepted yet: the next 30-second step's.

    A second re-authentication inside one step needs the step after the one used;
    forgetting the last step used lets this step's successor serve again.
    """
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    code = totp(device.bin_key, device.step, device.t0 - device.step, device.digits)
    return f"{code:0{device.digits}d}"


def attempt_sign(page: Page, live_server, intake: Intake, device) -> None:
    page.goto(live_server.url + reverse("screening:review-summary", args=[intake.pk]))
    page.locator('[name="password"]').fill(PASSWORD)
    page.locator('[name="otp_token"]').fill(fresh_code(device))
    save(page, "Sign off")


def review_everything_but_the_marker(intake: Intake, doctor) -> None:
    intake = Intake.objects.select_related("current_screening").get(pk=intake.pk)
    acknowledge_all(intake, doctor)
    decide(intake, doctor, decision="needs_more_information")


def test_a_high_risk_cssrs_saved_by_one_clinician_heads_another_clinicians_worklist(
    browser, live_server, login, clinic, intake_staff
):
    routine_intakes(clinic, intake_staff)
    patient = PatientFactory(
        clinic=clinic, family_name="Okafor", given_name="Chidi", created_by=intake_staff
    )
    intake = screened_intake(
        clinic,
        document(item9=0, cssrs=None),
        by=intake_staff,
        patient=patient,
        ready=False,
    )
    ahmed, ahmed_device = clinician(clinic, "dr-ahmed")
    baker, baker_device = clinician(clinic, "dr-baker")

    # Dr Ahmed records the C-SSRS: intent without a plan (q4), which is high (§8.6).
    first = new_page(browser, login, ahmed, ahmed_device)
    first.goto(
        live_server.url + reverse("screening:intake-clinician-edit", args=[intake.pk])
    )
    for question, answer in (("q1", "yes"), ("q2", "yes"), ("q3", "yes")):
        choose(first, f"cssrs_{question}", answer)
    choose(first, "cssrs_q4", "yes")
    choose(first, "cssrs_q5", "no")
    choose(first, "cssrs_q6", "no")
    save(first, "Save clinician-entered C-SSRS screener and MADRS total")
    expect(first.locator("[data-urgent-marker]")).to_contain_text(
        "Same-day safety assessment needed"
    )

    # Dr Baker's next page load: the intake, still in progress, heads the worklist.
    second = new_page(browser, login, baker, baker_device)
    second.goto(live_server.url + reverse("screening:home"))
    row = top_row(second)
    assert row.get_attribute("data-urgent-intake") == str(intake.pk)
    expect(row).to_contain_text("Okafor, Chidi")
    expect(row).to_contain_text("Same-day safety assessment needed")
    expect(row.locator(".urgent-marker")).to_have_text("Urgent")
    assert Intake.objects.get(pk=intake.pk).status == Intake.Status.IN_PROGRESS
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    second.screenshot(path=str(SCREENSHOT), full_page=True)

    # Everything else is done; the sign-off is refused while the marker is open.
    review_everything_but_the_marker(intake, baker)
    attempt_sign(second, live_server, intake, baker_device)
    expect(second.locator("#sign-off [role=alert]")).to_contain_text(
        "Urgent: Same-day safety assessment needed"
    )
    assert not SignOff.objects.filter(intake=intake).exists()

    # Dr Baker records the safety assessment on the overview, by keyboard.
    second.goto(live_server.url + reverse("screening:intake-detail", args=[intake.pk]))
    choose(second, "resolution", "assessment_done")
    second.locator('[name="note"]').press_sequentially("Seen 11:05, safety plan.")
    save(second, "Record")
    expect(second.locator("[data-urgent-marker]")).to_have_count(0)
    expect(second.locator("[data-urgent-history]")).to_contain_text(
        "Seen 11:05, safety plan."
    )

    attempt_sign(second, live_server, intake, baker_device)
    expect(second.locator(".banner-signed")).to_contain_text("Signed by dr-baker")
    assert first.errors == second.errors == []  # type: ignore[attr-defined]


def test_a_phq9_item9_answer_saved_by_intake_staff_heads_a_clinicians_worklist(
    browser, live_server, login, clinic, intake_staff
):
    routine_intakes(clinic, intake_staff)
    intake = screened_intake(
        clinic, document(item9=0, cssrs=None), by=intake_staff, ready=False
    )
    baker, baker_device = clinician(clinic, "dr-baker")

    desk = new_page(browser, login, intake_staff)
    desk.goto(
        live_server.url
        + reverse("screening:intake-section-edit", args=[intake.pk, "scales"])
    )
    choose(desk, "phq9_9", "1")
    save(desk, "Save symptom scales")
    expect(desk.locator("[data-urgent-marker]")).to_contain_text(
        "C-SSRS needed before the patient leaves"
    )
    expect(desk.locator("[data-urgent-marker]")).to_contain_text(
        "Tell a clinician now."
    )

    doctor = new_page(browser, login, baker, baker_device)
    doctor.goto(live_server.url + reverse("screening:review-worklist"))
    row = top_row(doctor)
    assert row.get_attribute("data-urgent-intake") == str(intake.pk)
    expect(row).to_contain_text("C-SSRS needed before the patient leaves")

    review_everything_but_the_marker(intake, baker)
    attempt_sign(doctor, live_server, intake, baker_device)
    expect(doctor.locator("#sign-off [role=alert]")).to_contain_text(
        "Urgent: C-SSRS needed before the patient leaves"
    )
    assert not SignOff.objects.filter(intake=intake).exists()

    # Recording the C-SSRS clears it; the screening changed, so it is reviewed again.
    doctor.goto(
        live_server.url + reverse("screening:intake-clinician-edit", args=[intake.pk])
    )
    for question, answer in LOW.items():
        if answer is not None:
            choose(doctor, f"cssrs_{question}", "yes" if answer else "no")
    save(doctor, "Save clinician-entered C-SSRS screener and MADRS total")
    assert not UrgentMarker.objects.filter(
        intake=intake, cleared_at__isnull=True
    ).exists()
    doctor.goto(live_server.url + reverse("screening:review-worklist"))
    expect(doctor.locator("[data-urgent-intake]")).to_have_count(0)

    review_everything_but_the_marker(intake, baker)
    attempt_sign(doctor, live_server, intake, baker_device)
    expect(doctor.locator(".banner-signed")).to_contain_text("Signed by dr-baker")
    assert desk.errors == doctor.errors == []  # type: ignore[attr-defined]
