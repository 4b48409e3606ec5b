"""intake/1 documents for the review tests: a realistic intake and its variants.

A 52-year-old woman with recurrent depression: raised blood pressure, sleep apnoea with
a BMI over 35, a myocardial infarction eight months ago, a benzodiazepine and
lamotrigine, four antidepressant trials (one drug outside the dose table, one stopped
early), a positive PHQ-9 item 9 and a personality-disorder question she declined.
"""

import copy
from typing import Any

REALISTIC: dict[str, Any] = {
    "format": "intake/1",
    "intake_date": "2026-09-15",
    "demographics": {
        "age": 52,
        "sex_for_scoring": "female",
        "reproductive_potential": False,
        "pregnancy_status": "not_applicable",
        "breastfeeding": False,
    },
    "indication": {
        "primary": "major_depressive_disorder",
        "episode": "recurrent",
        "current_episode_start": "2025-06-01",
        "episode_severity_clinician": "severe_without_psychosis",
        "augmentation_used": True,
        "ect_used": False,
    },
    "vitals": {"bp_systolic": 152, "bp_diastolic": 94, "heart_rate": 88, "bmi": 36.2},
    "medical_history": {
        "checklist_default": "all_false",
        "sleep_apnea": True,
        "mi_or_acs_date": "2026-01-10",
        "other_conditions": ["hypothyroidism, treated, euthyroid"],
    },
    "psychiatric_history": {
        "checklist_default": "all_false",
        "severe_personality_disorder": None,
    },
    "allergies": [{"substance": "penicillin", "reaction": "rash"}],
    "medications": [
        {"name": "sertraline", "class": "ssri", "daily_dose_mg": 150},
        {"name": "lorazepam", "class": "benzodiazepine", "daily_dose_mg": 2},
        {"name": "lamotrigine", "class": "lamotrigine", "daily_dose_mg": 200},
        {"name": "levothyroxine", "class": "other", "daily_dose_mg": 0.075},
    ],
    "antidepressant_trials": [
        {
            "drug": "escitalopram",
            "daily_dose_mg": 20,
            "weeks_at_dose": 8,
            "adherence_pct": 90,
            "outcome": "nonresponse",
            "current_episode": True,
        },
        {
            "drug": "sertraline",
            "daily_dose_mg": 150,
            "weeks_at_dose": 10,
            "adherence_pct": 85,
            "outcome": "partial_response",
            "improvement_pct": 30,
            "current_episode": True,
            "ongoing": True,
        },
        {
            "drug": "bupropion",
            "daily_dose_mg": 300,
            "weeks_at_dose": 6,
            "adherence_pct": 90,
            "outcome": "nonresponse",
            "current_episode": True,
        },
        {
            "drug": "Citalopram",
            "daily_dose_mg": 10,
            "weeks_at_dose": 3,
            "adherence_pct": 100,
            "outcome": "intolerance",
            "current_episode": False,
            "stopped_reason": "nausea",
        },
    ],
    "substance_use": {
        "audit_c": {"q1": 2, "q2": 1, "q3": 1},
        "dast10_answers": [
            False,
            False,
            True,
            False,
            False,
            False,
            False,
            False,
            False,
            False,
        ],
        "substance_use_disorders": [],
        "non_medical_use": [],
        "dissociative_misuse_lifetime": False,
    },
    "scales": {
        "phq9": [3, 3, 2, 2, 1, 2, 2, 1, 1],
        "gad7": [2, 2, 1, 1, 1, 1, 1],
        "cssrs_screener": {
            "q1": True,
            "q2": False,
            "q3": None,
            "q4": None,
            "q5": None,
            "q6": False,
            "q6_within_3_months": None,
        },
    },
    "missing_reasons": {"psychiatric_history.severe_personality_disorder": "declined"},
}


def realistic(**changes: Any) -> dict[str, Any]:
    """A deep copy of REALISTIC with whole sections replaced."""
    document = copy.deepcopy(REALISTIC)
    document.update(copy.deepcopy(changes))
    return document


def with_aneurysm() -> dict[str, Any]:
    """REALISTIC plus an aortic aneurysm: an absolute contraindication."""
    document = realistic()
    document["medical_history"]["aneurysmal_vascular_disease"] = True
    return document


def with_high_suicide_risk() -> dict[str, Any]:
    """REALISTIC with C-SSRS intent: PSY-SUICIDE-HIGH, the urgent flag."""
    document = realistic()
    document["scales"]["cssrs_screener"] = {
        "q1": True,
        "q2": True,
        "q3": True,
        "q4": True,
        "q5": False,
        "q6": False,
        "q6_within_3_months": None,
    }
    return document
