"""Field lists of the intake/1 document (intake-format.md sections 2.3, 3.5, 3.6)."""

from collections.abc import Mapping
from typing import Any, Final

FORMAT: Final = "intake/1"

# Section keys in schema order (intake-format.md section 3.0), without format, patient
# and intake_date.
SECTIONS: Final = (
    "demographics",
    "indication",
    "vitals",
    "medical_history",
    "psychiatric_history",
    "allergies",
    "medications",
    "antidepressant_trials",
    "substance_use",
    "scales",
)

# The 21 medical checklist items (section 3.5) with the value that
# `checklist_default: "all_false"` gives an unlisted item (section 2.3).
MEDICAL_ITEMS: Final[dict[str, Any]] = {
    "aneurysmal_vascular_disease": False,
    "arteriovenous_malformation": False,
    "intracerebral_hemorrhage": False,
    "hypersensitivity_ketamine_esketamine": False,
    "mi_or_acs_date": False,
    "revascularization_date": False,
    "ischemic_stroke_or_tia": False,
    "heart_failure_nyha_class": 0,
    "significant_valvular_disease": False,
    "uncontrolled_arrhythmia": False,
    "hypertensive_encephalopathy_history": False,
    "pulmonary_hypertension": False,
    "raised_intracranial_pressure_current": False,
    "traumatic_brain_injury_history": False,
    "glaucoma_untreated_or_raised_iop": False,
    "seizure_disorder": False,
    "hyperthyroidism_untreated": False,
    "hepatic_impairment_child_pugh": "none",
    "interstitial_or_ulcerative_cystitis": False,
    "sleep_apnea": False,
    "copd_or_pulmonary_insufficiency": False,
}

# The 5 psychiatric checklist items (section 3.6) and their "all_false" values.
PSYCHIATRIC_ITEMS: Final[dict[str, Any]] = {
    "psychotic_disorder_lifetime": False,
    "psychotic_symptoms_current": False,
    "bipolar_or_mania_history": False,
    "dissociative_disorder": False,
    "severe_personality_disorder": False,
}

CHECKLIST_ITEMS: Final = {
    "medical_history": MEDICAL_ITEMS,
    "psychiatric_history": PSYCHIATRIC_ITEMS,
}

MISSING_REASONS: Final = ("declined", "unknown", "not_asked")

ALL_FALSE: Final = "all_false"


def checklist_answers(block_name: str, block: Mapping[str, Any]) -> dict[str, Any]:
    """Every checklist item of a history block, as the rules read it (section 2.3).

    A listed item keeps its value, an explicit null included. An unlisted item is its
    "no" value under `checklist_default: "all_false"`, and null otherwise.
    """
    items = CHECKLIST_ITEMS[block_name]
    all_false = block.get("checklist_default") == ALL_FALSE
    return {
        item: block.get(item, no if all_false else None) for item, no in items.items()
    }
