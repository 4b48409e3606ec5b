"""The urgent pathway (issue #15; rule book §5.5, §8.6, §11)."""

import copy
import datetime
import importlib
import json

import pytest
from django.apps import apps

from screening.json_numbers import AnswerEncoder
from screening.models import AuditEvent, Intake, IntakeSection, UrgentMarker
from screening.services import imports, intakes, reviews, screenings, urgent
from tests.factories import intakes_from_documents, screened_intake
from tests.services.review_documents import REALISTIC
from tests.services.test_reviews import fresh, reviewed, sign

NO_CSSRS = None
HIGH = {  # q4: intent without a plan -> H (§8.6)
    "q1": True,
    "q2": True,
    "q3": True,
    "q4": True,
    "q5": False,
    "q6": False,
    "q6_within_3_months": None,
}
ANOTHER_HIGH = {**HIGH, "q4": False, "q5": True}
LOW = {
    "q1": True,
    "q2": False,
    "q3": None,
    "q4": None,
    "q5": None,
    "q6": False,
    "q6_within_3_months": None,
}


def document(*, item9: int, cssrs) -> dict:
    doc = copy.deepcopy(REALISTIC)
    doc["scales"]["phq9"][8] = item9
    doc["scales"]["cssrs_screener"] = cssrs
    return doc


def save_scales(intake: Intake, by, **changes) -> None:
    section = IntakeSection.objects.get(intake=intake, kind="scales")
    section.intake = fresh(intake)
    intakes.do_save_section(
        section,
        {**section.data, **changes},
        missing_reasons=section.missing_reasons,
        version=section.version,
        by=by,
    )


def open_triggers(intake: Intake) -> list[str]:
    return sorted(
        UrgentMarker.objects.filter(intake=intake, cleared_at__isnull=True).values_list(
            "trigger", flat=True
        )
    )


def test_it_marks_a_phq9_item9_answer_while_the_cssrs_is_not_recorded(
    clinic, intake_staff
):
    intake = screened_intake(clinic, document(item9=1, cssrs=NO_CSSRS), by=intake_staff)

    assert open_triggers(intake) == ["cssrs_needed"]
    assert fresh(intake).urgent_since is not None
    marker = UrgentMarker.objects.get(intake=intake)
    assert marker.get_trigger_display() == "C-SSRS needed before the patient leaves"
    # It changes no flag and no severity: the screening is the engine's alone.
    assert "PSY-SUICIDE-HIGH" not in {
        flag["code"] for flag in fresh(intake).current_screening.result["flags"]
    }


def test_it_marks_an_imported_phq9_item9_answer(clinic, intake_staff):
    doc = document(item9=3, cssrs=NO_CSSRS)
    doc["patient"] = {"mrn": "IMPORT-9"}
    doc["format"] = "intake/1"
    report = imports.do_import_documents(
        [("item9.json", json.dumps(doc, cls=AnswerEncoder).encode())],
        clinic=clinic,
        by=intake_staff,
        today=datetime.date(2026, 12, 6),
    )

    assert not report.is_refused, report.errors
    assert open_triggers(report.imported[0].intake) == ["cssrs_needed"]


def test_it_does_not_mark_item9_zero_or_a_recorded_cssrs(clinic, intake_staff):
    calm = screened_intake(clinic, document(item9=0, cssrs=NO_CSSRS), by=intake_staff)
    recorded = screened_intake(clinic, document(item9=2, cssrs=LOW), by=intake_staff)

    assert open_triggers(calm) == []
    assert open_triggers(recorded) == []
    assert fresh(calm).urgent_since is None


def test_it_clears_the_cssrs_trigger_when_a_clinician_records_the_cssrs(
    clinic, intake_staff, clinician
):
    intake = screened_intake(clinic, document(item9=1, cssrs=NO_CSSRS), by=intake_staff)

    save_scales(intake, clinician, cssrs_screener=LOW)

    marker = UrgentMarker.objects.get(intake=intake)
    assert marker.resolution == "cssrs_recorded"
    assert marker.cleared_by == clinician
    assert fresh(intake).urgent_since is None


def test_it_marks_a_high_risk_cssrs_for_a_same_day_safety_assessment(
    clinic, intake_staff
):
    intake = screened_intake(clinic, document(item9=0, cssrs=HIGH), by=intake_staff)

    marker = UrgentMarker.objects.get(intake=intake, cleared_at__isnull=True)
    assert marker.trigger == "urgent_flag"
    assert marker.rule_codes == ["PSY-SUICIDE-HIGH"]
    assert marker.get_trigger_display() == "Same-day safety assessment needed"


def test_it_keeps_the_urgent_flag_marker_open_when_the_answers_change(
    clinic, intake_staff
):
    intake = screened_intake(clinic, document(item9=0, cssrs=HIGH), by=intake_staff)

    # Only a clinician's record clears it, never a correction of the answers.
    save_scales(intake, intake_staff, cssrs_screener=LOW)

    assert open_triggers(intake) == ["urgent_flag"]


def test_it_clears_the_urgent_flag_marker_by_the_assessment_with_a_note(
    clinic, intake_staff, clinician
):
    intake = screened_intake(clinic, document(item9=0, cssrs=HIGH), by=intake_staff)

    with pytest.raises(urgent.UrgentError):
        urgent.do_clear_marker(
            fresh(intake),
            trigger="urgent_flag",
            resolution="assessment_done",
            note=" ",
            by=clinician,
        )
    urgent.do_clear_marker(
        fresh(intake),
        trigger="urgent_flag",
        resolution="assessment_done",
        note="Safety plan agreed with Dr Lee, 10:40.",
        by=clinician,
    )

    marker = UrgentMarker.objects.get(intake=intake)
    assert (marker.resolution, marker.cleared_by) == ("assessment_done", clinician)
    assert marker.note == "Safety plan agreed with Dr Lee, 10:40."
    assert fresh(intake).urgent_since is None
    # The note stays with the intake, never in the audit log: ids and codes only.
    event = AuditEvent.objects.filter(action="review.acknowledged").latest("seq")
    assert event.object_id == str(marker.pk)
    assert "Safety plan" not in str(
        AuditEvent.objects.filter(pk=event.pk).values().get()
    )


def test_it_raises_a_cleared_marker_again_only_when_the_deciding_answers_change(
    clinic, intake_staff, clinician
):
    intake = screened_intake(clinic, document(item9=0, cssrs=HIGH), by=intake_staff)
    urgent.do_clear_marker(
        fresh(intake),
        trigger="urgent_flag",
        resolution="entered_in_error",
        note="q4 was ticked by mistake; corrected with the patient.",
        by=clinician,
    )

    save_scales(intake, intake_staff, gad7=[0, 0, 0, 0, 0, 0, 0])
    assert open_triggers(intake) == []

    save_scales(intake, clinician, cssrs_screener=ANOTHER_HIGH)
    assert open_triggers(intake) == ["urgent_flag"]


def test_it_refuses_a_clearance_the_trigger_does_not_offer(
    clinic, intake_staff, clinician
):
    intake = screened_intake(clinic, document(item9=1, cssrs=NO_CSSRS), by=intake_staff)

    with pytest.raises(urgent.UrgentError):
        urgent.do_clear_marker(
            fresh(intake),
            trigger="cssrs_needed",
            resolution="assessment_done",
            note="Seen.",
            by=clinician,
        )
    assert open_triggers(intake) == ["cssrs_needed"]


def test_it_refuses_sign_off_while_a_marker_is_open(clinic, intake_staff, clinician):
    intake = screened_intake(clinic, document(item9=0, cssrs=HIGH), by=intake_staff)
    reviewed(intake, clinician)

    with pytest.raises(reviews.SignOffRefusedError, match="Urgent: Same-day safety"):
        sign(intake, clinician)

    urgent.do_clear_marker(
        fresh(intake),
        trigger="urgent_flag",
        resolution="assessment_done",
        note="Assessed in clinic; no imminent risk.",
        by=clinician,
    )
    assert sign(intake, clinician).intake_id == intake.pk


def test_it_lists_the_clinics_urgent_intakes_one_row_each_whatever_their_status(
    clinic, other_clinic, intake_staff
):
    both = screened_intake(
        clinic, document(item9=1, cssrs={**HIGH, "q1": None}), by=intake_staff
    )
    in_progress = screened_intake(
        clinic, document(item9=1, cssrs=NO_CSSRS), by=intake_staff, ready=False
    )
    screened_intake(other_clinic, document(item9=1, cssrs=NO_CSSRS), by=intake_staff)

    rows = urgent.list_open(clinic)

    assert [row.intake.pk for row in rows] == [both.pk, in_progress.pk]
    assert rows[0].reasons == [
        "Same-day safety assessment needed",
        "C-SSRS needed before the patient leaves",
    ]


def test_it_lists_the_urgent_intakes_by_a_statement_compiled_once(
    clinic, intake_staff, request
):
    marked = screened_intake(
        clinic, document(item9=1, cssrs=NO_CSSRS), by=intake_staff, ready=False
    )
    urgent.list_open(clinic)  # compiles it (once per process)
    built = request.getfixturevalue("models_compiled")
    (row,) = urgent.list_open(clinic)

    assert built == []  # #19: the worklist builds it no more
    assert row.intake.pk == marked.pk
    assert row.intake.patient.mrn == marked.patient.mrn
    assert row.intake.current_screening.outcome == marked.current_screening.outcome
    assert row.reasons == [marker.get_trigger_display() for marker in row.triggers]
    assert row.reasons  # item 9 and no C-SSRS: at least one reason


def test_the_migration_marks_open_intakes_and_leaves_signed_ones_alone(
    clinic, intake_staff
):
    docs = [document(item9=1, cssrs=NO_CSSRS)]
    (open_intake,) = intakes_from_documents(clinic, docs, created_by=intake_staff)
    (signed_intake,) = intakes_from_documents(
        clinic, docs, created_by=intake_staff, status="signed"
    )
    for intake in (open_intake, signed_intake):
        screenings.do_screen_intake(intake, by=intake_staff)
    UrgentMarker.objects.all().delete()
    Intake.objects.update(urgent_since=None)
    migration = importlib.import_module(
        "screening.migrations.0011_urgent_markers_and_rereviews"
    )

    migration.mark_open_intakes(apps, None)

    assert open_triggers(open_intake) == ["cssrs_needed"]
    assert open_triggers(signed_intake) == []
    assert fresh(open_intake).urgent_since is not None
    assert fresh(signed_intake).urgent_since is None
