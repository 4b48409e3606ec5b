"""A patient answers on the clinic tablet (issue #17), in chromium against the live
server with the production CSP: staff start a session and read the code; on a 768-px
touch screen the patient types it, answers every page in Spanish by tapping (one page
by keyboard), goes back once and sends the answers; a clinician's worklist shows the
PHQ-9 item 9 marker before the patient finishes. A second pass in English at 390 px.
Screenshots of three patient pages in each language go to docs/screenshots/."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from screening.models import (
    ConsentRecord,
    Intake,
    PatientSettings,
    SectionRevision,
    SelfReport,
    SelfReportAnswer,
    TextPack,
)
from screening.services import self_reports, text_packs
from tests.factories import (
    IntakeFactory,
    MembershipFactory,
    PatientFactory,
    TOTPDeviceFactory,
    UserFactory,
    published_consent,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
ITEM9_TEXT = {"es": "Pensamientos de que estaría mejor muerto/a o de hacerse daño"}


def _member(clinic, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, clinic=clinic, role=role)
    return user


@pytest.fixture
def setting(clinic):
    admin = _member(clinic, "clinic_admin", "tablet-admin")
    text_packs.do_load_demo_packs(clinic, by=admin)
    PatientSettings.objects.create(clinic=clinic, languages=["en", "es"])
    staff = _member(clinic, "intake_staff", "tablet-staff")
    patient = PatientFactory(clinic=clinic, created_by=staff)
    intake = IntakeFactory(patient=patient, created_by=staff)
    return staff, intake


def start_session(browser, login, live_server, staff, intake) -> str:
    desk = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    login(desk, staff)
    desk.goto(live_server.url + reverse("screening:intake-detail", args=[intake.pk]))
    desk.get_by_role("link", name="Patient self-report (tablet)").click()
    desk.get_by_role("button", name="Start and show the code").click()
    code = desk.locator("[data-self-report-code]").inner_text().strip()
    assert code not in desk.url
    desk.context.close()
    return code


def tablet(browser, width: int) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": 1024}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors  # type: ignore[attr-defined]
    return page


def enter_code(
    page: Page, live_server, code: str, language_label: str, *, then: str = "q/1"
) -> None:
    page.goto(live_server.url + "/p/")
    page.get_by_label(language_label).tap()
    page.locator("#id_code").fill(code)
    page.locator("main button[type=submit]").tap()
    page.wait_for_url(f"**/p/{then}/")


def answer_by_keyboard(page: Page) -> None:
    """Tab to the first option, choose it with Space, Tab to the button, Enter."""
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "radio":
            break
    page.keyboard.press("Space")
    expect(page.locator("input[type=radio]").first).to_be_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_spanish_speaking_patient_answers_on_a_768_px_tablet(
    browser, login, live_server, clinic, setting
):
    staff, intake = setting
    code = start_session(browser, login, live_server, staff, intake)
    page = tablet(browser, 768)
    enter_code(page, live_server, code, "Español")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    clinician = _member(clinic, "clinician", "tablet-clinician")
    device = TOTPDeviceFactory(user=clinician)
    number, went_back, saw_marker = 1, False, False
    while "/p/q/" in page.url:
        # 23 pages, 21 once the AUDIT-C's first answer is "never" (q2, q3 skipped).
        expect(page.locator("#progress")).to_have_text(
            re.compile(rf"^Pregunta {number} de 2[13]$")
        )
        if number == 2:
            answer_by_keyboard(page)
            number += 1
            continue
        if number == 3 and not went_back:
            page.get_by_role("link", name="Atrás").tap()
            expect(page.locator("#progress")).to_have_text("Pregunta 2 de 23")
            expect(page).to_have_url(re.compile(r"/p/q/2/$"))
            expect(page.locator("input[type=radio]").first).to_be_checked()
            went_back = True
            with page.expect_navigation():
                page.locator("main button[type=submit]").tap()
            continue
        if number == 1:
            page.screenshot(path=str(SHOTS / "self-report-question-es-768.png"))
        if page.locator("textarea").count():
            page.locator("textarea").fill("ninguna")
        elif ITEM9_TEXT["es"] in page.locator("h1").inner_text():
            page.get_by_label("Varios días").tap()
        else:
            page.locator(".tablet-option").first.tap()
        with page.expect_navigation():
            page.locator("main button[type=submit]").tap()
        number += 1
        if number == 10 and not saw_marker:
            # Item 9 is stored: a clinician sees the marker before the patient ends.
            desk = browser.new_context(viewport={"width": 1280, "height": 800})
            worklist = desk.new_page()
            login(worklist, clinician, device)
            worklist.goto(live_server.url + reverse("screening:review-worklist"))
            expect(
                worklist.get_by_text("C-SSRS needed before the patient leaves").first
            ).to_be_visible()
            desk.close()
            saw_marker = True
    assert went_back
    assert saw_marker
    expect(page.get_by_role("heading", name="Revise sus respuestas")).to_be_visible()
    page.screenshot(path=str(SHOTS / "self-report-check-es-768.png"), full_page=True)
    page.get_by_role("button", name="Enviar mis respuestas").tap()
    page.wait_for_url("**/p/done/")
    expect(page.get_by_text("988").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "self-report-done-es-768.png"), full_page=True)
    assert page.errors == []  # type: ignore[attr-defined]

    intake = Intake.objects.select_related("current_screening").get(pk=intake.pk)
    scales = intake.sections.get(kind="scales")
    assert scales.data["phq9"][8] == 1
    revision = SectionRevision.objects.filter(section=scales).latest("version")
    assert (revision.origin, revision.saved_by) == ("self_report", staff)
    pack = TextPack.objects.get(clinic=clinic, instrument="PHQ9", language="es")
    item9 = SelfReportAnswer.objects.get(path="scales.phq9[8]")
    assert item9.text_pack == pack
    assert intake.current_screening.intake_version == intake.version
    assert intake.current_screening.result["derived"]["phq9_item9"] == 1


def test_an_english_speaking_patient_answers_on_a_390_px_phone_width(
    browser, login, live_server, clinic, setting
):
    staff, intake = setting
    code = start_session(browser, login, live_server, staff, intake)
    page = tablet(browser, 390)
    enter_code(page, live_server, code, "English")
    page.screenshot(path=str(SHOTS / "self-report-question-en-390.png"))
    sideways = "document.documentElement.scrollWidth - window.innerWidth"
    while "/p/q/" in page.url:
        assert page.evaluate(sideways) <= 0, page.url
        if page.locator("textarea").count():
            page.locator("textarea").fill("none")
        else:
            page.locator(".tablet-option").first.tap()
        with page.expect_navigation():
            page.locator("main button[type=submit]").tap()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    page.screenshot(path=str(SHOTS / "self-report-check-en-390.png"), full_page=True)
    page.get_by_role("button", name="Send my answers").tap()
    page.wait_for_url("**/p/done/")
    expect(page.get_by_text("988 Suicide & Crisis Lifeline")).to_be_visible()
    page.screenshot(path=str(SHOTS / "self-report-done-en-390.png"), full_page=True)
    # The tablet is in patient mode now: a staff page is refused, not offered.
    page.goto(live_server.url + reverse("screening:patient-list"))
    expect(
        page.get_by_role("heading", name="This page is not available")
    ).to_be_visible()


def test_a_patient_consents_by_typing_their_name_or_talks_to_staff_first(
    browser, login, live_server, clinic, setting
):
    """The consent page (#18) comes first when the clinic has a published document."""
    staff, intake = setting
    document = published_consent(clinic)
    # Spanish at 768 px: "talk to staff first" goes on to the questions.
    code = start_session(browser, login, live_server, staff, intake)
    page = tablet(browser, 768)
    enter_code(page, live_server, code, "Español", then="consent")
    expect(page.get_by_role("heading", name=document.title)).to_be_visible()
    page.screenshot(path=str(SHOTS / "self-report-consent-es-768.png"), full_page=True)
    page.get_by_role("button", name="Prefiero hablar antes con el personal").tap()
    page.wait_for_url("**/p/q/1/")
    page.context.close()
    self_reports.do_end(SelfReport.objects.get(intake=intake), by=staff)

    # English at 390 px: the errors beside the fields, then a tick and a typed name.
    code = start_session(browser, login, live_server, staff, intake)
    page = tablet(browser, 390)
    enter_code(page, live_server, code, "English", then="consent")
    page.locator("#id_typed_name").fill("Ana Ruiz")
    with page.expect_navigation():
        page.get_by_role("button", name="I agree, continue").tap()
    expect(page.get_by_role("alert")).to_contain_text('Tick "I have read this')
    expect(page.locator("#id_typed_name")).to_have_value("Ana Ruiz")  # not lost
    page.screenshot(path=str(SHOTS / "self-report-consent-en-390.png"), full_page=True)
    sideways = "document.documentElement.scrollWidth - window.innerWidth"
    assert page.evaluate(sideways) <= 0
    page.get_by_label("I have read this and I agree").tap()
    page.get_by_role("button", name="I agree, continue").tap()
    page.wait_for_url("**/p/q/1/")
    while "/p/q/" in page.url:
        if page.locator("textarea").count():
            page.locator("textarea").fill("none")
        else:
            page.locator(".tablet-option").first.tap()
        with page.expect_navigation():
            page.locator("main button[type=submit]").tap()
    expect(page.get_by_text("You agreed, signed as Ana Ruiz")).to_be_visible()
    page.get_by_role("button", name="Send my answers").tap()
    page.wait_for_url("**/p/done/")
    assert page.errors == []  # type: ignore[attr-defined]
    made = ConsentRecord.objects.get(intake=intake)
    assert (made.method, made.typed_name, made.recorded_by) == (
        "tablet_typed_name",
        "Ana Ruiz",
        staff,
    )
