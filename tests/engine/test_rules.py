import pytest

from screening.engine import screen_document
from tests.engine.intakes import intake

MH = "medical_history."
PH = "psychiatric_history."

# (code, answers changed from the complete base intake, expected result)
RULE_TABLE = [
    # §5.1
    ("CI-ANEURYSM", {MH + "aneurysmal_vascular_disease": True}, "fired"),
    ("CI-ANEURYSM", {}, "silent"),
    ("CI-ANEURYSM", {MH + "aneurysmal_vascular_disease": None}, "not_evaluable"),
    ("CI-AVM", {MH + "arteriovenous_malformation": True}, "fired"),
    ("CI-AVM", {}, "silent"),
    ("CI-AVM", {MH + "arteriovenous_malformation": None}, "not_evaluable"),
    ("CI-ICH", {MH + "intracerebral_hemorrhage": True}, "fired"),
    ("CI-ICH", {MH + "intracerebral_hemorrhage": None}, "not_evaluable"),
    (
        "CI-HYPERSENSITIVITY",
        {MH + "hypersensitivity_ketamine_esketamine": True},
        "fired",
    ),
    ("CI-HYPERSENSITIVITY", {"allergies": [{"substance": "ketamine"}]}, "silent"),
    (
        "CI-HYPERSENSITIVITY",
        {MH + "hypersensitivity_ketamine_esketamine": None},
        "not_evaluable",
    ),
    ("CI-RECENT-CV-EVENT", {MH + "mi_or_acs_date": "2026-08-04"}, "fired"),
    ("CI-RECENT-CV-EVENT", {MH + "mi_or_acs_date": "2026-08-03"}, "silent"),
    ("CI-RECENT-CV-EVENT", {MH + "revascularization_date": "2026-09-15"}, "fired"),
    ("CI-RECENT-CV-EVENT", {MH + "mi_or_acs_date": None}, "not_evaluable"),
    ("CI-RAISED-ICP", {MH + "raised_intracranial_pressure_current": True}, "fired"),
    (
        "CI-RAISED-ICP",
        {MH + "raised_intracranial_pressure_current": None},
        "not_evaluable",
    ),
    ("CI-BP-SEVERE", {"vitals.bp_systolic": 181, "vitals.bp_diastolic": 90}, "fired"),
    ("CI-BP-SEVERE", {"vitals.bp_systolic": 180, "vitals.bp_diastolic": 100}, "silent"),
    ("CI-BP-SEVERE", {"vitals.bp_systolic": 170, "vitals.bp_diastolic": 101}, "fired"),
    ("CI-BP-SEVERE", {"vitals.bp_systolic": 190, "vitals.bp_diastolic": None}, "fired"),
    (
        "CI-BP-SEVERE",
        {"vitals.bp_systolic": 150, "vitals.bp_diastolic": None},
        "not_evaluable",
    ),
    # §5.2
    (
        "CV-BP-ELEVATED",
        {"vitals.bp_systolic": 140, "vitals.bp_diastolic": 90},
        "silent",
    ),
    ("CV-BP-ELEVATED", {"vitals.bp_systolic": 141, "vitals.bp_diastolic": 90}, "fired"),
    ("CV-BP-ELEVATED", {"vitals.bp_systolic": 140, "vitals.bp_diastolic": 91}, "fired"),
    (
        "CV-BP-ELEVATED",
        {"vitals.bp_systolic": 181, "vitals.bp_diastolic": 95},
        "silent",
    ),
    (
        "CV-BP-ELEVATED",
        {"vitals.bp_systolic": 150, "vitals.bp_diastolic": None},
        "fired",
    ),
    (
        "CV-BP-ELEVATED",
        {"vitals.bp_systolic": None, "vitals.bp_diastolic": None},
        "not_evaluable",
    ),
    ("CV-BP-ELEVATED", {"vitals.bp_systolic": 141, "demographics.age": 70}, "fired"),
    ("CV-MI-12M", {MH + "mi_or_acs_date": "2025-12-10"}, "fired"),
    ("CV-MI-12M", {MH + "mi_or_acs_date": "2026-08-03"}, "fired"),
    ("CV-MI-12M", {MH + "mi_or_acs_date": "2026-08-04"}, "silent"),
    ("CV-MI-12M", {MH + "revascularization_date": "2025-09-15"}, "fired"),
    ("CV-MI-12M", {MH + "revascularization_date": "2025-09-14"}, "silent"),
    ("CV-MI-12M", {MH + "mi_or_acs_date": None}, "not_evaluable"),
    ("CV-STROKE-TIA", {MH + "ischemic_stroke_or_tia": True}, "fired"),
    ("CV-STROKE-TIA", {MH + "intracerebral_hemorrhage": True}, "silent"),
    ("CV-STROKE-TIA", {MH + "ischemic_stroke_or_tia": None}, "not_evaluable"),
    ("CV-HF-VALVULAR", {MH + "heart_failure_nyha_class": 3}, "fired"),
    ("CV-HF-VALVULAR", {MH + "heart_failure_nyha_class": 2}, "silent"),
    ("CV-HF-VALVULAR", {MH + "significant_valvular_disease": True}, "fired"),
    ("CV-HF-VALVULAR", {MH + "heart_failure_nyha_class": None}, "not_evaluable"),
    ("CV-ARRHYTHMIA", {MH + "uncontrolled_arrhythmia": True}, "fired"),
    ("CV-ARRHYTHMIA", {MH + "uncontrolled_arrhythmia": None}, "not_evaluable"),
    (
        "CV-HYPERTENSIVE-ENCEPH",
        {MH + "hypertensive_encephalopathy_history": True},
        "fired",
    ),
    (
        "CV-HYPERTENSIVE-ENCEPH",
        {MH + "hypertensive_encephalopathy_history": None},
        "not_evaluable",
    ),
    ("CV-PULM-HTN", {MH + "pulmonary_hypertension": True}, "fired"),
    ("CV-PULM-HTN", {MH + "pulmonary_hypertension": None}, "not_evaluable"),
    ("CV-AGE-65", {"demographics.age": 65}, "fired"),
    ("CV-AGE-65", {"demographics.age": 64}, "silent"),
    # §5.3
    ("MED-TBI", {MH + "traumatic_brain_injury_history": True}, "fired"),
    ("MED-TBI", {MH + "traumatic_brain_injury_history": None}, "not_evaluable"),
    ("MED-EYE-IOP", {MH + "glaucoma_untreated_or_raised_iop": True}, "fired"),
    ("MED-EYE-IOP", {MH + "glaucoma_untreated_or_raised_iop": None}, "not_evaluable"),
    ("MED-HYPERTHYROID", {MH + "hyperthyroidism_untreated": True}, "fired"),
    ("MED-HYPERTHYROID", {MH + "hyperthyroidism_untreated": None}, "not_evaluable"),
    ("MED-HEPATIC-SEVERE", {MH + "hepatic_impairment_child_pugh": "C"}, "fired"),
    ("MED-HEPATIC-SEVERE", {MH + "hepatic_impairment_child_pugh": "B"}, "silent"),
    (
        "MED-HEPATIC-SEVERE",
        {MH + "hepatic_impairment_child_pugh": None},
        "not_evaluable",
    ),
    ("MED-HEPATIC-MODERATE", {MH + "hepatic_impairment_child_pugh": "B"}, "fired"),
    ("MED-HEPATIC-MODERATE", {MH + "hepatic_impairment_child_pugh": "A"}, "silent"),
    (
        "MED-HEPATIC-MODERATE",
        {MH + "hepatic_impairment_child_pugh": None},
        "not_evaluable",
    ),
    ("MED-RESP", {MH + "copd_or_pulmonary_insufficiency": True}, "fired"),
    ("MED-RESP", {MH + "copd_or_pulmonary_insufficiency": None}, "not_evaluable"),
    ("MED-OSA-OBESITY", {MH + "sleep_apnea": True, "vitals.bmi": 35}, "fired"),
    ("MED-OSA-OBESITY", {MH + "sleep_apnea": True, "vitals.bmi": 34.9}, "silent"),
    ("MED-OSA-OBESITY", {MH + "sleep_apnea": False, "vitals.bmi": None}, "silent"),
    (
        "MED-OSA-OBESITY",
        {MH + "sleep_apnea": True, "vitals.bmi": None},
        "not_evaluable",
    ),
    ("MED-SEIZURE", {MH + "seizure_disorder": True}, "fired"),
    ("MED-SEIZURE", {MH + "seizure_disorder": None}, "not_evaluable"),
    ("MED-CYSTITIS", {MH + "interstitial_or_ulcerative_cystitis": True}, "fired"),
    (
        "MED-CYSTITIS",
        {MH + "interstitial_or_ulcerative_cystitis": None},
        "not_evaluable",
    ),
    # §5.4
    ("REPRO-PREGNANT", {"demographics.pregnancy_status": "pregnant"}, "fired"),
    (
        "REPRO-PREGNANT",
        {
            "demographics.reproductive_potential": True,
            "demographics.pregnancy_status": "not_pregnant",
        },
        "silent",
    ),
    (
        "REPRO-PREGNANT",
        {
            "demographics.reproductive_potential": True,
            "demographics.pregnancy_status": "unknown",
        },
        "not_evaluable",
    ),
    ("REPRO-PREGNANT", {"demographics.pregnancy_status": None}, "silent"),
    ("REPRO-PREGNANT", {"demographics.pregnancy_status": "unknown"}, "silent"),
    ("REPRO-BREASTFEEDING", {"demographics.breastfeeding": True}, "fired"),
    ("REPRO-BREASTFEEDING", {"demographics.breastfeeding": None}, "silent"),
    (
        "REPRO-BREASTFEEDING",
        {
            "demographics.reproductive_potential": None,
            "demographics.breastfeeding": None,
        },
        "not_evaluable",
    ),
    (
        "REPRO-STATUS-UNKNOWN",
        {
            "demographics.reproductive_potential": True,
            "demographics.pregnancy_status": "unknown",
        },
        "fired",
    ),
    (
        "REPRO-STATUS-UNKNOWN",
        {
            "demographics.reproductive_potential": None,
            "demographics.pregnancy_status": "not_pregnant",
        },
        "silent",
    ),
    (
        "REPRO-STATUS-UNKNOWN",
        {
            "demographics.pregnancy_status": "not_pregnant",
            "demographics.reproductive_potential": True,
            "demographics.breastfeeding": None,
        },
        "fired",
    ),
    ("REPRO-STATUS-UNKNOWN", {"demographics.pregnancy_status": None}, "silent"),
    ("AGE-UNDER-18", {"demographics.age": 17}, "fired"),
    ("AGE-UNDER-18", {"demographics.age": 18}, "silent"),
    # §5.5
    ("PSY-PSYCHOSIS", {PH + "psychotic_disorder_lifetime": True}, "fired"),
    (
        "PSY-PSYCHOSIS",
        {
            PH + "psychotic_symptoms_current": True,
            PH + "psychotic_disorder_lifetime": None,
        },
        "fired",
    ),
    ("PSY-PSYCHOSIS", {PH + "psychotic_symptoms_current": None}, "not_evaluable"),
    ("PSY-BIPOLAR", {PH + "bipolar_or_mania_history": True}, "fired"),
    ("PSY-BIPOLAR", {"indication.primary": "bipolar_depression"}, "fired"),
    ("PSY-BIPOLAR", {PH + "bipolar_or_mania_history": None}, "not_evaluable"),
    ("PSY-DISSOCIATIVE", {PH + "dissociative_disorder": True}, "fired"),
    (
        "PSY-DISSOCIATIVE",
        {"substance_use.dissociative_misuse_lifetime": True},
        "silent",
    ),
    ("PSY-DISSOCIATIVE", {PH + "dissociative_disorder": None}, "not_evaluable"),
    ("PSY-PERSONALITY", {PH + "severe_personality_disorder": True}, "fired"),
    ("PSY-PERSONALITY", {PH + "severe_personality_disorder": None}, "not_evaluable"),
    (
        "PSY-SUICIDE-HIGH",
        {
            "scales.cssrs_screener.q2": True,
            "scales.cssrs_screener.q3": False,
            "scales.cssrs_screener.q4": True,
            "scales.cssrs_screener.q5": False,
        },
        "fired",
    ),
    (
        "PSY-SUICIDE-HIGH",
        {
            "scales.cssrs_screener.q6": True,
            "scales.cssrs_screener.q6_within_3_months": True,
        },
        "fired",
    ),
    (
        "PSY-SUICIDE-HIGH",
        {
            "scales.cssrs_screener.q6": True,
            "scales.cssrs_screener.q6_within_3_months": False,
        },
        "silent",
    ),
    ("PSY-SUICIDE-HIGH", {"scales.cssrs_screener.q6": None}, "not_evaluable"),
    ("PSY-SUICIDE-HIGH", {"scales.cssrs_screener": None}, "not_evaluable"),
    (
        "PSY-SUICIDE-MODERATE",
        {
            "scales.cssrs_screener.q6": True,
            "scales.cssrs_screener.q6_within_3_months": False,
        },
        "fired",
    ),
    ("PSY-SUICIDE-MODERATE", {"scales.cssrs_screener.q1": True}, "silent"),
    ("PSY-SUICIDE-LOW", {"scales.cssrs_screener.q1": True}, "fired"),
    ("PSY-SUICIDE-LOW", {"scales.cssrs_screener.q1": None}, "not_evaluable"),
    ("PSY-PHQ9-ITEM9", {"scales.phq9[8]": 1}, "fired"),
    ("PSY-PHQ9-ITEM9", {"scales.phq9[8]": 0}, "silent"),
    ("PSY-PHQ9-ITEM9", {"scales.phq9[8]": None}, "not_evaluable"),
    ("PSY-PHQ9-ITEM9", {"scales.phq9": None}, "not_evaluable"),
    # §5.6
    (
        "SUB-SUD-ACTIVE",
        {
            "substance_use.substance_use_disorders": [
                {
                    "substance": "alcohol",
                    "status": "early_remission",
                    "last_met_criteria": None,
                }
            ]
        },
        "fired",
    ),
    (
        "SUB-SUD-ACTIVE",
        {
            "substance_use.substance_use_disorders": [
                {"substance": "tobacco", "status": "current", "last_met_criteria": None}
            ]
        },
        "silent",
    ),
    (
        "SUB-SUD-ACTIVE",
        {
            "substance_use.substance_use_disorders": [
                {
                    "substance": "opioid",
                    "status": None,
                    "last_met_criteria": "2025-09-16",
                }
            ]
        },
        "fired",
    ),
    (
        "SUB-SUD-ACTIVE",
        {
            "substance_use.substance_use_disorders": [
                {
                    "substance": "opioid",
                    "status": None,
                    "last_met_criteria": "2025-09-15",
                }
            ]
        },
        "silent",
    ),
    (
        "SUB-SUD-ACTIVE",
        {
            "substance_use.substance_use_disorders": [
                {"substance": "opioid", "status": None, "last_met_criteria": None}
            ]
        },
        "not_evaluable",
    ),
    (
        "SUB-SUD-ACTIVE",
        {"substance_use.substance_use_disorders": None},
        "not_evaluable",
    ),
    (
        "SUB-SUD-REMISSION",
        {
            "substance_use.substance_use_disorders": [
                {
                    "substance": "opioid",
                    "status": None,
                    "last_met_criteria": "2025-09-15",
                }
            ]
        },
        "fired",
    ),
    (
        "SUB-SUD-REMISSION",
        {
            "substance_use.substance_use_disorders": [
                {
                    "substance": "opioid",
                    "status": "sustained_remission",
                    "last_met_criteria": "2026-04-15",
                }
            ]
        },
        "silent",
    ),
    (
        "SUB-SUD-REMISSION",
        {"substance_use.substance_use_disorders": None},
        "not_evaluable",
    ),
    (
        "SUB-DISSOCIATIVE-MISUSE",
        {"substance_use.dissociative_misuse_lifetime": True},
        "fired",
    ),
    (
        "SUB-DISSOCIATIVE-MISUSE",
        {
            "substance_use.non_medical_use": [
                {"substance": "pcp", "last_use": "2020-01-01"}
            ]
        },
        "fired",
    ),
    (
        "SUB-DISSOCIATIVE-MISUSE",
        {
            "substance_use.substance_use_disorders": [
                {
                    "substance": "ketamine",
                    "status": "sustained_remission",
                    "last_met_criteria": None,
                }
            ]
        },
        "fired",
    ),
    (
        "SUB-DISSOCIATIVE-MISUSE",
        {"substance_use.non_medical_use": None},
        "not_evaluable",
    ),
    (
        "SUB-AUDITC-POSITIVE",
        {"substance_use.audit_c": {"q1": 2, "q2": 1, "q3": 0}},
        "silent",
    ),
    (
        "SUB-AUDITC-POSITIVE",
        {
            "substance_use.audit_c": {"q1": 2, "q2": 1, "q3": 0},
            "demographics.sex_for_scoring": "female",
        },
        "fired",
    ),
    (
        "SUB-AUDITC-POSITIVE",
        {
            "substance_use.audit_c": {"q1": 2, "q2": 1, "q3": 0},
            "demographics.sex_for_scoring": None,
        },
        "fired",
    ),
    (
        "SUB-AUDITC-POSITIVE",
        {"substance_use.audit_c": {"q1": 2, "q2": 1, "q3": 1}},
        "fired",
    ),
    (
        "SUB-AUDITC-POSITIVE",
        {"substance_use.audit_c": {"q1": 1, "q2": 0, "q3": None}},
        "not_evaluable",
    ),
    (
        "SUB-AUDITC-POSITIVE",
        {"substance_use.audit_c": {"q1": 2, "q2": 2, "q3": None}},
        "fired",
    ),
    ("SUB-DAST-LOW", {"substance_use.dast10_answers[0]": True}, "fired"),
    (
        "SUB-DAST-LOW",
        {
            "substance_use.dast10_answers[0]": True,
            "substance_use.dast10_answers[1]": None,
        },
        "fired",
    ),
    (
        "SUB-DAST-LOW",
        {"substance_use.dast10_answers": [True, True, False] + [False] * 7},
        "silent",
    ),
    ("SUB-DAST-LOW", {"substance_use.dast10_answers[0]": None}, "not_evaluable"),
    (
        "SUB-DAST-MODERATE",
        {"substance_use.dast10_answers": [True, True, False] + [False] * 7},
        "fired",
    ),
    (
        "SUB-DAST-MODERATE",
        {"substance_use.dast10_answers": [True, True, False] + [None] * 7},
        "fired",
    ),
    ("SUB-DAST-MODERATE", {"substance_use.dast10_answers[0]": None}, "silent"),
    ("SUB-DAST-MODERATE", {"substance_use.dast10_answers": None}, "not_evaluable"),
    # §5.7
    ("DDI-MAOI", {"medications[0].class": "maoi"}, "fired"),
    ("DDI-MAOI", {}, "silent"),
    ("DDI-MAOI", {"medications": None}, "not_evaluable"),
    ("DDI-PSYCHOSTIMULANT", {"medications[0].class": "psychostimulant"}, "fired"),
    (
        "DDI-PSYCHOSTIMULANT",
        {
            "substance_use.non_medical_use": [
                {"substance": "cocaine", "last_use": "2026-06-15"}
            ]
        },
        "fired",
    ),
    (
        "DDI-PSYCHOSTIMULANT",
        {
            "substance_use.non_medical_use": [
                {"substance": "cocaine", "last_use": "2026-06-14"}
            ]
        },
        "silent",
    ),
    (
        "DDI-PSYCHOSTIMULANT",
        {
            "substance_use.non_medical_use": [
                {"substance": "amphetamine", "last_use": None}
            ]
        },
        "not_evaluable",
    ),
    ("DDI-XANTHINE", {"medications[0].class": "xanthine"}, "fired"),
    ("DDI-XANTHINE", {"medications": None}, "not_evaluable"),
    ("DDI-CNS-DEPRESSANT", {"medications[0].class": "gabapentinoid"}, "fired"),
    ("DDI-CNS-DEPRESSANT", {"medications[0].class": "nassa"}, "silent"),
    ("DDI-CNS-DEPRESSANT", {"medications": None}, "not_evaluable"),
    (
        "DDI-BZD-HIGH",
        {
            "medications": [
                {"name": "lorazepam", "class": "benzodiazepine", "daily_dose_mg": 3}
            ]
        },
        "fired",
    ),
    (
        "DDI-BZD-HIGH",
        {
            "medications": [
                {"name": "diazepam", "class": "benzodiazepine", "daily_dose_mg": 8}
            ]
        },
        "silent",
    ),
    (
        "DDI-BZD-HIGH",
        {
            "medications": [
                {"name": "temazepam", "class": "benzodiazepine", "daily_dose_mg": 20}
            ]
        },
        "not_evaluable",
    ),
    (
        "DDI-BZD-HIGH",
        {
            "medications": [
                {"name": "clonazepam", "class": "benzodiazepine", "daily_dose_mg": 1},
                {"name": "diazepam", "class": "benzodiazepine", "daily_dose_mg": None},
            ]
        },
        "fired",
    ),
    ("DDI-NALTREXONE", {"medications[0].class": "naltrexone"}, "fired"),
    ("DDI-NALTREXONE", {"medications": None}, "not_evaluable"),
    ("DDI-LAMOTRIGINE", {"medications[0].class": "lamotrigine"}, "fired"),
    ("DDI-LAMOTRIGINE", {"medications": None}, "not_evaluable"),
    ("DDI-NMDA", {"medications[0].class": "nmda_antagonist"}, "fired"),
    ("DDI-NMDA", {"medications": None}, "not_evaluable"),
    # §5.8
    ("SUIT-TRD-MET", {}, "fired"),
    ("SUIT-TRD-MET", {"antidepressant_trials[0].current_episode": False}, "silent"),
    ("SUIT-TRD-MET", {"antidepressant_trials[0].weeks_at_dose": None}, "not_evaluable"),
    ("SUIT-TRD-NOT-MET", {"antidepressant_trials[0].current_episode": False}, "fired"),
    ("SUIT-TRD-NOT-MET", {"antidepressant_trials": []}, "fired"),
    ("SUIT-TRD-NOT-MET", {}, "silent"),
    ("SUIT-TRD-NOT-MET", {"antidepressant_trials": None}, "not_evaluable"),
    (
        "SUIT-TRD-NOT-MET",
        {"indication.primary": "ptsd", "antidepressant_trials": []},
        "silent",
    ),
    ("SUIT-OFF-LABEL-INDICATION", {"indication.primary": "anxiety_disorder"}, "fired"),
    ("SUIT-OFF-LABEL-INDICATION", {}, "silent"),
    # §5.9
    ("DATA-MISSING-BP", {"vitals.bp_diastolic": None}, "fired"),
    ("DATA-MISSING-BP", {}, "silent"),
    ("DATA-MISSING-CI-CHECKLIST", {MH + "revascularization_date": None}, "fired"),
    ("DATA-MISSING-CI-CHECKLIST", {MH + "seizure_disorder": None}, "silent"),
    ("DATA-MISSING-HISTORY", {MH + "seizure_disorder": None}, "fired"),
    ("DATA-MISSING-HISTORY", {PH + "dissociative_disorder": None}, "fired"),
    ("DATA-MISSING-HISTORY", {MH + "sleep_apnea": True, "vitals.bmi": None}, "fired"),
    ("DATA-MISSING-HISTORY", {"vitals.bmi": None}, "silent"),
    ("DATA-MISSING-SUBSTANCE", {"substance_use.audit_c.q3": None}, "fired"),
    ("DATA-MISSING-SUBSTANCE", {"substance_use.dast10_answers[4]": None}, "fired"),
    (
        "DATA-MISSING-SUBSTANCE",
        {"substance_use.dissociative_misuse_lifetime": None},
        "fired",
    ),
    (
        "DATA-MISSING-SUBSTANCE",
        {"substance_use.non_medical_use": [{"substance": "methamphetamine"}]},
        "fired",
    ),
    (
        "DATA-MISSING-SUBSTANCE",
        {
            "substance_use.substance_use_disorders": [
                {"substance": "tobacco", "status": None, "last_met_criteria": None}
            ]
        },
        "silent",
    ),
    ("DATA-MISSING-SUBSTANCE", {}, "silent"),
    ("DATA-MISSING-SUICIDE", {"scales.cssrs_screener.q2": True}, "fired"),
    ("DATA-MISSING-SUICIDE", {"scales.phq9[8]": None}, "fired"),
    ("DATA-MISSING-SUICIDE", {"scales.phq9[0]": None}, "silent"),
    ("DATA-MISSING-TRD", {"antidepressant_trials[1].adherence_pct": None}, "fired"),
    (
        "DATA-MISSING-TRD",
        {"indication.primary": "ptsd", "antidepressant_trials": None},
        "silent",
    ),
    ("DATA-MISSING-TRD", {}, "silent"),
    ("DATA-MISSING-MEDICATIONS", {"medications": None}, "fired"),
    (
        "DATA-MISSING-MEDICATIONS",
        {
            "medications": [
                {"name": "Temazepam 10", "class": "benzodiazepine", "daily_dose_mg": 10}
            ]
        },
        "fired",
    ),
    ("DATA-MISSING-MEDICATIONS", {"medications": []}, "silent"),
]


def result_of(code: str, result: dict) -> str:
    if any(flag["code"] == code for flag in result["flags"]):
        return "fired"
    if any(item["code"] == code for item in result["not_evaluable"]):
        return "not_evaluable"
    return "silent"


@pytest.mark.parametrize(("code", "changes", "expected"), RULE_TABLE)
def test_it_decides_each_rule_from_the_rule_book(code, changes, expected):
    assert result_of(code, screen_document(intake(changes))) == expected


def test_it_covers_every_rule_code_positively():
    from screening.engine import load_default_ruleset

    fired = {code for code, _, expected in RULE_TABLE if expected == "fired"}
    assert fired == {rule.code for rule in load_default_ruleset().rules}


def test_it_raises_only_suit_trd_met_for_the_complete_base_intake():
    result = screen_document(intake())
    assert [flag["code"] for flag in result["flags"]] == ["SUIT-TRD-MET"]
    assert result["not_evaluable"] == []
    assert result["outcome"] == "no_flags"


@pytest.mark.parametrize(
    ("changes", "needs"),
    [
        (
            {"vitals.bp_diastolic": None, "vitals.bp_systolic": 150},
            ["vitals.bp_diastolic"],
        ),
        (
            {"antidepressant_trials[1].weeks_at_dose": None},
            ["antidepressant_trials[1].weeks_at_dose"],
        ),
        ({"medications": None}, ["medications"]),
        ({"scales.cssrs_screener.q1": None}, ["scales.cssrs_screener.q1"]),
    ],
)
def test_it_lists_the_full_field_paths_a_rule_needs(changes, needs):
    result = screen_document(intake(changes))
    listed = {path for item in result["not_evaluable"] for path in item["needs"]}
    assert set(needs) <= listed


def test_it_puts_the_answers_threshold_and_settings_in_the_evidence():
    result = screen_document(
        intake({"vitals.bp_systolic": 186, "medications[0].class": "maoi"})
    )
    flags = {flag["code"]: flag for flag in result["flags"]}
    severe = flags["CI-BP-SEVERE"]["evidence"]
    assert severe["answers"] == {"vitals.bp_systolic": 186}
    assert "vitals.bp_systolic > 180" in severe["threshold"]
    assert flags["DDI-MAOI"]["evidence"]["answers"]["medications[0].class"] == "maoi"
    trd = flags["SUIT-TRD-MET"]["evidence"]["settings"]
    assert trd["trd_min_weeks_at_dose"] == 6


def test_it_marks_only_the_high_suicide_flag_urgent():
    result = screen_document(
        intake(
            {
                "scales.cssrs_screener.q6": True,
                "scales.cssrs_screener.q6_within_3_months": True,
            }
        )
    )
    urgent = {flag["code"] for flag in result["flags"] if flag["urgent"]}
    assert urgent == {"PSY-SUICIDE-HIGH"}


def test_it_lists_missing_data_paths_as_evidence():
    result = screen_document(
        intake(
            {
                "medications": [
                    {
                        "name": "Temazepam 10",
                        "class": "benzodiazepine",
                        "daily_dose_mg": None,
                    }
                ]
            }
        )
    )
    flag = next(f for f in result["flags"] if f["code"] == "DATA-MISSING-MEDICATIONS")
    assert flag["evidence"]["answers"] == {
        "medications[0].name": "Temazepam 10",
        "medications[0].daily_dose_mg": None,
    }
