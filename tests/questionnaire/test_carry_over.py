"""What the next intake starts from (#18), read from the declaration."""

import copy
import json
import re
from pathlib import Path

import pytest

from screening.questionnaire import carry_over, question, section
from tests.services.review_documents import REALISTIC

ROOT = Path(__file__).resolve().parents[2]
# Rule book §5.9, DATA-MISSING-CI-CHECKLIST: the items that feed absolute rules.
CI_CHECKLIST = {
    "medical_history.aneurysmal_vascular_disease",
    "medical_history.arteriovenous_malformation",
    "medical_history.intracerebral_hemorrhage",
    "medical_history.hypersensitivity_ketamine_esketamine",
    "medical_history.raised_intracranial_pressure_current",
    "medical_history.mi_or_acs_date",
    "medical_history.revascularization_date",
}


def test_it_carries_only_the_stable_history_sections():
    assert [s.name for s in carry_over.carried_sections()] == [
        "medical_history",
        "psychiatric_history",
        "allergies",
        "medications",
        "antidepressant_trials",
        "substance_use",
    ]
    for name in ("demographics", "indication", "vitals", "scales"):
        assert not carry_over.is_carried(name)


def test_it_asks_the_seven_absolute_rule_items_afresh():
    items = section("medical_history").questions
    marked = {q.path for q in items if q.asked_afresh}
    assert marked == CI_CHECKLIST


def test_the_seven_items_are_those_the_default_ruleset_reads():
    rules = json.loads((ROOT / "fixtures/default_ruleset.json").read_text())
    text = json.dumps(rules)
    (expression,) = re.findall(
        r'"code": "DATA-MISSING-CI-CHECKLIST".*?"expression": "([^"]*)"', text
    )
    assert set(re.findall(r"is_null\(([\w.]+)\)", expression)) == CI_CHECKLIST


@pytest.mark.parametrize(
    "path",
    [
        "medical_history.uncontrolled_arrhythmia",
        "medical_history.glaucoma_untreated_or_raised_iop",
        "medical_history.hyperthyroidism_untreated",
        "medical_history.raised_intracranial_pressure_current",
        "psychiatric_history.psychotic_symptoms_current",
        "medical_history.uncontrolled_arrhythmia_detail",
    ],
)
def test_it_asks_what_describes_the_present_afresh(path):
    declared = question(path)
    within = section(path.split(".")[0]).questions
    assert carry_over.is_asked_afresh(declared, within)


def test_it_carries_the_medical_history_but_never_the_absolute_rule_items():
    value = {
        **copy.deepcopy(REALISTIC["medical_history"]),
        "aneurysmal_vascular_disease": True,
        "aneurysmal_vascular_disease_detail": "aortic, 4 cm",
        "uncontrolled_arrhythmia": True,
    }
    carried = carry_over.carry("medical_history", value)
    assert carried["sleep_apnea"] is True
    assert carried["other_conditions"] == ["hypothyroidism, treated, euthyroid"]
    # Unlisted under checklist_default "all_false": carried as the no it meant.
    assert carried["seizure_disorder"] is False
    assert carried["heart_failure_nyha_class"] == 0
    for gone in (
        "mi_or_acs_date",
        "aneurysmal_vascular_disease",
        "aneurysmal_vascular_disease_detail",
        "uncontrolled_arrhythmia",
        "revascularization_date",
    ):
        assert carried.get(gone) is None, gone
    assert "checklist_default" not in carried


def test_it_carries_trials_with_their_numbers_but_asks_episode_and_ongoing_again():
    trials = copy.deepcopy(REALISTIC["antidepressant_trials"])
    carried = carry_over.carry("antidepressant_trials", trials)
    assert [t["drug"] for t in carried] == [t["drug"] for t in trials]
    for before, after in zip(trials, carried, strict=True):
        for key in ("daily_dose_mg", "weeks_at_dose", "adherence_pct", "outcome"):
            assert after[key] == before[key]
        assert after["current_episode"] is None
        assert after["ongoing"] is False
    assert carried[3]["stopped_reason"] == "nausea"


def test_it_carries_substance_use_disorders_only():
    value = copy.deepcopy(REALISTIC["substance_use"])
    value["substance_use_disorders"] = [
        {
            "substance": "alcohol",
            "status": "sustained_remission",
            "last_met_criteria": "2019-05-01",
        }
    ]
    carried = carry_over.carry("substance_use", value)
    assert carried["substance_use_disorders"] == value["substance_use_disorders"]
    for asked_again in ("audit_c", "dast10_answers", "non_medical_use"):
        assert carried[asked_again] is None
    assert carried["dissociative_misuse_lifetime"] is None


def test_it_keeps_a_list_not_asked_as_not_asked():
    assert carry_over.carry("allergies", None) is None
    assert carry_over.carry("medications", []) == []


def test_it_names_the_questions_asked_again_for_the_banner():
    assert carry_over.afresh_labels("antidepressant_trials") == [
        "Trial: given in the current episode",
        "Trial: still taking it",
    ]
    assert carry_over.afresh_labels("allergies") == []
