"""The re-screen's bulk path: engine worker processes and the conflict-safe insert."""

import json

import pytest
from django.db import connection
from django.utils import timezone

from screening import engine
from screening.json_numbers import AnswerDecoder, AnswerEncoder
from screening.models import Intake, Screening
from screening.services import drafts, rescreen, rulesets
from screening.services.documents import intake_document
from tests.factories import MembershipFactory, UserFactory, intakes_from_documents
from tests.services.test_rescreen import documents, publish_without_running


@pytest.fixture
def published(clinic, rule_admin):
    """A clinic version with a changed setting, published by the tests."""
    draft = drafts.do_create_draft(clinic, by=rule_admin)
    drafts.do_update_settings(
        draft, {"bp_guide_age_banded": True}, revision=1, by=rule_admin
    )
    draft.refresh_from_db()
    return draft


@pytest.fixture
def approver(clinic):
    user = UserFactory(username="approver")
    MembershipFactory(user=user, clinic=clinic, role="rule_admin")
    return user


def as_stored(result: dict) -> dict:
    """A result as the JSON column gives it back (lists, exact numbers)."""
    return json.loads(json.dumps(result, cls=AnswerEncoder), cls=AnswerDecoder)


def test_it_screens_the_same_in_worker_processes(
    clinic, rule_admin, approver, published
):
    intakes_from_documents(clinic, documents(7), created_by=rule_admin)
    job = publish_without_running(published, by=approver)
    job.__class__.objects.filter(pk=job.pk).update(batch_size=3)

    job = rescreen.do_run_rescreen_job(job.pk, processes=2)

    assert (job.status, job.done, job.screened, job.batches) == ("finished", 7, 7, 3)
    ruleset = rulesets.get_engine_ruleset(published)
    for intake in Intake.objects.select_related("current_screening", "patient"):
        assert intake.current_screening.ruleset_id == published.pk
        assert intake.current_screening.result == as_stored(
            engine.screen_document(intake_document(intake), ruleset)
        )


def test_it_reads_the_documents_the_sections_hold(clinic, rule_admin):
    made = intakes_from_documents(clinic, documents(3), created_by=rule_admin)

    batch = rescreen.load_batch(clinic, after=0, size=10)

    assert [intake.pk for intake, _ in batch] == [intake.pk for intake in made]
    for intake, document in batch:
        assert document == intake_document(intake)


def test_it_inserts_a_screening_once_when_a_save_stored_it_first(
    clinic, rule_admin, published
):
    [intake] = intakes_from_documents(clinic, documents(1), created_by=rule_admin)
    result = engine.screen_document(
        intake_document(intake), rulesets.get_engine_ruleset(published)
    )

    # As the batch hands it over: on PostgreSQL the result is already JSON text.
    stored_form = (
        json.dumps(result, cls=AnswerEncoder)
        if connection.vendor == "postgresql"
        else result
    )

    def row() -> Screening:
        return Screening(
            intake=intake,
            intake_version=intake.version,
            ruleset=published,
            ruleset_version="clinic-a-1",
            outcome=result["outcome"],
            result=stored_form,
            screened_at=timezone.now(),
        )

    rescreen._insert_ignoring_conflicts([row()])
    rescreen._insert_ignoring_conflicts([row()])

    stored = Screening.objects.get(intake=intake, ruleset=published)
    assert stored.result == as_stored(result)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY text is PostgreSQL's"
)
def test_it_copies_the_rows_its_engine_processes_wrote_once_each(
    clinic, rule_admin, published
):
    made = intakes_from_documents(clinic, documents(3), created_by=rule_admin)
    ruleset = rulesets.get_engine_ruleset(published)
    batch = rescreen.read_stored_batch(clinic, after=0, size=10)
    screened = rescreen.screen_stored(batch, ruleset, as_text=True)
    rows = [(intake, done) for (intake, _), done in zip(batch, screened, strict=True)]
    # A value COPY's text format must escape: a backslash and a tab in an answer.
    odd = {**engine.screen_document(intake_document(made[0]), ruleset)}
    odd["derived"] = {**odd["derived"], "note": "C:\\temp\tx"}
    rows[0] = (
        rows[0][0],
        rows[0][1]._replace(
            line=rescreen._copy_line(odd["outcome"], odd, rows[0][1].counts)
        ),
    )

    rescreen._copy_screenings(
        rows[:1], ruleset_id=published.pk, screened_at=timezone.now()
    )
    # Again with the first row stored: a save got there first; the rest still go in.
    rescreen._copy_screenings(rows, ruleset_id=published.pk, screened_at=timezone.now())

    stored = Screening.objects.filter(ruleset=published).order_by("intake_id")
    assert [s.intake_id for s in stored] == [intake.pk for intake in made]
    assert stored[0].result == as_stored(odd)
    for screening, intake in zip(stored[1:], made[1:], strict=True):
        assert screening.result == as_stored(
            engine.screen_document(intake_document(intake), ruleset)
        )
        assert screening.intake_version == intake.version
