"""Scales: PHQ-9, GAD-7, PCL-5, and the clinician-entered C-SSRS screener and MADRS."""

import re

import pytest
from crispy_forms.utils import render_crispy_form

from screening import questionnaire
from screening.forms.declared import quick_score_boxes
from screening.forms.scales import ClinicianScalesForm, ScalesForm
from screening.services.documents import intake_document

PHQ9 = {f"phq9_{n}": "1" for n in range(1, 10)}
CSSRS = {
    "cssrs_given": "yes",
    "cssrs_q1": "yes",
    "cssrs_q2": "yes",
    "cssrs_q3": "yes",
    "cssrs_q4": "no",
    "cssrs_q5": "no",
    "cssrs_q6": "yes",
    "cssrs_q6_within_3_months": "no",
    "madrs_total": "28",
}


def test_it_offers_the_phq9_as_given_on_a_new_intake(bind):
    form = bind(ScalesForm)

    assert form["phq9_given"].value() == "yes"
    assert form["gad7_given"].value() == ""


def test_the_scales_page_has_a_quick_entry_box_per_summed_scale_of_one_digit_items():
    boxes = quick_score_boxes(questionnaire.page("scales"))

    assert [(b["name"], b["length"], b["max"]) for b in boxes] == [
        ("PHQ-9", 9, 3),
        ("GAD-7", 7, 3),
        ("PCL-5", 20, 4),
    ]
    assert boxes[0]["items"] == " ".join(f"phq9_{n}" for n in range(1, 10))
    assert boxes[0]["given"] == "phq9_given"
    # Not the clinician's C-SSRS (branching yes/no) or MADRS (a total), nor AUDIT-C
    # and DAST-10, whose answers are words (the substance use page).
    assert quick_score_boxes(questionnaire.page("")) == []
    assert quick_score_boxes(questionnaire.page("substance-use")) == []


def test_the_quick_entry_boxes_come_first_on_the_scales_page_and_send_nothing(bind):
    markup = render_crispy_form(bind(ScalesForm))
    box = re.search(r'<input [^>]*id="quick-phq9"[^>]*>', markup)

    assert markup.index("data-quick-scores") < markup.index('name="phq9_given"')
    assert box is not None
    assert "name=" not in box.group(0)  # the answers are what the form sends


def test_it_saves_the_scales(bind, save, intake):
    gad7 = {f"gad7_{n}": "2" for n in range(1, 8)}
    save(bind(ScalesForm, **PHQ9, gad7_given="yes", **gad7))

    scales = intake_document(intake)["scales"]
    assert scales["phq9"] == [1] * 9
    assert scales["gad7"] == [2] * 7
    assert scales["pcl5"] is None
    assert scales["cssrs_screener"] is None


def test_it_keeps_an_unanswered_item_null_with_its_reason(bind, save, intake):
    save(bind(ScalesForm, **{**PHQ9, "phq9_9": "", "phq9_9__why": "declined"}))

    document = intake_document(intake)
    assert document["scales"]["phq9"][8] is None
    assert document["missing_reasons"] == {"scales.phq9[8]": "declined"}


def test_it_records_a_scale_not_administered_as_null(bind, save, intake):
    save(bind(ScalesForm, phq9_given="", phq9_given__why="not_asked"))

    document = intake_document(intake)
    assert document["scales"]["phq9"] is None
    assert document["missing_reasons"] == {"scales.phq9": "not_asked"}


def test_it_refuses_items_answered_under_not_administered(bind):
    form = bind(ScalesForm, pcl5_1="3")

    assert not form.is_valid()
    assert "Not administered" in form.errors["pcl5_given"][0]
    assert form["pcl5_1"].value() == "3"


def test_it_uses_the_published_answer_labels_after_their_scores(bind):
    # The score in front, as on the paper form: typing it chooses the answer (#16).
    form = bind(ScalesForm)

    assert [label for _value, label in form.fields["phq9_1"].choices] == [
        "0 — Not at all",
        "1 — Several days",
        "2 — More than half the days",
        "3 — Nearly every day",
        "Not answered",
    ]
    assert [label for _value, label in form.fields["pcl5_1"].choices][:5] == [
        "0 — Not at all",
        "1 — A little bit",
        "2 — Moderately",
        "3 — Quite a bit",
        "4 — Extremely",
    ]


def test_it_saves_the_clinician_entered_screener_and_madrs_total(bind, save, intake):
    save(bind(ClinicianScalesForm, **CSSRS))

    scales = intake_document(intake)["scales"]
    assert scales["cssrs_screener"] == {
        "q1": True,
        "q2": True,
        "q3": True,
        "q4": False,
        "q5": False,
        "q6": True,
        "q6_within_3_months": False,
    }
    assert scales["madrs_total"] == 28


def test_it_clears_questions_not_asked_after_a_no(bind, save, intake):
    save(bind(ClinicianScalesForm, **CSSRS))

    save(
        bind(
            ClinicianScalesForm, cssrs_q2="no", cssrs_q6="no", cssrs_q4__why="declined"
        )
    )

    document = intake_document(intake)
    screener = document["scales"]["cssrs_screener"]
    assert (screener["q3"], screener["q4"], screener["q5"]) == (None, None, None)
    assert screener["q6_within_3_months"] is None
    assert "missing_reasons" not in document


@pytest.mark.parametrize(
    ("total", "message"), [("61", "from 0 up to 60"), ("20.5", "digits")]
)
def test_it_refuses_a_madrs_total_outside_0_to_60(bind, total, message):
    form = bind(ClinicianScalesForm, **{**CSSRS, "madrs_total": total})

    assert not form.is_valid()
    assert message in form.errors["madrs_total"][0]
    assert form["cssrs_q3"].value() == "yes"


def test_each_scales_page_keeps_the_other_pages_answers(bind, save, intake):
    save(bind(ScalesForm, **{**PHQ9, "phq9_9": "", "phq9_9__why": "declined"}))
    save(bind(ClinicianScalesForm, **CSSRS))
    save(bind(ScalesForm, phq9_1="3"))

    document = intake_document(intake)
    assert document["scales"]["phq9"][0] == 3
    assert document["scales"]["cssrs_screener"]["q3"] is True
    assert document["scales"]["madrs_total"] == 28
    assert document["missing_reasons"] == {"scales.phq9[8]": "declined"}


def test_it_names_the_clinician_who_entered_the_screener(
    bind, save, intake, intake_staff
):
    save(bind(ClinicianScalesForm, **CSSRS))
    save(bind(ScalesForm, **PHQ9))

    form = bind(ClinicianScalesForm)

    assert form.entered is not None
    assert form.entered.version == 1
    assert form.entered.saved_by == intake_staff
