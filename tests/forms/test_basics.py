"""Demographics, indication and vitals: valid saves, refusals, branching, warnings."""

import pytest

from screening.forms.basics import DemographicsForm, IndicationForm, VitalsForm
from screening.services.documents import intake_document

VITALS = {"bp_systolic": "124", "bp_diastolic": "80", "heart_rate": "72", "bmi": "27.5"}


def test_it_saves_valid_vitals(bind, save, intake):
    save(bind(VitalsForm, **VITALS))

    vitals = intake_document(intake)["vitals"]
    assert vitals == {
        "bp_systolic": 124,
        "bp_diastolic": 80,
        "heart_rate": 72,
        "bmi": 27.5,
    }


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"bp_systolic": "300", "bp_diastolic": "20"},
            "bp_diastolic",
            "more than 200 mmHg",
        ),
        (
            {"bp_systolic": "120", "bp_diastolic": "130"},
            "bp_diastolic",
            "lower than systolic",
        ),
        (
            {"bp_systolic": "120", "bp_diastolic": "120"},
            "bp_diastolic",
            "lower than systolic",
        ),
        ({"bp_systolic": "400"}, "bp_systolic", "from 50 up to 300"),
        ({"heart_rate": "seventy"}, "heart_rate", "using digits only"),
        ({"bmi": "27.55"}, "bmi", "at most 1 decimal place"),
        ({"bmi": "5"}, "bmi", "from 10 up to 100"),
    ],
)
def test_it_refuses_bad_vitals_beside_the_field(bind, changes, field, message):
    form = bind(VitalsForm, **{**VITALS, **changes})

    assert not form.is_valid()
    assert message in " ".join(form.errors[field])
    typed = {**VITALS, **changes}
    assert all(form[name].value() == typed[name] for name in VITALS)


def test_it_asks_to_confirm_an_implausible_blood_pressure(bind):
    form = bind(VitalsForm, **{**VITALS, "bp_systolic": "185", "bp_diastolic": "110"})

    assert not form.is_valid()
    assert "above 180/100" in form.field_warnings["bp_systolic"][0]
    assert form.data["warned"] == "vitals.bp_systolic"


def test_it_keeps_a_confirmed_implausible_blood_pressure(bind, save, intake):
    values = {**VITALS, "bp_systolic": "185", "bp_diastolic": "110"}
    confirm = {"warned": "vitals.bp_systolic", "confirm_warnings": True}

    without_reason = bind(VitalsForm, **values, **confirm)
    assert not without_reason.is_valid()
    assert "confirm_reason" in without_reason.errors

    section = save(
        bind(VitalsForm, **values, **confirm, confirm_reason="second reading")
    )

    assert section.data["bp_systolic"] == 185
    assert section.confirmed_warnings == {"vitals.bp_systolic": "second reading"}


def test_it_does_not_ask_again_for_an_unchanged_confirmed_value(bind, save):
    values = {**VITALS, "bp_systolic": "185", "bp_diastolic": "110"}
    save(
        bind(
            VitalsForm,
            **values,
            warned="vitals.bp_systolic",
            confirm_warnings=True,
            confirm_reason="rechecked",
        )
    )

    again = bind(VitalsForm, heart_rate="75")

    assert again.is_valid(), again.errors
    assert again.confirmed_warnings == {"vitals.bp_systolic": "rechecked"}


DEMOGRAPHICS = {
    "age": "45",
    "sex_for_scoring": "female",
    "reproductive_potential": "yes",
    "pregnancy_status": "not_pregnant",
    "pregnancy_status_basis": "urine hCG negative",
    "breastfeeding": "no",
}


def test_it_saves_valid_demographics(bind, save, intake):
    save(bind(DemographicsForm, **DEMOGRAPHICS))

    assert intake_document(intake)["demographics"] == {
        "age": 45,
        "sex_for_scoring": "female",
        "reproductive_potential": True,
        "pregnancy_status": "not_pregnant",
        "pregnancy_status_basis": "urine hCG negative",
        "breastfeeding": False,
    }


def test_it_prefills_age_and_sex_from_the_patient(bind, intake):
    form = bind(DemographicsForm)

    born = intake.patient.date_of_birth
    assert form["age"].value() == str(intake.patient.age_on(intake.intake_on))
    assert born is not None
    assert form["sex_for_scoring"].value() == "female"


def test_it_clears_a_stale_pregnancy_status_without_reproductive_potential(
    bind, save, intake
):
    save(bind(DemographicsForm, **{**DEMOGRAPHICS, "pregnancy_status": "pregnant"}))

    save(bind(DemographicsForm, reproductive_potential="no"))

    demographics = intake_document(intake)["demographics"]
    assert demographics["pregnancy_status"] == "not_applicable"
    assert demographics["pregnancy_status_basis"] is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"age": "130"}, "from 0 up to 120"), ({"age": ""}, "Enter a whole number")],
)
def test_it_refuses_a_bad_age(bind, changes, message):
    form = bind(DemographicsForm, **{**DEMOGRAPHICS, **changes})

    assert not form.is_valid()
    assert message in form.errors["age"][0]
    assert form["pregnancy_status_basis"].value() == "urine hCG negative"


def test_it_asks_to_confirm_not_applicable_with_reproductive_potential(bind):
    form = bind(
        DemographicsForm, **{**DEMOGRAPHICS, "pregnancy_status": "not_applicable"}
    )

    assert not form.is_valid()
    assert form.field_warnings


INDICATION = {
    "primary": "ptsd",
    "detail": "after a road accident",
    "episode": "recurrent",
    "current_episode_start": "2025-09-01",
    "episode_severity_clinician": "moderate",
    "augmentation_used": "no",
    "ect_used": "no",
    "index_trauma_year": "2019",
}


def test_it_saves_a_valid_indication(bind, save, intake):
    save(bind(IndicationForm, **INDICATION))

    indication = intake_document(intake)["indication"]
    assert indication["current_episode_start"] == "2025-09-01"
    assert indication["index_trauma_year"] == 2019
    assert indication["augmentation_used"] is False


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"current_episode_start": "2026-12-01"},
            "current_episode_start",
            "on or before",
        ),
        ({"current_episode_start": "2026-02-30"}, "current_episode_start", "real date"),
        ({"index_trauma_year": "2027"}, "index_trauma_year", "no later than 2026"),
        ({"primary": ""}, "primary", "Choose the primary indication"),
    ],
)
def test_it_refuses_a_bad_indication(bind, changes, field, message):
    form = bind(IndicationForm, **{**INDICATION, **changes})

    assert not form.is_valid()
    assert message in form.errors[field][0]
    assert form["detail"].value() == "after a road accident"


def test_it_clears_the_trauma_year_unless_the_indication_is_ptsd(bind, save, intake):
    save(bind(IndicationForm, **INDICATION))

    save(bind(IndicationForm, primary="major_depressive_disorder"))

    document = intake_document(intake)
    assert document["indication"]["index_trauma_year"] is None
    assert document["missing_reasons"]["indication.index_trauma_year"] == "not_asked"
