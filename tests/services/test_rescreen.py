import copy
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.db.models import Count, F
from django.test import TestCase
from django.utils import timezone

from screening import intake_format
from screening.models import AuditEvent, Intake, RescreenJob, RulesetVersion, Screening
from screening.services import drafts, impact, publishing, rescreen, screenings
from tests.factories import MembershipFactory, UserFactory, intakes_from_documents

CASES_DIR = Path(settings.BASE_DIR) / "fixtures" / "clinic_test_cases"


class WorkerKilledError(Exception):
    pass


def documents(count: int) -> list[dict]:
    """Realistic intakes: the shipped test cases, cycled, BP varied."""
    base = [
        intake_format.load_document(path.read_bytes(), today=None)
        for path in sorted(CASES_DIR.glob("*.json"))
    ]
    made = []
    for n in range(count):
        document = copy.deepcopy(base[n % len(base)])
        document["vitals"]["bp_systolic"] = 120 + n % 40
        made.append(document)
    return made


@pytest.fixture
def published(clinic, rule_admin):
    """A published clinic version whose job has not run yet (the tests run it)."""
    draft = drafts.do_create_draft(clinic, by=rule_admin)
    drafts.do_update_settings(
        draft, {"bp_guide_age_banded": True}, revision=1, by=rule_admin
    )
    draft.refresh_from_db()
    return draft


def publish_without_running(draft, *, by) -> RescreenJob:
    impact.do_show_impact_preview(draft, by=by)
    # The on-commit enqueue is captured, not run: the test drives the job itself.
    with TestCase.captureOnCommitCallbacks(execute=False):
        publishing.do_publish_ruleset(draft, by=by, reason="r", revision=draft.revision)
    return RescreenJob.objects.get(ruleset=draft)


@pytest.fixture
def approver(clinic):
    user = UserFactory(username="approver")
    MembershipFactory(user=user, clinic=clinic, role="rule_admin")
    return user


def test_it_rescreens_open_intakes_in_batches_with_one_audit_row_each(
    clinic, rule_admin, approver, published
):
    intakes = intakes_from_documents(clinic, documents(7), created_by=rule_admin)
    job = publish_without_running(published, by=approver)
    RescreenJob.objects.filter(pk=job.pk).update(batch_size=3)

    job = rescreen.do_run_rescreen_job(job.pk)

    assert (job.status, job.total, job.done, job.screened) == ("finished", 7, 7, 7)
    assert job.batches == 3
    rows = AuditEvent.objects.filter(action="intake.screened", object_id=str(job.pk))
    ids = [intake.pk for intake in intakes]
    assert [row.detail for row in rows] == [
        {
            "object_type": "intake",
            "count": len(chunk),
            "ruleset_version": "clinic-a-1",
            "first_id": chunk[0],
            "last_id": chunk[-1],
        }
        for chunk in (ids[0:3], ids[3:6], ids[6:7])
    ]
    for intake in Intake.objects.select_related("current_screening"):
        assert intake.current_screening.ruleset == published
        assert intake.current_screening.intake_version == intake.version
    finished = AuditEvent.objects.get(action="ruleset.rescreen_finished")
    assert finished.detail["count"] == 7


def test_it_resumes_a_killed_job_and_screens_each_intake_once(
    clinic, rule_admin, approver, published
):
    intakes_from_documents(clinic, documents(10), created_by=rule_admin)
    job = publish_without_running(published, by=approver)
    RescreenJob.objects.filter(pk=job.pk).update(batch_size=3)

    def kill_after_two_batches(batch: int) -> None:
        if batch == 2:
            raise WorkerKilledError

    with pytest.raises(WorkerKilledError):
        rescreen.do_run_rescreen_job(job.pk, after_batch=kill_after_two_batches)
    job.refresh_from_db()
    assert (job.status, job.done) == ("running", 6)
    assert rescreen.list_stale_jobs().count() == 0  # it only just stopped

    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        resumed = rescreen.do_resume_stale_jobs()  # the immediate backend runs it

    assert [j.pk for j in resumed] == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.done, job.screened, job.attempts) == ("finished", 10, 10, 2)
    per_intake = Screening.objects.filter(ruleset=published).values("intake_id")
    counts = per_intake.annotate(n=Count("pk")).values_list("n", flat=True)
    assert sorted(counts) == [1] * 10
    assert not Intake.objects.exclude(current_screening__ruleset=published).exists()


def signed_screenings():
    return Intake.objects.filter(status="signed").values_list(
        "pk", "current_screening_id"
    )


def test_it_leaves_signed_intakes_as_they_were(clinic, rule_admin, approver, published):
    signed = intakes_from_documents(
        clinic, documents(2), created_by=rule_admin, status="signed"
    )
    open_ = intakes_from_documents(clinic, documents(2), created_by=rule_admin)
    for intake in signed:
        screenings.do_screen_intake(intake, by=rule_admin)
    before = {
        i.pk: i.current_screening_id for i in Intake.objects.filter(status="signed")
    }

    job = rescreen.do_run_rescreen_job(
        publish_without_running(published, by=approver).pk
    )

    assert job.total == 2
    after = {
        i.pk: i.current_screening_id for i in Intake.objects.filter(status="signed")
    }
    assert after == before
    assert Screening.objects.filter(ruleset=published).count() == len(open_)


def test_it_skips_an_intake_already_screened_under_the_version(
    clinic, rule_admin, approver, published
):
    intakes = intakes_from_documents(clinic, documents(3), created_by=rule_admin)
    job = publish_without_running(published, by=approver)
    # Saved after the publish: its save screened it under the new version already.
    screenings.do_screen_intake(intakes[1], by=rule_admin)

    job = rescreen.do_run_rescreen_job(job.pk)

    assert (job.done, job.screened, job.already_screened) == (3, 2, 1)
    assert Screening.objects.filter(ruleset=published).count() == 3


def test_it_does_not_point_an_intake_edited_meanwhile_at_an_old_version(
    clinic, rule_admin, approver, published, monkeypatch
):
    intakes = intakes_from_documents(clinic, documents(2), created_by=rule_admin)
    job = publish_without_running(published, by=approver)
    run_engine = screenings.run_engine

    def saved_while_screening(document, ruleset):
        # A section save lands between reading the batch and committing it.
        Intake.objects.filter(pk=intakes[1].pk).update(version=F("version") + 1)
        return run_engine(document, ruleset)

    monkeypatch.setattr(screenings, "run_engine", saved_while_screening)
    rescreen.do_run_rescreen_job(job.pk)

    first, second = Intake.objects.order_by("pk")
    assert first.current_screening.ruleset == published
    assert second.current_screening is None


def test_it_finishes_a_job_with_nothing_to_do(clinic, rule_admin, approver, published):
    job = rescreen.do_run_rescreen_job(
        publish_without_running(published, by=approver).pk
    )

    assert job.status == "finished"
    assert job.percent == 100


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the 10,000-intake run is for PostgreSQL"
)
def test_it_rescreens_10000_intakes_in_the_background_on_postgresql(
    clinic, rule_admin, approver, published
):
    intakes_from_documents(clinic, documents(10_000), created_by=rule_admin)
    job = publish_without_running(published, by=approver)
    started = time.perf_counter()

    def kill_after_seven_batches(batch: int) -> None:
        if batch == 7:
            raise WorkerKilledError

    with pytest.raises(WorkerKilledError):
        rescreen.do_run_rescreen_job(job.pk, after_batch=kill_after_seven_batches)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        rescreen.do_resume_stale_jobs()
    elapsed = time.perf_counter() - started

    job.refresh_from_db()
    assert (job.status, job.done, job.screened) == ("finished", 10_000, 10_000)
    assert Screening.objects.filter(ruleset=published).count() == 10_000
    assert (
        Screening.objects.filter(ruleset=published)
        .values("intake_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
        == 0
    )
    assert not Intake.objects.exclude(current_screening__ruleset=published).exists()
    assert RulesetVersion.objects.get(pk=published.pk).label == "clinic-a-1"
    assert elapsed < 600
