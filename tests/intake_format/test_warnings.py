from decimal import Decimal

import pytest

from screening.intake_format import validate_document, warnings_for
from tests.intake_format.samples import (
    EVERY_KEY,
    MINIMAL,
    NOT_ANSWERED,
    TODAY,
    load,
)
from tests.intake_format.test_validate import set_in


def warnings_after(change, *, name=MINIMAL):
    doc = load(name)
    change(doc)
    assert validate_document(doc, today=TODAY) == []  # a warning never refuses
    return warnings_for(doc)


def sud(status, last_met_criteria):
    entry = {
        "substance": "alcohol",
        "status": status,
        "last_met_criteria": last_met_criteria,
    }
    return set_in("substance_use", "substance_use_disorders", [entry])


def bp(systolic, diastolic):
    return lambda doc: doc["vitals"].update(
        bp_systolic=systolic, bp_diastolic=diastolic
    )


# The minimal sample: intake_date 2026-09-15, age 40, so born in 1985 at the earliest.
WARNED = [
    # (change, path, words in the message)
    pytest.param(
        bp(69, 40), "vitals.bp_systolic", "systolic BP 69 is below 70", id="sys-low"
    ),
    pytest.param(
        bp(251, 90),
        ("vitals.bp_systolic", "vitals.bp_systolic"),  # and above 180/100
        "systolic BP 251 is above 250",
        id="sys-high",
    ),
    pytest.param(
        bp(120, 39), "vitals.bp_diastolic", "diastolic BP 39 is below 40", id="dia-low"
    ),
    pytest.param(
        bp(None, 151),
        ("vitals.bp_diastolic", "vitals.bp_diastolic"),  # and above 180/100
        "diastolic BP 151 is above 150",
        id="dia-high",
    ),
    pytest.param(
        bp(181, 80),
        "vitals.bp_systolic",
        "BP 181/80 mmHg is above 180/100: confirm the reading",
        id="severe-systolic",
    ),
    pytest.param(
        bp(140, 101),
        "vitals.bp_diastolic",
        "BP 140/101 mmHg is above 180/100: confirm the reading",
        id="severe-diastolic",
    ),
    pytest.param(
        bp(185, 110),
        "vitals.bp_systolic",
        "BP 185/110 mmHg is above 180/100",
        id="severe-185-110",
    ),
    pytest.param(
        bp(190, None), "vitals.bp_systolic", "BP 190/null mmHg", id="severe-one-value"
    ),
    pytest.param(
        set_in("vitals", "heart_rate", 34),
        "vitals.heart_rate",
        "heart rate 34 is below 35",
        id="hr-low",
    ),
    pytest.param(
        set_in("vitals", "heart_rate", 181),
        "vitals.heart_rate",
        "heart rate 181 is above 180",
        id="hr-high",
    ),
    pytest.param(
        set_in("vitals", "bmi", Decimal("14.9")),
        "vitals.bmi",
        "BMI 14.9 is below 15",
        id="bmi-low",
    ),
    pytest.param(
        set_in("vitals", "bmi", Decimal("70.1")),
        "vitals.bmi",
        "BMI 70.1 is above 70",
        id="bmi-high",
    ),
    pytest.param(
        set_in("demographics", "age", 11),
        "demographics.age",
        "age 11 is below 12",
        id="age-low",
    ),
    pytest.param(
        set_in("demographics", "age", 101),
        "demographics.age",
        "age 101 is above 100",
        id="age-high",
    ),
    pytest.param(
        set_in("antidepressant_trials", 0, "weeks_at_dose", Decimal("104.5")),
        "antidepressant_trials[0].weeks_at_dose",
        "104.5 weeks at dose is above 104",
        id="weeks",
    ),
    pytest.param(
        set_in("medical_history", "mi_or_acs_date", "1984-12-31"),
        "medical_history.mi_or_acs_date",
        "1984-12-31 is before the patient's birth year (1985 at the earliest",
        id="mi-before-birth",
    ),
    pytest.param(
        set_in("medical_history", "revascularization_date", "1970-01-01"),
        "medical_history.revascularization_date",
        "before the patient's birth year",
        id="revascularization-before-birth",
    ),
    pytest.param(
        set_in("indication", "current_episode_start", "1900-01-01"),
        "indication.current_episode_start",
        "before the patient's birth year",
        id="episode-before-birth",
    ),
    pytest.param(
        sud(None, "1980-05-01"),
        "substance_use.substance_use_disorders[0].last_met_criteria",
        "before the patient's birth year",
        id="sud-before-birth",
    ),
    pytest.param(
        set_in(
            "substance_use",
            "non_medical_use",
            [{"substance": "mdma", "last_use": "1984-01-01"}],
        ),
        "substance_use.non_medical_use[0].last_use",
        "before the patient's birth year",
        id="use-before-birth",
    ),
    pytest.param(
        lambda doc: doc["antidepressant_trials"][0].update(
            outcome="response", improvement_pct=49
        ),
        "antidepressant_trials[0].outcome",
        '"response" with improvement_pct 49 disagree',
        id="response-below-50",
    ),
    pytest.param(
        set_in("antidepressant_trials", 0, "improvement_pct", 50),
        "antidepressant_trials[0].outcome",
        '"nonresponse" with improvement_pct 50 disagree',
        id="nonresponse-at-50",
    ),
    pytest.param(
        set_in("antidepressant_trials", 1, "dose_adequate_override", True),
        "antidepressant_trials[1].dose_adequate_override",
        "an override needs a reason",
        id="override-true",
    ),
    pytest.param(
        lambda doc: doc["antidepressant_trials"][1].update(
            dose_adequate_override=False, dose_adequate_override_reason=None
        ),
        "antidepressant_trials[1].dose_adequate_override",
        "an override needs a reason",
        id="override-false-null-reason",
    ),
    pytest.param(
        set_in("demographics", "pregnancy_status", "pregnant"),
        "demographics.pregnancy_status",
        '"pregnant" with reproductive_potential false is a contradiction',
        id="pregnant-without-potential",
    ),
    pytest.param(
        set_in("demographics", "breastfeeding", True),
        "demographics.breastfeeding",
        "breastfeeding with reproductive_potential false is unusual",
        id="breastfeeding-without-potential",
    ),
    pytest.param(
        set_in("demographics", "reproductive_potential", True),
        "demographics.pregnancy_status",
        '"not_applicable" is for no reproductive potential',
        id="not-applicable-with-potential",
    ),
    pytest.param(
        sud("current", "2025-09-15"),
        "substance_use.substance_use_disorders[0].status",
        '"current" but criteria were last met on 2025-09-15, 12 months or more',
        id="current-on-the-anniversary",
    ),
    pytest.param(
        sud("early_remission", "2020-01-01"),
        "substance_use.substance_use_disorders[0].status",
        '"early_remission" but criteria were last met on 2020-01-01',
        id="early-remission-old",
    ),
    pytest.param(
        sud("sustained_remission", "2025-09-16"),
        "substance_use.substance_use_disorders[0].status",
        '"sustained_remission" but criteria were last met on 2025-09-16, less than 12',
        id="sustained-remission-recent",
    ),
    pytest.param(
        set_in("substance_use", "audit_c", {"q1": 0, "q2": 1, "q3": 0}),
        "substance_use.audit_c.q2",
        "is 1 although q1 is 0 (never drinks)",
        id="audit-c-q2",
    ),
    pytest.param(
        set_in("substance_use", "audit_c", {"q1": 0, "q2": 0, "q3": None}),
        "substance_use.audit_c.q3",
        "is null although q1 is 0",
        id="audit-c-q3-null",
    ),
    pytest.param(
        set_in("allergies", [{"substance": "Esketamine (Spravato)"}]),
        "allergies[0].substance",
        "names ketamine or esketamine, but "
        "medical_history.hypersensitivity_ketamine_esketamine is false",
        id="ketamine-allergy-under-all-false",
    ),
    pytest.param(
        set_in("antidepressant_trials", 0, "drug", "  "),
        "antidepressant_trials[0].drug",
        "holds only white space",
        id="blank-drug",
    ),
    pytest.param(
        set_in("medical_history", "other_conditions", ["ok", "\t"]),
        "medical_history.other_conditions[1]",
        "holds only white space",
        id="blank-condition",
    ),
    pytest.param(
        set_in("medical_history", "seizure_disorder_detail", " "),
        "medical_history.seizure_disorder_detail",
        "holds only white space",
        id="blank-detail",
    ),
    pytest.param(
        set_in("patient", {"mrn": " "}),
        "patient.mrn",
        "holds only white space",
        id="blank-mrn",
    ),
]


@pytest.mark.parametrize(("change", "paths", "words"), WARNED)
def test_it_warns_about_implausible_values(change, paths, words):
    warnings = warnings_after(change)
    paths = list(paths) if isinstance(paths, tuple) else [paths]
    assert [warning.path for warning in warnings] == paths
    assert words in warnings[0].message


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(bp(70, 40), id="bp-70-40"),
        pytest.param(bp(180, 100), id="bp-180-100"),
        pytest.param(set_in("vitals", "heart_rate", 35), id="hr-35"),
        pytest.param(set_in("vitals", "bmi", 70), id="bmi-70"),
        pytest.param(set_in("demographics", "age", 12), id="age-12"),
        pytest.param(
            set_in("antidepressant_trials", 0, "weeks_at_dose", 104), id="weeks"
        ),
        pytest.param(
            set_in("medical_history", "mi_or_acs_date", "1985-01-01"), id="birth-year"
        ),
        pytest.param(
            set_in("antidepressant_trials", 0, "improvement_pct", 49),
            id="nonresponse-below-50",
        ),
        pytest.param(
            lambda doc: doc["antidepressant_trials"][0].update(
                outcome="response", improvement_pct=50
            ),
            id="response-at-50",
        ),
        pytest.param(
            lambda doc: doc["antidepressant_trials"][0].update(
                dose_adequate_override=True, dose_adequate_override_reason="older adult"
            ),
            id="override-with-reason",
        ),
        pytest.param(sud("current", "2025-09-16"), id="current-within-12-months"),
        pytest.param(
            sud("sustained_remission", "2025-09-15"), id="sustained-on-the-anniversary"
        ),
        pytest.param(
            set_in("substance_use", "audit_c", {"q1": 0, "q2": 0, "q3": 0}),
            id="audit-c-never",
        ),
        pytest.param(
            lambda doc: (
                doc["medical_history"].update(
                    hypersensitivity_ketamine_esketamine=True
                ),
                doc["allergies"].append({"substance": "ketamine"}),
            ),
            id="ketamine-allergy-recorded",
        ),
        pytest.param(
            lambda doc: (
                doc["medical_history"].update(
                    hypersensitivity_ketamine_esketamine=None
                ),
                doc["allergies"].append({"substance": "ketamine"}),
            ),
            id="ketamine-allergy-unanswered",
        ),
    ],
)
def test_it_does_not_warn_at_the_limits(change):
    assert warnings_after(change) == []


@pytest.mark.parametrize("name", [MINIMAL, NOT_ANSWERED, EVERY_KEY])
def test_it_does_not_warn_about_the_samples(name):
    assert warnings_for(load(name)) == []


def test_it_gives_every_warning_together():
    def change(doc):
        doc["demographics"]["age"] = 101
        doc["vitals"].update(bp_systolic=260, bp_diastolic=120)
        doc["antidepressant_trials"][1]["weeks_at_dose"] = 200

    assert [warning.path for warning in warnings_after(change)] == [
        "demographics.age",
        "vitals.bp_systolic",
        "vitals.bp_systolic",
        "antidepressant_trials[1].weeks_at_dose",
    ]
