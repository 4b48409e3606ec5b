"""Substance use: AUDIT-C and its skip rule, DAST-10 by topic, disorders, drug use."""

import pytest

from screening.forms.questions import DAST10_TOPICS
from screening.forms.substance import SubstanceUseForm
from screening.services.documents import intake_document

NEVER_USES = {f"dast_{n}": "no" for n in range(1, 11)} | {"dast_3": "yes"}
ANSWERS = {
    "audit_given": "yes",
    "audit_q1": "2",
    "audit_q2": "1",
    "audit_q3": "0",
    "dast_given": "yes",
    **NEVER_USES,
    "sud_asked": "rows",
    "sud-0-substance": "alcohol",
    "sud-0-severity": "mild",
    "sud-0-status": "sustained_remission",
    "sud-0-last_met_criteria": "2023-01-15",
    "sud-0-detail": "AA meetings",
    "nmu_asked": "rows",
    "nmu-0-substance": "cannabis",
    "nmu-0-route": "smoked",
    "nmu-0-pattern": "monthly",
    "nmu-0-last_use": "2026-10-01",
    "nmu-0-detail": "weekends",
    "dissociative_misuse_lifetime": "no",
}


def test_it_saves_valid_substance_use(bind, save, intake):
    save(bind(SubstanceUseForm, **ANSWERS))

    use = intake_document(intake)["substance_use"]
    assert use["audit_c"] == {"q1": 2, "q2": 1, "q3": 0}
    assert use["dast10_answers"] == [False, False, True] + [False] * 7
    assert use["substance_use_disorders"] == [
        {
            "substance": "alcohol",
            "severity": "mild",
            "status": "sustained_remission",
            "last_met_criteria": "2023-01-15",
            "detail": "AA meetings",
        }
    ]
    assert use["non_medical_use"][0]["last_use"] == "2026-10-01"
    assert use["dissociative_misuse_lifetime"] is False


def test_it_scores_skipped_audit_c_questions_zero_when_the_patient_never_drinks(
    bind, save, intake
):
    save(
        bind(
            SubstanceUseForm,
            **{**ANSWERS, "audit_q1": "0", "audit_q2": "3", "audit_q3": ""},
        )
    )

    assert intake_document(intake)["substance_use"]["audit_c"] == {
        "q1": 0,
        "q2": 0,
        "q3": 0,
    }


def test_it_labels_dast10_items_by_topic_only(bind):
    form = bind(SubstanceUseForm)

    labels = [form[f"dast_{n}"].label for n in range(1, 11)]
    assert labels == [f"{n}. {topic}" for n, topic in enumerate(DAST10_TOPICS, start=1)]
    assert not any("?" in label for label in labels)


def test_it_records_an_instrument_not_administered_as_null(bind, save, intake):
    answers = {**ANSWERS, "dast_given": "", "dast_given__why": "declined"}
    answers.update({f"dast_{n}": "" for n in range(1, 11)})
    save(bind(SubstanceUseForm, **answers))

    document = intake_document(intake)
    assert document["substance_use"]["dast10_answers"] is None
    assert document["missing_reasons"] == {"substance_use.dast10_answers": "declined"}


def test_it_refuses_answers_under_not_administered(bind):
    form = bind(SubstanceUseForm, **{**ANSWERS, "audit_given": ""})

    assert not form.is_valid()
    assert "Not administered" in form.errors["audit_given"][0]
    assert form["audit_q1"].value() == "2"


def test_it_keeps_an_unanswered_dast_item_null_with_its_reason(bind, save, intake):
    save(bind(SubstanceUseForm, **{**ANSWERS, "dast_9": "", "dast_9__why": "declined"}))

    document = intake_document(intake)
    assert document["substance_use"]["dast10_answers"][8] is None
    assert document["missing_reasons"] == {
        "substance_use.dast10_answers[8]": "declined"
    }


@pytest.mark.parametrize(
    ("changes", "prefix", "field", "message"),
    [
        (
            {"sud-0-last_met_criteria": "2026-11-30"},
            "sud",
            "last_met_criteria",
            "on or before",
        ),
        ({"nmu-0-last_use": "2027-01-01"}, "nmu", "last_use", "on or before"),
        ({"sud-0-substance": ""}, "sud", "substance", "Choose the substance"),
    ],
)
def test_it_refuses_a_bad_row(bind, changes, prefix, field, message):
    form = bind(SubstanceUseForm, **{**ANSWERS, **changes})

    assert not form.is_valid()
    row = form.blocks[prefix].formset.forms[0]
    assert message in row.errors[field][0]
    assert form["audit_q1"].value() == "2"
    assert row["detail"].value() == ANSWERS[f"{prefix}-0-detail"]


def test_it_asks_to_confirm_a_remission_status_that_contradicts_its_date(bind):
    form = bind(
        SubstanceUseForm, **{**ANSWERS, "sud-0-last_met_criteria": "2026-06-01"}
    )

    assert not form.is_valid()
    assert form.warnings_pending
    assert form.blocks["sud"].formset.forms[0].field_warnings


def test_audit_c_answers_keep_their_words_without_scores(bind):
    # "0 - 1 or 2" would confuse: AUDIT-C's second item counts drinks in words.
    form = bind(SubstanceUseForm)

    assert [label for _value, label in form.fields["audit_q2"].choices][:2] == [
        "1 or 2",
        "3 or 4",
    ]
