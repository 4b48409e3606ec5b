"""Rules, settings, sources and derived values in words (issue #15, finding 4)."""

import copy
import json
from decimal import Decimal

import pytest

from screening import rule_text
from screening.engine import ruleset_from_dict, screen_document
from screening.engine.rulesets import DEFAULT_RULESET_PATH
from screening.services import rule_locks
from tests.services.review_documents import REALISTIC


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("diazepam_equivalents", {"lorazepam": 1}, "Lorazepam 1 mg = diazepam 10 mg"),
        (
            "diazepam_equivalents",
            {"clonazepam": 0.5, "alprazolam": "0.5"},
            "Clonazepam 0.5 mg = diazepam 10 mg; Alprazolam 0.5 mg = diazepam 10 mg",
        ),
        ("trd_failure_threshold", "lt50", "TRD failure: less than 50 % improvement"),
        (
            "trd_failure_threshold",
            "le25",
            "TRD failure: 25 % improvement or less (improvement recorded)",
        ),
        (
            "trd_min_weeks_at_dose",
            6,
            "Adequate trial: at least 6 weeks at the minimum dose",
        ),
        ("trd_min_adherence_pct", 80, "Adequate trial: adherence at least 80 %"),
        (
            "min_dose_table",
            {"citalopram": 20, "venlafaxine XR": 75},
            "Minimum adequate dose: citalopram 20 mg/day; venlafaxine XR 75 mg/day",
        ),
        ("bp_guide_age_banded", False, "BP guide: US at every age (above 140/90)"),
        (
            "bp_guide_age_banded",
            True,
            "BP guide: EU from age 65 (above 150/90), US below (above 140/90)",
        ),
        (
            "recent_cv_event_absolute",
            True,
            "MI/ACS or revascularisation within 6 weeks: "
            "absolute contraindication (EU)",
        ),
        (
            "severity_raised_to_absolute",
            ["REPRO-PREGNANT", "PSY-PSYCHOSIS"],
            "Raised to absolute by the clinic: pregnancy, psychosis",
        ),
    ],
)
def test_it_puts_a_setting_in_words(name, value, words):
    assert rule_text.setting_words(name, value) == words


@pytest.mark.parametrize(
    ("source", "line"),
    [
        (
            {
                "title": "Bush K et al. (1998); Bradley KA et al. (2003)",
                "year": "1998/2003",
                "section": "cut-offs",
            },
            "Bush K et al. (1998); Bradley KA et al. (2003), cut-offs",
        ),
        (
            {
                "title": "SPRAVATO (esketamine) nasal spray, US Prescribing "
                "Information, Janssen (current SPL 2026)",
                "year": "2019",
                "section": "§5.6",
            },
            "SPRAVATO (esketamine) nasal spray, US Prescribing Information, "
            "Janssen (current SPL 2026), §5.6",
        ),
        (
            {"title": "Skinner HA. The Drug Abuse Screening Test", "year": "1982"},
            "Skinner HA. The Drug Abuse Screening Test (1982)",
        ),
        (
            {"title": "Ketalar US label, Par", "year": "current", "section": "§6"},
            "Ketalar US label, Par (current), §6",
        ),
    ],
)
def test_it_cites_a_source_without_repeating_its_year(source, line):
    assert rule_text.source_line(source) == line


@pytest.mark.parametrize(
    ("history", "reason"),
    [
        ({"mi_or_acs_date": False}, "no MI or ACS recorded"),
        ({"checklist_default": "all_false"}, "no MI or ACS recorded"),
        ({"mi_or_acs_date": None}, "MI/ACS not answered"),
        ({}, "MI/ACS not answered"),
    ],
)
def test_it_says_why_days_since_mi_is_not_computable(history, reason):
    document = {"medical_history": history}

    assert rule_text.not_computable_reason("days_since_mi", {}, document) == reason


@pytest.mark.parametrize(
    ("name", "derived", "document", "reason"),
    [
        (
            "days_since_revascularization",
            {},
            {"medical_history": {"revascularization_date": False}},
            "no revascularisation recorded",
        ),
        (
            "diazepam_equivalent_mg_per_day",
            {},
            {"medications": None},
            "medications not recorded",
        ),
        (
            "diazepam_equivalent_mg_per_day",
            {},
            {"medications": [{"name": "bromazepam", "class": "benzodiazepine"}]},
            "a benzodiazepine's dose is missing or its name is not in the table",
        ),
        ("cssrs_risk", {}, {"scales": {}}, "C-SSRS screener not recorded"),
        (
            "cssrs_risk",
            {},
            {"scales": {"cssrs_screener": {"q1": None}}},
            "C-SSRS screener incomplete: a required answer is missing",
        ),
        (
            "trd_met",
            {"trd_rule_applicable": False},
            {"antidepressant_trials": []},
            "does not apply: the indication is not major depressive disorder",
        ),
        (
            "trd_met",
            {"trd_rule_applicable": True},
            {"antidepressant_trials": None},
            "antidepressant trials not recorded",
        ),
        (
            "months_since_sud_criteria_last_met",
            {},
            {"substance_use": {"substance_use_disorders": []}},
            "no dated substance use disorder recorded (tobacco aside)",
        ),
    ],
)
def test_it_says_why_a_derived_value_is_not_computable(name, derived, document, reason):
    assert rule_text.not_computable_reason(name, derived, document) == reason


@pytest.mark.parametrize(
    ("line", "numbers"),
    [
        ("BP above 140/90 (150/90 from age 65 under the EU guide)", {140, 90, 150, 65}),
        ("PHQ-9 item 9 scored 1 or more", {1}),
        ("DAST-10 total 1 to 2", {1, 2}),
        ("C-SSRS q6 within 3 months", {3}),
        ("See the rule book §5.9", set()),
        ("Above 2.5 mg", {Decimal("2.5")}),
    ],
)
def test_it_reads_the_threshold_numbers_of_a_line(line, numbers):
    assert rule_text.numbers_in_line(line) == {Decimal(n) for n in numbers}


@pytest.mark.parametrize(
    ("expression", "numbers"),
    [
        ("scales.phq9[8] >= 1", {1}),
        ("dast10_total >= 1 and dast10_total <= 2", {1, 2}),
        ('medical_history.hepatic_impairment_child_pugh == "C"', set()),
        ("medical_history.heart_failure_nyha_class in [3, 4]", {3, 4}),
        ("within_days(medical_history.mi_or_acs_date, 42)", {42}),
    ],
)
def test_it_reads_the_numbers_of_a_condition(expression, numbers):
    assert rule_text.numbers_in_condition(expression) == {Decimal(n) for n in numbers}


@pytest.mark.parametrize("code", sorted(rule_locks.baseline_rules()))
def test_it_ships_threshold_lines_that_pass_the_publish_gate(code):
    line = rule_locks.baseline_rules()[code]["threshold_text"]

    assert rule_locks.threshold_line_problem(code, line) is None


def bp_evidence(*, banded: bool, age: int, systolic: int, diastolic: int):
    document = copy.deepcopy(REALISTIC)
    document["demographics"]["age"] = age
    document["vitals"].update(bp_systolic=systolic, bp_diastolic=diastolic)
    data = json.loads(DEFAULT_RULESET_PATH.read_text(encoding="utf-8"))
    data["settings"]["bp_guide_age_banded"] = banded
    ruleset = ruleset_from_dict(data)
    flag = next(
        flag
        for flag in screen_document(document, ruleset)["flags"]
        if flag["code"] == "CV-BP-ELEVATED"
    )
    return ruleset, flag["evidence"], document["intake_date"]


@pytest.mark.parametrize(
    ("banded", "age", "systolic", "diastolic", "left_off"),
    [
        # US guide: a 45-year-old's age does not decide 150/95 (issue #15's example).
        (False, 45, 150, 95, {"demographics.age"}),
        # EU guide on: under 65, so 140/90 applies; the age decides and stays.
        (True, 45, 145, 85, set()),
        (True, 70, 155, 85, set()),
        (False, 70, 145, 85, set()),
    ],
)
def test_it_leaves_off_only_answers_that_did_not_decide_a_flag(
    banded, age, systolic, diastolic, left_off
):
    ruleset, evidence, intake_date = bp_evidence(
        banded=banded, age=age, systolic=systolic, diastolic=diastolic
    )

    found = rule_text.undeciding_answers(
        ruleset, "CV-BP-ELEVATED", evidence, intake_date
    )

    assert found == left_off
    assert "vitals.bp_systolic" in set(evidence["answers"]) - found


def test_it_leaves_off_c_ssrs_questions_skipped_after_a_no():
    screener = "scales.cssrs_screener."
    answers = {
        screener + "q1": True,
        screener + "q2": False,
        screener + "q3": None,
        screener + "q4": None,
        screener + "q5": None,
        screener + "q6": True,
        screener + "q6_within_3_months": None,
    }

    assert rule_text.not_asked_answers(answers) == {
        screener + "q3",
        screener + "q4",
        screener + "q5",
    }
