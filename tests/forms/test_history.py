"""Medical and psychiatric history checklists: three states, event dates, notes."""

import pytest

from screening.forms.history import MedicalHistoryForm, PsychiatricHistoryForm
from screening.intake_format.fields import MEDICAL_ITEMS, PSYCHIATRIC_ITEMS
from screening.services.documents import intake_document
from screening.services.intakes import do_save_section

ALL_NO = {
    **dict.fromkeys(MEDICAL_ITEMS, "no"),
    "mi_or_acs_date": "never",
    "revascularization_date": "never",
    "heart_failure_nyha_class": "0",
    "hepatic_impairment_child_pugh": "none",
}


def test_it_saves_every_medical_item(bind, save, intake):
    save(
        bind(
            MedicalHistoryForm,
            **{
                **ALL_NO,
                "sleep_apnea": "yes",
                "sleep_apnea_detail": "CPAP at night",
                "mi_or_acs_date": "date",
                "mi_or_acs_date__on": "2024-03-10",
                "heart_failure_nyha_class": "2",
                "hepatic_impairment_child_pugh": "A",
                "other_conditions": "hypothyroidism, treated\n\n  asthma  ",
            },
        )
    )

    history = intake_document(intake)["medical_history"]
    assert set(MEDICAL_ITEMS) <= set(history)
    assert "checklist_default" not in history
    assert history["sleep_apnea"] is True
    assert history["sleep_apnea_detail"] == "CPAP at night"
    assert history["mi_or_acs_date"] == "2024-03-10"
    assert history["revascularization_date"] is False
    assert history["heart_failure_nyha_class"] == 2
    assert history["hepatic_impairment_child_pugh"] == "A"
    assert history["other_conditions"] == ["hypothyroidism, treated", "asthma"]


def test_it_keeps_an_unanswered_item_null_with_its_reason(bind, save, intake):
    save(
        bind(
            MedicalHistoryForm,
            **{**ALL_NO, "seizure_disorder": "", "seizure_disorder__why": "unknown"},
        )
    )

    document = intake_document(intake)
    assert document["medical_history"]["seizure_disorder"] is None
    assert document["missing_reasons"] == {
        "medical_history.seizure_disorder": "unknown"
    }


def test_it_drops_the_reason_once_an_answer_arrives(bind, save, intake):
    save(
        bind(MedicalHistoryForm, seizure_disorder="", seizure_disorder__why="declined")
    )

    save(bind(MedicalHistoryForm, seizure_disorder="yes"))

    document = intake_document(intake)
    assert document["medical_history"]["seizure_disorder"] is True
    assert "missing_reasons" not in document


def test_it_shows_an_imported_all_false_checklist_as_answers(
    bind, intake, intake_staff
):
    section = intake.sections.get(kind="medical_history")
    do_save_section(
        section,
        {"checklist_default": "all_false", "sleep_apnea": None},
        missing_reasons={},
        version=section.version,
        by=intake_staff,
    )

    form = bind(MedicalHistoryForm)

    assert form["seizure_disorder"].value() == "no"
    assert form["mi_or_acs_date"].value() == "never"
    assert form["heart_failure_nyha_class"].value() == "0"
    assert form["sleep_apnea"].value() == ""


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"mi_or_acs_date": "date", "mi_or_acs_date__on": "2026-11-03"},
            "on or before",
        ),
        ({"mi_or_acs_date": "date", "mi_or_acs_date__on": ""}, "Type the date"),
        (
            {"mi_or_acs_date": "never", "mi_or_acs_date__on": "2020-01-01"},
            "clear the date",
        ),
        ({"mi_or_acs_date": "date", "mi_or_acs_date__on": "last spring"}, "real date"),
    ],
)
def test_it_refuses_a_bad_event_date(bind, changes, message):
    form = bind(
        MedicalHistoryForm, **{**ALL_NO, "sleep_apnea_detail": "snores", **changes}
    )

    assert not form.is_valid()
    errors = form.errors.get("mi_or_acs_date", []) + form.errors.get(
        "mi_or_acs_date__on", []
    )
    assert message in " ".join(errors)
    assert form["sleep_apnea_detail"].value() == "snores"
    assert form["mi_or_acs_date__on"].value() == changes["mi_or_acs_date__on"]


def test_it_takes_a_typed_event_date_left_as_not_answered(bind, save, intake):
    save(
        bind(
            MedicalHistoryForm,
            revascularization_date="",
            revascularization_date__on="2021-06-01",
        )
    )

    assert (
        intake_document(intake)["medical_history"]["revascularization_date"]
        == "2021-06-01"
    )


def test_it_saves_the_psychiatric_checklist(bind, save, intake):
    save(
        bind(
            PsychiatricHistoryForm,
            **{
                **dict.fromkeys(PSYCHIATRIC_ITEMS, "no"),
                "psychotic_disorder_lifetime": "yes",
                "psychotic_disorder_lifetime_detail": "cannabis-induced, 2015",
                "dissociative_disorder": "",
                "dissociative_disorder__why": "declined",
                "other_conditions": "social anxiety disorder",
            },
        )
    )

    document = intake_document(intake)
    history = document["psychiatric_history"]
    assert history["psychotic_disorder_lifetime"] is True
    assert history["psychotic_disorder_lifetime_detail"] == "cannabis-induced, 2015"
    assert history["dissociative_disorder"] is None
    assert history["bipolar_or_mania_history"] is False
    assert history["other_conditions"] == ["social anxiety disorder"]
    assert document["missing_reasons"] == {
        "psychiatric_history.dissociative_disorder": "declined"
    }
