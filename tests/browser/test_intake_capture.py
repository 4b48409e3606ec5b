"""Intake staff record a whole intake with the keyboard only; a clinician adds the
clinician-entered screener. Chromium (Debian's), the live server, the production CSP."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.factories import (
    ClinicFactory,
    MembershipFactory,
    TOTPDeviceFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = Path(settings.BASE_DIR) / "docs" / "screenshots" / "intake-overview.png"


def watch_console(page: Page) -> list[str]:
    """Console errors, and every CSP violation reported as one."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('CSP violation: ' + e.violatedDirective));"
    )
    return errors


# Keyboard only: a field is reached with locator.press / Tab, never clicked.


def press(page: Page, selector: str, key: str) -> None:
    page.locator(selector).press(key)


def choose(page: Page, name: str, value: str) -> None:
    """Select a radio option: focus it and press Space, as a keyboard user does."""
    press(page, f'input[type="radio"][name="{name}"][value="{value}"]', " ")
    expect(
        page.locator(f'input[type="radio"][name="{name}"][value="{value}"]')
    ).to_be_checked()


def type_text(page: Page, name: str, text: str) -> None:
    field = page.locator(f'[name="{name}"]')
    field.press("Control+a")
    field.press("Delete")
    field.press_sequentially(text)


def pick(page: Page, name: str, label: str, value: str) -> None:
    """Choose in a closed <select> by typing the start of the option's label."""
    select = page.locator(f'select[name="{name}"]')
    select.press_sequentially(label)
    expect(select).to_have_value(value)


def follow(page: Page, name: str) -> None:
    """Open a link with Enter."""
    with page.expect_navigation():
        page.get_by_role("link", name=name).press("Enter")


def save(page: Page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).press("Enter")


def section_status(page: Page, slug: str) -> str:
    return page.locator(
        f'[data-section-row="{slug}"] [data-section-status]'
    ).inner_text()


def create_patient_and_start_intake(page: Page, live_server) -> None:
    page.goto(live_server.url + "/")
    follow(page, "Patients")
    follow(page, "New patient")
    # The MRN field has the focus; Tab walks the form in reading order.
    expect(page.locator("#id_mrn")).to_be_focused()
    page.keyboard.type("KB-2041")
    page.keyboard.press("Tab")
    page.keyboard.type("Keyes")
    page.keyboard.press("Tab")
    page.keyboard.type("Robin")
    page.keyboard.press("Tab")
    page.keyboard.type("1981-06-30")
    page.keyboard.press("Tab")
    # Tab enters the radio group on its checked option, "Not recorded" (the last);
    # the arrow keys move within the group and wrap round to "Female".
    expect(page.locator("#id_sex_for_scoring_2")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_sex_for_scoring_0")).to_be_checked()
    save(page, "Create patient")
    expect(page.get_by_role("heading", name="Keyes, Robin")).to_be_visible()

    # A new patient's page puts the focus on the primary indication's group, never on
    # an option or a field (issue #16); the date is today already. Its first letter
    # chooses an answer, and the focus stays in the group.
    indication = page.locator("#div_id_primary_indication fieldset")
    expect(indication).to_be_focused()
    page.keyboard.press("ArrowDown")  # on the group, not an option: changes nothing
    expect(page.locator("[name=primary_indication]:checked")).to_have_count(0)
    page.keyboard.press("p")
    expect(page.locator("#id_primary_indication_2")).to_be_checked()  # PTSD
    expect(page.locator("#id_primary_indication_2")).to_be_focused()
    page.keyboard.press("m")
    expect(page.locator("#id_primary_indication_0")).to_be_checked()  # MDD
    save(page, "Start the intake")
    expect(page.get_by_role("heading", name="Intake of")).to_be_visible()


def fill_demographics(page: Page) -> None:
    follow(page, "demographics and reproductive status")
    expect(page.locator('[name="age"]')).to_have_value("45")  # from the date of birth
    choose(page, "reproductive_potential", "yes")
    choose(page, "pregnancy_status", "not_pregnant")
    type_text(page, "pregnancy_status_basis", "urine hCG negative today")
    choose(page, "breastfeeding", "no")
    # Branching: without reproductive potential the pregnancy question is not asked.
    choose(page, "reproductive_potential", "no")
    expect(page.locator('[name="pregnancy_status"]').first).to_be_hidden()
    save(page, "Save demographics and reproductive status")


def fill_indication(page: Page) -> None:
    follow(page, "indication and current episode")
    choose(page, "episode", "recurrent")
    type_text(page, "current_episode_start", "2026-03-01")
    choose(page, "episode_severity_clinician", "moderate")
    choose(page, "augmentation_used", "yes")
    choose(page, "ect_used", "no")
    expect(page.locator('[name="index_trauma_year"]')).to_be_hidden()  # PTSD only
    save(page, "Save indication and current episode")


def fill_vitals_with_one_mistake(page: Page) -> None:
    follow(page, "vital signs")
    expect(page.locator('[name="bp_systolic"]')).to_be_focused()
    page.keyboard.type("128")
    page.keyboard.press("Tab")  # the "why not answered" select hides once answered
    expect(page.locator('[name="bp_diastolic"]')).to_be_focused()
    page.keyboard.type("138")  # diastolic above systolic: a typing slip
    page.keyboard.press("Tab")
    page.keyboard.type("74")
    page.keyboard.press("Tab")
    page.keyboard.type("26.4")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter saves and continues

    error = page.locator("#id_bp_diastolic_error")
    expect(error).to_contain_text("Diastolic pressure must be lower than systolic")
    expect(page.locator('[name="bp_systolic"]')).to_have_value("128")
    expect(page.locator('[name="bmi"]')).to_have_value("26.4")
    # The error summary has the focus; its link takes the user to the field to fix.
    expect(page.locator("[data-error-summary]")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator('[name="bp_diastolic"]')).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type("82")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Vital signs saved.")).to_be_visible()
    # Enter is "Save and continue"; this test goes on from the overview.
    expect(page.get_by_role("heading", name="Medical history")).to_be_visible()
    follow(page, "Back to the intake without saving")


MEDICAL_NO = [
    "aneurysmal_vascular_disease",
    "arteriovenous_malformation",
    "intracerebral_hemorrhage",
    "hypersensitivity_ketamine_esketamine",
    "ischemic_stroke_or_tia",
    "significant_valvular_disease",
    "uncontrolled_arrhythmia",
    "hypertensive_encephalopathy_history",
    "pulmonary_hypertension",
    "raised_intracranial_pressure_current",
    "traumatic_brain_injury_history",
    "glaucoma_untreated_or_raised_iop",
    "seizure_disorder",
    "hyperthyroidism_untreated",
    "interstitial_or_ulcerative_cystitis",
    "copd_or_pulmonary_insufficiency",
]


def fill_medical_history(page: Page) -> None:
    follow(page, "medical history")
    for item in MEDICAL_NO:
        choose(page, item, "no")
    choose(page, "mi_or_acs_date", "never")
    type_text(page, "revascularization_date__on", "2019-04-12")  # picks "Date:"
    expect(
        page.locator('[name="revascularization_date"][value="date"]')
    ).to_be_checked()
    type_text(page, "revascularization_date_detail", "PCI to the LAD, stable since")
    choose(page, "heart_failure_nyha_class", "0")
    choose(page, "hepatic_impairment_child_pugh", "none")
    choose(page, "sleep_apnea", "yes")
    type_text(page, "sleep_apnea_detail", "mild, no CPAP")
    type_text(page, "other_conditions", "hypothyroidism, treated, euthyroid")
    save(page, "Save medical history")


def fill_psychiatric_history(page: Page) -> None:
    follow(page, "psychiatric history")
    for item in (
        "psychotic_disorder_lifetime",
        "psychotic_symptoms_current",
        "bipolar_or_mania_history",
        "dissociative_disorder",
        "severe_personality_disorder",
    ):
        choose(page, item, "no")
    save(page, "Save psychiatric history")


def fill_allergies(page: Page) -> None:
    follow(page, "allergies")
    choose(page, "asked", "rows")
    type_text(page, "rows-0-substance", "penicillin")
    type_text(page, "rows-0-reaction", "rash")
    # Another row without losing what was typed (this works without JavaScript too).
    with page.expect_navigation():
        page.get_by_role("button", name="Add another row").press("Enter")
    expect(page.locator('[name="rows-0-substance"]')).to_have_value("penicillin")
    expect(page.locator('[name="rows-1-substance"]')).to_be_focused()
    page.keyboard.type("latex")
    save(page, "Save allergies")


def fill_medications(page: Page) -> None:
    follow(page, "current medications")
    choose(page, "asked", "rows")
    type_text(page, "rows-0-name", "sertraline")
    pick(page, "rows-0-drug_class", "SSRI", "ssri")
    type_text(page, "rows-0-daily_dose_mg", "150")
    save(page, "Save current medications")


def fill_trials(page: Page) -> None:
    follow(page, "antidepressant trials")
    choose(page, "asked", "rows")
    type_text(page, "rows-0-drug", "escitalopram")
    type_text(page, "rows-0-daily_dose_mg", "20")
    type_text(page, "rows-0-weeks_at_dose", "8")
    type_text(page, "rows-0-adherence_pct", "90")
    type_text(page, "rows-0-improvement_pct", "15")
    choose(page, "rows-0-outcome", "nonresponse")
    choose(page, "rows-0-current_episode", "yes")
    choose(page, "rows-0-target", "depression")
    choose(page, "rows-0-ongoing", "no")
    type_text(page, "rows-0-stopped_reason", "no benefit after 8 weeks")
    # The dose-adequacy override is the clinician's (issue #16): not on staff's page.
    expect(page.locator('[name="rows-0-dose_adequate_override"]')).to_have_count(0)
    save(page, "Save antidepressant trials")


def fill_substance_use(page: Page) -> None:
    follow(page, "substance use")
    choose(page, "audit_q1", "1")
    choose(page, "audit_q2", "0")
    choose(page, "audit_q3", "0")
    for n in range(1, 11):
        choose(page, f"dast_{n}", "yes" if n == 3 else "no")
    choose(page, "sud_asked", "none")
    choose(page, "nmu_asked", "none")
    choose(page, "dissociative_misuse_lifetime", "no")
    save(page, "Save substance use")


def fill_scales(page: Page) -> None:
    follow(page, "symptom scales")
    for n, score in enumerate([2, 2, 1, 2, 1, 1, 1, 1, 0], start=1):
        choose(page, f"phq9_{n}", str(score))
    choose(page, "gad7_given", "yes")
    for n in range(1, 8):
        choose(page, f"gad7_{n}", "1")
    save(page, "Save symptom scales")


def fill_clinician_entered(page: Page) -> None:
    follow(page, "clinician-entered C-SSRS screener and MADRS total")
    expect(page.get_by_text("Clinician-entered C-SSRS screener").first).to_be_visible()
    choose(page, "cssrs_q1", "no")
    choose(page, "cssrs_q2", "no")
    expect(page.locator('[name="cssrs_q3"]').first).to_be_hidden()  # asked after a yes
    choose(page, "cssrs_q6", "no")
    type_text(page, "madrs_total", "24")
    save(page, "Save clinician-entered C-SSRS screener and MADRS total")


def test_intake_staff_record_a_whole_intake_with_the_keyboard(page, live_server, login):
    clinic = ClinicFactory(name="Riverside", slug="riverside")
    staff = UserFactory(username="front-desk")
    MembershipFactory(user=staff, clinic=clinic, role="intake_staff")
    doctor = UserFactory(username="dr-osei", first_name="Ama", last_name="Osei")
    MembershipFactory(user=doctor, clinic=clinic, role="clinician")
    device = TOTPDeviceFactory(user=doctor)
    page.set_viewport_size({"width": 1280, "height": 900})
    errors = watch_console(page)

    login(page, staff)
    create_patient_and_start_intake(page, live_server)
    overview = page.url.split("?")[0]
    for fill in (
        fill_demographics,
        fill_indication,
        fill_vitals_with_one_mistake,
        fill_medical_history,
        fill_psychiatric_history,
        fill_allergies,
        fill_medications,
        fill_trials,
        fill_substance_use,
        fill_scales,
    ):
        fill(page)
        assert page.url.split("?")[0] == overview, fill.__name__
    assert section_status(page, "clinician-entered") == "Not started"

    page.context.clear_cookies()
    login(page, doctor, device)
    page.goto(overview)
    fill_clinician_entered(page)

    statuses = {
        slug: section_status(page, slug)
        for slug in page.locator("[data-section-row]").evaluate_all(
            "rows => rows.map(row => row.dataset.sectionRow)"
        )
    }
    assert set(statuses.values()) == {"Complete"}, statuses
    assert len(statuses) == 11
    expect(page.locator("[data-outcome]")).to_be_visible()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert errors == []
