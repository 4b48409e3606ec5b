"""Allergies, medications and trials: "Was this asked?", rows without JavaScript."""

from decimal import Decimal

import pytest

from screening.forms.lists import AllergiesForm, MedicationsForm, TrialsForm
from screening.services.documents import intake_document
from screening.services.intakes import do_save_section

TRIAL = {
    "rows-0-drug": "Venlafaxine XR",
    "rows-0-daily_dose_mg": "225",
    "rows-0-weeks_at_dose": "8.5",
    "rows-0-adherence_pct": "90",
    "rows-0-outcome": "partial_response",
    "rows-0-improvement_pct": "-10",
    "rows-0-current_episode": "yes",
    "rows-0-ongoing": "no",
    "rows-0-stopped_reason": "nausea",
    "rows-0-target": "depression",
    "rows-0-dose_adequate_override": "yes",
    "rows-0-dose_adequate_override_reason": "older adult",
}


def test_it_saves_every_field_of_a_trial(bind, save, intake):
    save(bind(TrialsForm, asked="rows", **TRIAL))

    assert intake_document(intake)["antidepressant_trials"] == [
        {
            "drug": "Venlafaxine XR",
            "daily_dose_mg": 225,
            "weeks_at_dose": Decimal("8.5"),
            "adherence_pct": 90,
            "outcome": "partial_response",
            "improvement_pct": -10,
            "current_episode": True,
            "ongoing": False,
            "stopped_reason": "nausea",
            "target": "depression",
            "dose_adequate_override": True,
            "dose_adequate_override_reason": "older adult",
        }
    ]


def test_it_loads_a_saved_trial_back_into_the_form(bind, save):
    save(bind(TrialsForm, asked="rows", **TRIAL))

    form = bind(TrialsForm)

    row = form.blocks["rows"].formset.forms[0]
    assert form["asked"].value() == "rows"
    assert {name: row[name].value() for name in ("drug", "outcome", "ongoing")} == {
        "drug": "Venlafaxine XR",
        "outcome": "partial_response",
        "ongoing": "no",
    }
    assert row["dose_adequate_override"].value() == "yes"
    assert len(form.blocks["rows"].formset.forms) == 1  # no blank row (issue #16)


def test_a_new_trial_row_has_no_answer_set(intake):
    # Not even "still taking it: No" (#16: nothing is pre-set, null is never No).
    section = intake.sections.get(kind=TrialsForm.section)

    (row,) = TrialsForm(section=section, intake=intake).blocks["rows"].formset.forms

    assert row["ongoing"].value() is None
    assert row["current_episode"].value() is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"rows-0-weeks_at_dose": "900"}, "weeks_at_dose", "from 0 up to 520"),
        ({"rows-0-adherence_pct": "150"}, "adherence_pct", "from 0 up to 100"),
        ({"rows-0-improvement_pct": "-101"}, "improvement_pct", "from -100 up to 100"),
        ({"rows-0-daily_dose_mg": "0"}, "daily_dose_mg", "above 0"),
        ({"rows-0-daily_dose_mg": "0.00001"}, "daily_dose_mg", "at most 4 decimal"),
        ({"rows-0-daily_dose_mg": "lots"}, "daily_dose_mg", "digits only"),
        ({"rows-0-drug": ""}, "drug", "Enter the drug"),
    ],
)
def test_it_refuses_a_bad_trial_beside_the_field(bind, changes, field, message):
    form = bind(TrialsForm, asked="rows", **{**TRIAL, **changes})

    assert not form.is_valid()
    row = form.blocks["rows"].formset.forms[0]
    assert message in " ".join(row.errors[field])
    assert row["stopped_reason"].value() == "nausea"
    assert row[field].value() == changes[f"rows-0-{field}"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"rows-0-weeks_at_dose": "110"}, "weeks_at_dose"),
        ({"rows-0-outcome": "response", "rows-0-improvement_pct": "30"}, "outcome"),
        ({"rows-0-dose_adequate_override_reason": ""}, "dose_adequate_override"),
    ],
)
def test_it_asks_to_confirm_an_implausible_trial(bind, changes, field):
    form = bind(TrialsForm, asked="rows", **{**TRIAL, **changes})

    assert not form.is_valid()
    row = form.blocks["rows"].formset.forms[0]
    assert row.field_warnings.get(field) or form.non_field_errors()


def test_it_clears_notes_hidden_by_branching(bind, save, intake):
    save(
        bind(
            TrialsForm,
            asked="rows",
            **{**TRIAL, "rows-0-ongoing": "yes", "rows-0-dose_adequate_override": ""},
        )
    )

    trial = intake_document(intake)["antidepressant_trials"][0]
    assert trial["ongoing"] is True
    assert trial["stopped_reason"] is None
    assert trial["dose_adequate_override"] is None
    assert trial["dose_adequate_override_reason"] is None


def test_it_records_a_list_not_asked_as_null_with_its_reason(bind, save, intake):
    save(bind(MedicationsForm, asked="", asked__why="declined"))

    document = intake_document(intake)
    assert document["medications"] is None
    assert document["missing_reasons"] == {"medications": "declined"}


def test_it_records_asked_and_none_as_an_empty_list(bind, save, intake):
    save(bind(AllergiesForm, asked="none"))

    assert intake_document(intake)["allergies"] == []


@pytest.mark.parametrize(
    ("asked", "rows", "message"),
    [
        ("", {"rows-0-substance": "penicillin"}, "Not asked"),
        ("none", {"rows-0-substance": "penicillin"}, "No known allergies"),
        ("rows", {}, "at least one row"),
    ],
)
def test_it_refuses_an_answer_that_contradicts_the_rows(bind, asked, rows, message):
    form = bind(AllergiesForm, asked=asked, **rows)

    assert not form.is_valid()
    assert message in form.errors["asked"][0]
    assert form.blocks["rows"].formset.forms[0]["substance"].value() == rows.get(
        "rows-0-substance"
    )


def test_it_saves_rows_in_order_and_skips_blank_ones(bind, save, intake):
    form = bind(
        MedicationsForm,
        asked="rows",
        **{
            "rows-TOTAL_FORMS": "3",
            "rows-0-name": "sertraline",
            "rows-0-drug_class": "ssri",
            "rows-0-daily_dose_mg": "150",
            "rows-2-name": "levothyroxine",
            "rows-2-drug_class": "other",
            "rows-2-daily_dose_mg": "0.075",
        },
    )
    save(form)

    assert intake_document(intake)["medications"] == [
        {"name": "sertraline", "class": "ssri", "daily_dose_mg": 150},
        {"name": "levothyroxine", "class": "other", "daily_dose_mg": Decimal("0.075")},
    ]


def test_it_adds_a_row_without_javascript_and_keeps_what_was_typed(bind):
    form = bind(
        MedicationsForm,
        add_row="rows",
        **{"rows-0-name": "sertraline", "rows-0-drug_class": "ssri"},
    )

    assert not form.is_valid()
    rows = form.blocks["rows"].formset.forms
    assert len(rows) == 2
    assert rows[0]["name"].value() == "sertraline"
    assert form["asked"].value() == "rows"
    assert not form.helper.form_show_errors
    assert rows[1].fields["name"].widget.attrs.get("autofocus")


def test_it_removes_a_row_marked_remove(bind, save, intake):
    first = {"rows-0-substance": "penicillin", "rows-0-reaction": "rash"}
    save(bind(AllergiesForm, asked="rows", **first))

    save(
        bind(
            AllergiesForm,
            **{
                "rows-0-DELETE": True,
                "rows-1-substance": "latex",
                "rows-TOTAL_FORMS": "2",
            },
        )
    )

    assert intake_document(intake)["allergies"] == [
        {"substance": "latex", "reaction": None}
    ]


def test_it_requires_a_class_for_each_medication(bind):
    form = bind(MedicationsForm, asked="rows", **{"rows-0-name": "sertraline"})

    assert not form.is_valid()
    assert "class" in form.blocks["rows"].formset.forms[0].errors["drug_class"][0]


def test_it_keeps_a_dose_not_known_null_with_its_reason(bind, save, intake):
    save(
        bind(
            MedicationsForm,
            asked="rows",
            **{
                "rows-0-name": "lorazepam",
                "rows-0-drug_class": "benzodiazepine",
                "rows-0-daily_dose_mg__why": "unknown",
            },
        )
    )

    document = intake_document(intake)
    assert document["medications"][0]["daily_dose_mg"] is None
    assert document["missing_reasons"] == {"medications[0].daily_dose_mg": "unknown"}


def test_it_keeps_an_imported_reason_no_field_of_the_page_manages(
    bind, save, intake, intake_staff
):
    section = intake.sections.get(kind="antidepressant_trials")
    trial = {
        "drug": "sertraline",
        "daily_dose_mg": 100,
        "weeks_at_dose": 8,
        "adherence_pct": 90,
        "outcome": "nonresponse",
        "current_episode": True,
        "stopped_reason": None,
    }
    reason = {"antidepressant_trials[0].stopped_reason": "declined"}
    do_save_section(
        section, [trial], missing_reasons=reason, version=0, by=intake_staff
    )

    save(bind(TrialsForm, **{"rows-0-weeks_at_dose": "9"}))

    document = intake_document(intake)
    assert document["antidepressant_trials"][0]["weeks_at_dose"] == 9
    assert document["missing_reasons"] == reason


def test_it_survives_a_tampered_row_count_when_adding_a_row(bind):
    form = bind(AllergiesForm, add_row="rows", **{"rows-TOTAL_FORMS": "many"})

    assert not form.is_valid()
    assert len(form.blocks["rows"].formset.forms) == 1
