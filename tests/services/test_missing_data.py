import pytest

from screening.models import (
    Acknowledgement,
    AuditEvent,
    Intake,
    MissingAnswerAcceptance,
)
from screening.services import intakes, missing_data
from screening.services.reviews import load_review_state
from tests.factories import screened_intake
from tests.services.review_documents import realistic

SYSTOLIC, DIASTOLIC = "vitals.bp_systolic", "vitals.bp_diastolic"
PERSONALITY = "psychiatric_history.severe_personality_disorder"


def fresh(intake: Intake) -> Intake:
    return Intake.objects.select_related("clinic", "patient", "current_screening").get(
        pk=intake.pk
    )


def without_blood_pressure() -> dict:
    document = realistic()
    document["vitals"].update(bp_systolic=None, bp_diastolic=None)
    return document


@pytest.fixture
def intake(clinic, intake_staff):
    return screened_intake(clinic, without_blood_pressure(), by=intake_staff)


def missing_by_path(intake: Intake) -> dict[str, missing_data.MissingAnswer]:
    intake = fresh(intake)
    screening = intake.current_screening
    answers = missing_data.list_missing_answers(
        screening,
        load_review_state(intake, screening),
        MissingAnswerAcceptance.objects.filter(intake=intake),
        missing_data.get_rule_titles(screening),
    )
    return {answer.path: answer for answer in answers}


def accept(intake: Intake, path: str, clinician, reason="records_unavailable", note=""):
    return missing_data.do_accept_missing_answer(
        fresh(intake), path=path, reason_code=reason, note=note, by=clinician
    )


def test_it_groups_the_waiting_rules_and_flags_by_missing_answer(intake):
    missing = missing_by_path(intake)
    assert list(missing) == [SYSTOLIC, DIASTOLIC, PERSONALITY]
    waiting = {path: [item.code for item in m.waiting] for path, m in missing.items()}
    assert waiting[SYSTOLIC] == ["DATA-MISSING-BP", "CI-BP-SEVERE", "CV-BP-ELEVATED"]
    assert waiting[DIASTOLIC] == waiting[SYSTOLIC]
    assert waiting[PERSONALITY] == ["DATA-MISSING-HISTORY", "PSY-PERSONALITY"]
    assert missing[PERSONALITY].waiting[1].title == "Severe personality disorder"
    assert all(answer.is_open for answer in missing.values())


def test_it_clears_every_rule_waiting_on_an_answer_with_one_resolution(
    intake, clinician
):
    written = accept(intake, PERSONALITY, clinician, "patient_declined", "Declined.")
    assert {(ack.kind, ack.rule_code) for ack in written} == {
        ("flag", "DATA-MISSING-HISTORY"),
        ("not_evaluable", "PSY-PERSONALITY"),
    }
    assert {(ack.reason_code, ack.note) for ack in written} == {
        ("patient_declined", "Declined.")
    }
    state = load_review_state(fresh(intake), fresh(intake).current_screening)
    assert "PSY-PERSONALITY" not in state.pending_not_evaluable
    assert "DATA-MISSING-HISTORY" not in state.pending_flags
    assert not missing_by_path(intake)[PERSONALITY].is_open
    # Ids only in the audit log: one row for the answer, one per acceptance written.
    assert AuditEvent.objects.filter(action="review.acknowledged").count() == 3


def test_it_acknowledges_a_data_missing_flag_only_once_every_answer_is_resolved(
    intake, clinician
):
    assert accept(intake, SYSTOLIC, clinician) == []
    state = load_review_state(fresh(intake), fresh(intake).current_screening)
    assert "DATA-MISSING-BP" in state.pending_flags
    assert {"CI-BP-SEVERE", "CV-BP-ELEVATED"} <= set(state.pending_not_evaluable)
    assert missing_by_path(intake)[SYSTOLIC].is_open

    written = accept(intake, DIASTOLIC, clinician)
    assert sorted(ack.rule_code for ack in written) == [
        "CI-BP-SEVERE",
        "CV-BP-ELEVATED",
        "DATA-MISSING-BP",
    ]
    state = load_review_state(fresh(intake), fresh(intake).current_screening)
    assert "DATA-MISSING-BP" not in state.pending_flags
    assert not {"CI-BP-SEVERE", "CV-BP-ELEVATED"} & set(state.pending_not_evaluable)


def test_it_says_which_answer_had_which_reason_when_they_differ(intake, clinician):
    accept(intake, SYSTOLIC, clinician, "records_unavailable")
    written = accept(intake, DIASTOLIC, clinician, "patient_declined")
    assert {ack.reason_code for ack in written} == {"other"}
    assert written[0].note == (
        "Systolic blood pressure: Records unavailable; "
        "Diastolic blood pressure: Patient declined"
    )


def test_it_resolves_an_answer_by_entering_it(intake, clinician, intake_staff):
    vitals = fresh(intake).sections.get(kind="vitals")
    intakes.do_save_section(
        vitals,
        {**vitals.data, "bp_systolic": 128, "bp_diastolic": 82},
        missing_reasons={},
        version=vitals.version,
        by=intake_staff,
    )
    missing = missing_by_path(intake)
    assert SYSTOLIC not in missing
    assert DIASTOLIC not in missing
    assert list(missing) == [PERSONALITY]


def test_it_refuses_other_without_a_note(intake, clinician):
    with pytest.raises(missing_data.MissingDataError, match="note"):
        accept(intake, PERSONALITY, clinician, "other", "  ")
    with pytest.raises(missing_data.MissingDataError, match="listed reasons"):
        accept(intake, PERSONALITY, clinician, "will_ask_at_visit")
    assert not MissingAnswerAcceptance.objects.exists()
    assert not Acknowledgement.objects.exists()


def test_it_refuses_an_answer_no_rule_waits_on(intake, clinician):
    with pytest.raises(missing_data.MissingDataError, match="no longer missing"):
        accept(intake, "vitals.heart_rate", clinician)
    assert not MissingAnswerAcceptance.objects.exists()


def test_it_lapses_with_the_screening_and_asks_again(intake, clinician):
    accept(intake, SYSTOLIC, clinician)
    accept(intake, DIASTOLIC, clinician)
    # A ruleset change makes another rule wait on the accepted answer.
    screening = fresh(intake).current_screening
    result = dict(screening.result)
    result["not_evaluable"] = [
        *result["not_evaluable"],
        {"code": "CV-NEW-RULE", "needs": [SYSTOLIC]},
    ]
    type(screening).objects.filter(pk=screening.pk).update(result=result)
    answer = missing_by_path(intake)[SYSTOLIC]
    assert answer.acceptance is not None
    assert answer.is_open
    written = accept(intake, SYSTOLIC, clinician)
    assert [ack.rule_code for ack in written] == ["CV-NEW-RULE"]
