"""The screening service under ruleset versions."""

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from screening import engine
from screening.json_numbers import AnswerEncoder
from screening.models import Intake, Screening
from screening.services import documents as documents_service
from screening.services import drafts, rulesets, screenings
from tests.factories import IntakeFactory, PatientFactory, intakes_from_documents
from tests.services.ruleset_cases import (
    case_document,
    older_adult,
    publish,
    raise_bzd_threshold_to_10,
)

# Screening under versions ---------------------------------------------------------


def comparable(result: dict) -> str:
    return json.dumps(result["flags"], cls=AnswerEncoder, sort_keys=True)


def test_it_screens_old_intakes_identically_under_their_own_version__t_int_07(
    clinic, rule_admin, second_admin
):
    documents = [older_adult(145, 85), case_document("C02"), case_document("C04")]
    intakes = intakes_from_documents(clinic, documents, created_by=rule_admin)
    for intake in intakes:
        screenings.do_screen_intake(intake, by=rule_admin)
    first = list(Screening.objects.order_by("intake_id"))
    draft = drafts.do_create_draft(clinic, by=rule_admin)
    drafts.do_update_settings(
        draft, {"bp_guide_age_banded": True}, revision=1, by=rule_admin
    )
    raise_bzd_threshold_to_10(draft, rule_admin)
    publish(draft, by=second_admin)

    for screening in first:
        intake = Intake.objects.get(pk=screening.intake_id)
        again = engine.screen_document(
            documents_service.intake_document(intake),
            rulesets.get_engine_ruleset(screening.ruleset),
        )
        assert screening.ruleset_version == "default-1"
        assert comparable(again) == comparable(screening.result)
    # ... while the current screenings ran under the new version, and differ.
    current = Screening.objects.filter(ruleset__label="clinic-a-1")
    assert current.count() == 3
    assert {s.result["ruleset_version"] for s in current} == {"clinic-a-1"}


# Storing a screening ---------------------------------------------------------------


def test_it_writes_every_column_of_a_screening():
    # The one-statement upsert (PostgreSQL) names each column: a new one goes there.
    columns = {f.column for f in Screening._meta.concrete_fields if not f.primary_key}
    assert set(screenings.SCREENING_COLUMNS) == columns


def test_it_stores_the_screening_as_the_intakes_current_one(clinic, intake_staff):
    patient = PatientFactory(clinic=clinic, created_by=intake_staff)
    intake = IntakeFactory(patient=patient, created_by=intake_staff)
    Intake.objects.filter(pk=intake.pk).update(current_screening=None)

    first = screenings.do_screen_intake(intake, by=intake_staff)
    # The same intake version under the same ruleset: replaced, not added.
    with CaptureQueriesContext(connection) as queries:
        again = screenings.do_screen_intake(intake, by=intake_staff)

    assert again.pk == first.pk
    assert Screening.objects.filter(intake=intake).count() == 1
    assert Intake.objects.get(pk=intake.pk).current_screening_id == again.pk
    assert intake.current_screening == again
    stored = Screening.objects.get(pk=again.pk)
    for column in screenings.SCREENING_COLUMNS:
        assert getattr(stored, column) == getattr(again, column), column
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if "screening_screening" in query["sql"]
        or "current_screening_id" in query["sql"]
    ]
    # On PostgreSQL the upsert's statement also sets the intake's current screening.
    assert len(writes) == (1 if connection.vendor == "postgresql" else 2), writes
