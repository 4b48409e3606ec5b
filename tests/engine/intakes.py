"""A complete intake/1 document that raises only SUIT-TRD-MET, and path-based edits."""

from __future__ import annotations

import copy
import re
from typing import Any

from screening.intake_format.fields import MEDICAL_ITEMS, PSYCHIATRIC_ITEMS

BASE: dict[str, Any] = {
    "format": "intake/1",
    "intake_date": "2026-09-15",
    "demographics": {
        "age": 40,
        "sex_for_scoring": "male",
        "reproductive_potential": False,
        "pregnancy_status": "not_applicable",
        "breastfeeding": False,
    },
    "indication": {
        "primary": "major_depressive_disorder",
        "episode": "recurrent",
        "current_episode_start": "2025-10-01",
        "episode_severity_clinician": "moderate",
        "augmentation_used": False,
        "ect_used": False,
    },
    "vitals": {"bp_systolic": 124, "bp_diastolic": 80, "heart_rate": 70, "bmi": 24},
    "medical_history": dict(MEDICAL_ITEMS),
    "psychiatric_history": dict(PSYCHIATRIC_ITEMS),
    "allergies": [],
    "medications": [{"name": "sertraline", "class": "ssri", "daily_dose_mg": 150}],
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
            "weeks_at_dose": 8,
            "adherence_pct": 90,
            "outcome": "partial_response",
            "current_episode": True,
        },
    ],
    "substance_use": {
        "audit_c": {"q1": 1, "q2": 0, "q3": 0},
        "dast10_answers": [False, False, True] + [False] * 7,
        "substance_use_disorders": [],
        "non_medical_use": [],
        "dissociative_misuse_lifetime": False,
    },
    "scales": {
        "phq9": [2, 2, 2, 2, 1, 1, 1, 1, 0],
        "gad7": [1, 1, 1, 1, 1, 1, 1],
        "madrs_total": 24,
        "cssrs_screener": {
            "q1": False,
            "q2": False,
            "q3": None,
            "q4": None,
            "q5": None,
            "q6": False,
            "q6_within_3_months": None,
        },
    },
}

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _steps(path: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _STEP.findall(path)]


def set_path(doc: dict[str, Any], path: str, value: Any) -> None:
    """Set a value by its rule-book path, e.g. "scales.phq9[8]"."""
    steps = _steps(path)
    target: Any = doc
    for step in steps[:-1]:
        target = target[step]
    target[steps[-1]] = value


def intake(changes: dict[str, Any] | None = None, **sections: Any) -> dict[str, Any]:
    """A deep copy of BASE with sections replaced and then paths set."""
    doc = copy.deepcopy(BASE)
    doc.update(copy.deepcopy(sections))
    for path, value in (changes or {}).items():
        set_path(doc, path, value)
    return doc
