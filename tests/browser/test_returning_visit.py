"""The reference patient's second intake (#18), keyboard only: started from the signed
first one, two carried sections confirmed and the rest edited, then the trend on the
clinician's summary. Prints its key presses beside the first visit's."""

import datetime
import json
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from screening.models import CarryState, ConsentRecord, Intake, Patient
from screening.services import consent, intakes
from tests.browser.test_reference_intake_keys import (
    REFERENCE,
    YES_NO,
    Keyboard,
    enter_present_sections,
    enter_reference_intake,
    start_first_intake,
)
from tests.factories import (
    ClinicFactory,
    MembershipFactory,
    TOTPDeviceFactory,
    UserFactory,
    published_consent,
)
from tests.services.test_reviews import fresh, signed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
FIRST_VISIT = datetime.date(2026, 9, 1)
# Better at the second visit: PHQ-9 19 -> 11 and GAD-7 12 -> 6.
PHQ9 = [2, 2, 1, 1, 1, 2, 1, 1, 0]
GAD7 = [1, 1, 1, 1, 0, 1, 1]
NO_SUICIDALITY = {
    "q1": False,
    "q2": False,
    "q3": None,
    "q4": None,
    "q5": None,
    "q6": False,
    "q6_within_3_months": None,
}


def tab_back_to(k: Keyboard, text: str) -> None:
    """Shift+Tab to a button above the focus."""
    for _ in range(20):
        now = k.active()
        if now["link"] and text in now["text"]:
            return
        k.press("Shift+Tab")
    raise AssertionError(f"never reached {text}")


def confirm_carried(k: Keyboard) -> None:
    """Nothing is unanswered, so the focus is on the heading: the carried notice and
    its confirm button come next."""
    k.activate("Confirm unchanged and continue")


def mark_the_rest_no(k: Keyboard) -> None:
    """From the first unanswered question back to "mark the rest No" (on a carried
    checklist the first unanswered one may come after carried answers)."""
    tab_back_to(k, "Mark every question not answered yet")
    k.press("Enter")


def enter_second_visit(k: Keyboard, ref: dict) -> None:
    enter_present_sections(k, ref)  # never carried: the present

    # The histories are carried, less the items asked at every visit: answered
    # afresh ("mark the rest No"), so saved edited.
    for _ in ("medical_history", "psychiatric_history"):
        mark_the_rest_no(k)
        k.save_and_continue()

    confirm_carried(k)  # allergies: confirmed unchanged
    confirm_carried(k)  # medications: confirmed unchanged

    # Trials: their numbers carried; whether each was in this episode asked again.
    for n, trial in enumerate(ref["antidepressant_trials"]):
        k.choose(f"rows-{n}-current_episode", YES_NO[trial["current_episode"]])
    k.save_and_continue()

    s = ref["substance_use"]  # the disorders carried; the scales asked again
    k.choose("dissociative_misuse_lifetime", YES_NO[s["dissociative_misuse_lifetime"]])
    k.choose("audit_given", "yes")
    for q in ("q1", "q2", "q3"):
        k.choose(f"audit_{q}", str(s["audit_c"][q]))
    k.choose("dast_given", "yes")
    for n, answer in enumerate(s["dast10_answers"], start=1):
        k.choose(f"dast_{n}", YES_NO[answer])
    k.choose("nmu_asked", "none")
    k.save_and_continue()

    for scale, scores in (("phq9", PHQ9), ("gad7", GAD7)):
        k.choose(f"{scale}_given", "yes")
        for n, score in enumerate(scores, start=1):
            k.choose(f"{scale}_{n}", str(score))
    k.submit("Save symptom scales")
    k.activate("Mark ready for review")


def first_visit(page, live_server, staff) -> tuple[Keyboard, Patient]:
    """The first visit exactly as the #16 test enters it."""
    page.goto(live_server.url + reverse("screening:patient-create"))
    k = Keyboard(page)
    start_first_intake(k)
    enter_reference_intake(k, json.loads(REFERENCE.read_text()))
    k.close()
    return k, Patient.objects.get(mrn="UX-0045")


def test_a_returning_patient_starts_from_the_last_intake(
    page, browser, live_server, login
):
    ref = json.loads(REFERENCE.read_text())
    clinic = ClinicFactory(name="Riverside", slug="riverside")
    staff = UserFactory(username="front-desk")
    MembershipFactory(user=staff, clinic=clinic, role="intake_staff")
    clinician = UserFactory(username="dr-okafor")
    MembershipFactory(user=clinician, clinic=clinic, role="clinician")
    device = TOTPDeviceFactory(user=clinician)
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, staff)

    first, patient = first_visit(page, live_server, staff)
    earlier = Intake.objects.get(patient=patient)
    # The first visit was months ago: the clinician recorded the C-SSRS (PHQ-9 item
    # 9 asked for it) and signed.
    intakes.do_set_intake_date(
        earlier, intake_on=FIRST_VISIT, version=earlier.version, by=staff
    )
    scales = earlier.sections.get(kind="scales")
    intakes.do_save_section(
        scales,
        {**scales.data, "cssrs_screener": NO_SUICIDALITY},
        missing_reasons=scales.missing_reasons,
        version=scales.version,
        by=clinician,
    )
    consent.do_record_consent(
        earlier,
        document=published_consent(clinic),
        method=ConsentRecord.Method.PAPER_SCANNED,
        consented_at=timezone.now(),
        by=staff,
    )
    signed(fresh(earlier), clinician)

    page.goto(live_server.url + reverse("screening:patient-detail", args=[patient.pk]))
    k = Keyboard(page)
    k.tab_to("primary_indication")
    k.press(" ")  # major depressive disorder; "start from" the last intake is preset
    k.submit("Start the intake")
    k.activate("Demographics")
    enter_second_visit(k, ref)

    second = Intake.objects.exclude(pk=earlier.pk).get(patient=patient)
    print(  # noqa: T201 (the issue asks for these lines, seen with -s)
        f"reference intake (first visit): {first.keys} key presses, "
        f"{first.characters} typed characters, {first.loads} page loads\n"
        f"reference intake (returning visit): {k.keys} key presses, "
        f"{k.characters} typed characters, {k.loads} page loads"
    )
    states = dict(
        second.sections.exclude(carry_state="").values_list("kind", "carry_state")
    )
    assert states == {
        "medical_history": CarryState.EDITED,
        "psychiatric_history": CarryState.EDITED,
        "allergies": CarryState.CONFIRMED,
        "medications": CarryState.CONFIRMED,
        "antidepressant_trials": CarryState.EDITED,
        "substance_use": CarryState.EDITED,
    }
    assert fresh(second).status == Intake.Status.READY_FOR_REVIEW
    trials = second.sections.get(kind="antidepressant_trials").data
    assert [t["weeks_at_dose"] for t in trials] == [
        t["weeks_at_dose"] for t in ref["antidepressant_trials"]
    ]
    # The carried history is not typed again; the Tabs between questions are #16's.
    assert k.characters < first.characters / 2
    assert k.keys < first.keys

    # The clinician sees how the patient is moving.
    context = browser.new_context()
    reviewer = context.new_page()
    login(reviewer, clinician, device)
    reviewer.goto(
        live_server.url + reverse("screening:review-summary", args=[second.pk])
    )
    trend = reviewer.locator('[data-trend="phq9"]')
    assert "PHQ-9 19 \u2192 11, \u22128, from moderately severe to moderate" in (
        trend.locator("figcaption").inner_text()
    )
    assert trend.locator("svg circle").count() == 2
    for width in (1280, 768, 390):
        reviewer.set_viewport_size({"width": width, "height": 900})
        reviewer.locator("#trends-heading").evaluate(
            "heading => heading.scrollIntoView({block: 'start'})"
        )
        box = trend.locator("svg").bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= width
        reviewer.screenshot(path=str(SCREENSHOTS / f"summary-trend-{width}.png"))
    context.close()
