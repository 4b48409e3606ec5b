"""Measure the background re-screen: intakes per second through do_run_rescreen_job.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/intake_screening \\
        .venv/bin/python bench/rescreen.py [--intakes 10000] [--batch-size 500] \\
        [--processes 2]

It creates a throwaway test database (test_<name>, destroyed afterwards), stores the
intakes with bulk inserts (the shipped clinic test cases, cycled, BP varied), publishes
a clinic version and times the job as the worker runs it: batches of open intakes,
documents built in memory, screened in --processes engine processes, Screening rows
copied in, the intakes' current screening moved in one UPDATE, one audit row per
batch. Setup is not timed.

In the same run it measures the machine's limit (issue #19 goal 4): what one intake
costs an engine process (document, engine, result as JSON text; timed in this process
over 2,000 intakes) x N / the CPUs, plus a COPY of the N Screening rows alone; it
prints that limit and the fraction of it the job achieved.

On a machine shared with other work the job's engine processes do not get every CPU,
and the single-process sample is taken at another moment than the job, so that
fraction swings from run to run. The script also times the engine processes alone
right after the job: the same intakes, read first, screened by a pool of --processes
as the job does it, no database; with the COPY that is what the job could have done
at that moment, and the job's fraction of it is printed too.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
# Read before the test settings default it to an in-memory SQLite database.
DATABASE_URL_SET = "DATABASE_URL" in os.environ

import django  # noqa: E402 - the path and settings are set up first

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from screening import intake_format  # noqa: E402
from screening.intake_format.fields import SECTIONS  # noqa: E402
from screening.models import (  # noqa: E402
    Clinic,
    Intake,
    IntakeSection,
    Membership,
    Patient,
    RescreenJob,
)
from screening.services import (  # noqa: E402
    drafts,
    impact,
    publishing,
    rescreen,
    rulesets,
)

CASES_DIR = Path(settings.BASE_DIR) / "fixtures" / "clinic_test_cases"
KEEP_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "QUEUES": ["default"],
    }
}


def store_intakes(clinic: Clinic, count: int, user: object) -> None:
    base = [
        intake_format.load_document(path.read_bytes(), today=None)
        for path in sorted(CASES_DIR.glob("*.json"))
    ]
    documents = []
    for n in range(count):
        document = copy.deepcopy(base[n % len(base)])
        document["vitals"]["bp_systolic"] = 120 + n % 40
        documents.append(document)
    patients = Patient.objects.bulk_create(
        Patient(
            clinic=clinic,
            mrn=f"BENCH{n:07d}",
            given_name="Bench",
            family_name="Patient",
            date_of_birth=date(1970, 1, 1),
            created_by=user,
        )
        for n in range(count)
    )
    intakes = Intake.objects.bulk_create(
        Intake(
            clinic=clinic,
            patient=patient,
            intake_on=date.fromisoformat(document["intake_date"]),
            created_by=user,
        )
        for patient, document in zip(patients, documents, strict=True)
    )
    IntakeSection.objects.bulk_create(
        (
            IntakeSection(
                intake=intake,
                kind=kind,
                data=document[kind],
                version=1,
                updated_by=user,
            )
            for intake, document in zip(intakes, documents, strict=True)
            for kind in SECTIONS
        ),
        batch_size=5000,
    )


def engine_seconds_per_intake(job: RescreenJob, sample: int) -> float:
    """What one intake costs a worker (document built, engine run, result as JSON
    text), timed in this process over the first `sample` open intakes."""
    ruleset = rulesets.get_engine_ruleset(job.ruleset)
    batch = rescreen.read_stored_batch(job.clinic, after=0, size=sample)
    rescreen.screen_stored(batch[:50], ruleset, as_text=True)  # warm-up
    started = time.perf_counter()
    rescreen.screen_stored(batch, ruleset, as_text=True)
    return (time.perf_counter() - started) / len(batch)


def pool_seconds_of(job: RescreenJob, processes: int, batch_size: int) -> float:
    """The job's intakes screened by its engine processes alone: every batch read
    first, then all handed to the pool at once, as the job hands them over."""
    ruleset = rulesets.get_engine_ruleset(job.ruleset)
    batches, after = [], 0
    while batch := rescreen.read_stored_batch(job.clinic, after=after, size=batch_size):
        batches.append(batch)
        after = batch[-1][0].pk
    with rescreen._engine(ruleset, processes=processes) as screen:
        started = time.perf_counter()
        pending = [screen(batch) for batch in batches]
        for results in pending:
            results()
        return time.perf_counter() - started


def copy_seconds_of(job: RescreenJob) -> float:
    """COPY of the job's Screening rows into a table like screening_screening, timed
    alone (the rows read out first, the transaction rolled back)."""
    columns = ", ".join(rescreen.SCREENING_COLUMNS)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        data = bytearray()
        query = (
            f"COPY (SELECT {columns} FROM screening_screening "  # noqa: S608
            f"WHERE ruleset_id = {int(job.ruleset_id)}) TO STDOUT"
        )
        with raw.copy(query) as copy:
            for block in copy:
                data += block
        with transaction.atomic():
            cursor.execute(
                f"CREATE TEMPORARY TABLE copy_bench ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {columns} FROM screening_screening WITH NO DATA"
            )
            started = time.perf_counter()
            with raw.copy(f"COPY copy_bench ({columns}) FROM STDIN") as copy:
                copy.write(bytes(data))
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
    return seconds


def run(count: int, batch_size: int, processes: int, engine_sample: int) -> None:
    clinic = Clinic.objects.create(name="Bench clinic", slug="bench")
    author, approver = (
        get_user_model().objects.create(username=name)
        for name in ("author", "approver")
    )
    for user in (author, approver):
        Membership.objects.create(user=user, clinic=clinic, role="rule_admin")
    store_intakes(clinic, count, author)
    draft = drafts.do_create_draft(clinic, by=author)
    drafts.do_update_settings(
        draft, {"bp_guide_age_banded": True}, revision=1, by=author
    )
    draft.refresh_from_db()
    started = time.perf_counter()
    impact.do_show_impact_preview(draft, by=author)
    preview_seconds = time.perf_counter() - started
    # Queued on a backend that keeps the task: the job is run (and timed) below.
    with override_settings(TASKS=KEEP_TASKS):
        publishing.do_publish_ruleset(
            draft, by=approver, reason="bench", revision=draft.revision
        )
    job = RescreenJob.objects.get(ruleset=draft)
    RescreenJob.objects.filter(pk=job.pk).update(batch_size=batch_size)

    started = time.perf_counter()
    job = rescreen.do_run_rescreen_job(job.pk, processes=processes)
    seconds = time.perf_counter() - started

    assert job.done == count, (job.done, count)  # noqa: S101 - a bench sanity check
    load_after_job = os.getloadavg()
    engine_seconds = engine_seconds_per_intake(job, engine_sample)
    pool_seconds = pool_seconds_of(job, processes, batch_size)
    copy_seconds = copy_seconds_of(job)
    cores = os.cpu_count() or 1
    limit = engine_seconds * count / cores + copy_seconds
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(
        f"intakes: {count}, batch size {batch_size}, batches {job.batches}, "
        f"engine processes {processes}"
    )
    print(f"re-screen: {seconds:.2f} s = {count / seconds:.0f} intakes/s")
    print(
        f"engine per intake (document, engine, JSON; one process, "
        f"{engine_sample} intakes): {engine_seconds * 1e6:.0f} us"
    )
    print(f"COPY of the {count} Screening rows: {copy_seconds:.2f} s")
    print(
        f"machine's limit: engine x N / {cores} cores + COPY = {limit:.2f} s; "
        f"achieved {limit / seconds:.0%} of it (goal >= 70 %)"
    )
    measured = pool_seconds + copy_seconds
    print(
        f"engine processes alone ({processes}, the same intakes read first): "
        f"{pool_seconds:.2f} s; + COPY = {measured:.2f} s; the job achieved "
        f"{measured / seconds:.0%} of that"
    )
    load = ", ".join(f"{x:.1f}" for x in load_after_job)
    print(f"machine: {os.cpu_count()} CPUs, load average {load} after the job")
    print(
        f"impact preview (two screenings each): {preview_seconds:.2f} s = "
        f"{count / preview_seconds:.0f} intakes/s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intakes", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=rescreen.DEFAULT_BATCH_SIZE)
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="engine processes of the job (RESCREEN_PROCESSES; default: the CPUs)",
    )
    options = parser.parse_args()
    if not DATABASE_URL_SET:
        print(
            "Set DATABASE_URL (PostgreSQL): the figure is for the production database."
        )
        return 2
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(
            options.intakes,
            options.batch_size,
            options.processes,
            min(options.intakes, 2000),
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
