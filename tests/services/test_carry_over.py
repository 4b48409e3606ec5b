"""Carry-over (#18): a signed intake's stable history proposed to the next one."""

import datetime

import pytest

from screening.models import AuditEvent, CarryState, Intake, SectionRevision
from screening.services import carry_over, intakes, reviews
from tests.factories import PatientFactory, screened_intake
from tests.services.review_documents import realistic
from tests.services.test_reviews import fresh, page_hash, reviewed, signed

NEXT_VISIT = datetime.date(2026, 12, 1)
CARRIED = {
    "medical_history",
    "psychiatric_history",
    "allergies",
    "medications",
    "antidepressant_trials",
    "substance_use",
}


@pytest.fixture
def first(clinic, intake_staff, clinician):
    patient = PatientFactory(clinic=clinic, created_by=intake_staff)
    intake = screened_intake(clinic, realistic(), by=intake_staff, patient=patient)
    signed(intake, clinician)
    return fresh(intake)


def start_next(first, by, *, on=NEXT_VISIT) -> Intake:
    intake = intakes.do_create_intake(
        first.patient,
        intake_on=on,
        primary_indication="major_depressive_disorder",
        by=by,
        carry_from=carry_over.get_carry_source(first.patient, before=on),
    )
    return fresh(intake)


def sections(intake):
    return {s.kind: s for s in intake.sections.all()}


def test_it_offers_the_newest_signed_intake_before_the_date(first, intake_staff):
    assert carry_over.get_carry_source(first.patient) == first
    assert carry_over.get_carry_source(first.patient, before=first.intake_on) is None
    unsigned = start_next(first, intake_staff)
    assert carry_over.get_carry_source(first.patient) == first
    assert unsigned.status == Intake.Status.IN_PROGRESS


def test_it_offers_nothing_without_a_signed_intake(clinic, intake_staff):
    intake = screened_intake(clinic, realistic(), by=intake_staff)
    assert carry_over.get_carry_source(intake.patient) is None


def test_it_proposes_the_stable_history_and_nothing_else(first, intake_staff):
    following = sections(start_next(first, intake_staff))
    assert {k for k, s in following.items() if s.carry_state} == CARRIED
    for kind in CARRIED:
        assert following[kind].carry_state == CarryState.PROPOSED
        assert following[kind].carried_from_id == first.pk
        assert following[kind].is_saved
    for kind in ("demographics", "vitals", "scales"):
        assert not following[kind].is_saved
    assert following["allergies"].data == [
        {"substance": "penicillin", "reaction": "rash"}
    ]
    assert len(following["medications"].data) == 4
    assert following["medical_history"].data["sleep_apnea"] is True
    assert following["medical_history"].data.get("mi_or_acs_date") is None


def test_it_keeps_trial_dates_and_numbers_as_recorded(first, intake_staff):
    trials = sections(start_next(first, intake_staff))["antidepressant_trials"].data
    before = sections(first)["antidepressant_trials"].data
    for old, new in zip(before, trials, strict=True):
        assert {
            k: v for k, v in new.items() if k not in ("current_episode", "ongoing")
        } == {k: v for k, v in old.items() if k not in ("current_episode", "ongoing")}
        assert new["current_episode"] is None


def test_the_field_history_says_where_each_carried_value_came_from(first, intake_staff):
    intake = start_next(first, intake_staff)
    revisions = SectionRevision.objects.filter(section__intake=intake)
    carried = revisions.filter(origin="carried")
    assert {r.section.kind for r in carried} == CARRIED
    assert {r.carried_from_id for r in carried} == {first.pk}
    assert revisions.get(section__kind="indication").origin == "form"
    created = AuditEvent.objects.get(action="intake.created", object_id=str(intake.pk))
    assert created.detail == {"carried_from": first.pk}


def test_rules_read_carried_answers_like_typed_ones(first, intake_staff):
    intake = start_next(first, intake_staff)
    flags = {f["code"] for f in intake.current_screening.result["flags"]}
    # The carried lorazepam and lamotrigine are screened at once, as typed ones are.
    assert {"DDI-BZD-HIGH", "DDI-LAMOTRIGINE"} <= flags
    # The MI date is asked afresh: unanswered, so its absolute rule needs an answer.
    assert "CV-MI-12M" not in flags
    assert "DATA-MISSING-CI-CHECKLIST" in flags


def test_it_is_not_ready_for_review_until_every_carried_section_is_confirmed(
    first, intake_staff
):
    intake = start_next(first, intake_staff)
    with pytest.raises(intakes.NotReadyError, match="allergies, current medications"):
        intakes.do_mark_ready_for_review(intake, by=intake_staff)
    for section in carry_over.pending_sections(intake):
        carry_over.do_confirm_carried_section(
            section, version=section.version, by=intake_staff
        )
    intakes.do_mark_ready_for_review(intake, by=intake_staff)
    assert fresh(intake).status == Intake.Status.READY_FOR_REVIEW


def test_confirming_records_who_confirmed_which_version(first, intake_staff):
    intake = start_next(first, intake_staff)
    allergies = sections(intake)["allergies"]
    carry_over.do_confirm_carried_section(allergies, version=1, by=intake_staff)
    allergies.refresh_from_db()
    assert allergies.carry_state == CarryState.CONFIRMED
    assert allergies.carry_confirmed_by == intake_staff
    assert allergies.carry_confirmed_version == 1
    assert allergies.carry_confirmed_at is not None
    event = AuditEvent.objects.get(
        action="intake.updated",
        object_type="intakesection",
        object_id=str(allergies.pk),
    )
    assert event.data_category == "allergies"
    assert event.detail == {"carried_over": "confirmed", "carried_from": first.pk}
    assert [s.kind for s in carry_over.pending_sections(intake)] == [
        "medical_history",
        "psychiatric_history",
        "medications",
        "antidepressant_trials",
        "substance_use",
    ]


def test_it_refuses_to_confirm_a_version_someone_saved_since(first, intake_staff):
    intake = start_next(first, intake_staff)
    allergies = sections(intake)["allergies"]
    intakes.do_save_section(
        allergies, [], missing_reasons={}, version=1, by=intake_staff
    )
    with pytest.raises(carry_over.CarryOverError, match="saved or confirmed since"):
        carry_over.do_confirm_carried_section(allergies, version=1, by=intake_staff)


def test_saving_a_carried_section_edits_it(first, intake_staff):
    intake = start_next(first, intake_staff)
    trials = sections(intake)["antidepressant_trials"]
    answered = [dict(t, current_episode=True) for t in trials.data]
    intakes.do_save_section(
        trials, answered, missing_reasons={}, version=1, by=intake_staff
    )
    trials.refresh_from_db()
    assert trials.carry_state == CarryState.EDITED
    assert trials.revisions.get(version=2).origin == "form"
    assert "antidepressant_trials" not in {
        s.kind for s in carry_over.pending_sections(intake)
    }


def test_sign_off_is_refused_while_a_carried_section_waits(
    first, intake_staff, clinician
):
    intake = reviewed(start_next(first, intake_staff), clinician)
    with pytest.raises(reviews.SignOffRefusedError, match="not confirmed yet"):
        reviews.do_sign_off(intake, page_sha256=page_hash(intake), by=clinician)
