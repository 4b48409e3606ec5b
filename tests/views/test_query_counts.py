"""SQL queries per page: a fixed number, whatever the data (1 vs 50 of everything).

Counted over the whole request, middleware included (session, user, second factor,
memberships, the audit row, the sliding session's save). Transaction control
(BEGIN, COMMIT, SAVEPOINT, RELEASE) is left out: it differs between SQLite and
PostgreSQL, and between a test's wrapping transaction and production, while the
statements that read or write data do not. The counts are the same on both (on
PostgreSQL one statement takes the audit chain's lock and reads its head), but for
the writes PostgreSQL sends as one statement where SQLite needs two (the import's).
"""

import copy
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from devtools import generated
from devtools.generated_documents import GENERATED_UNTIL, generated_document
from screening import audit, worklist
from screening.forms.intakes import SECTION_FORMS
from screening.json_numbers import AnswerEncoder
from screening.models import Intake, RescreenJob, Screening
from screening.services import rereview, rulesets
from tests.factories import PatientFactory, screened_intake
from tests.forms.posting import browser_post
from tests.services.test_rereview import CHANGES, eu_guide_published, signed_intake
from tests.services.test_urgent import HIGH
from tests.services.test_urgent import document as urgent_document

# Target: 12 per page, every page's whole request included. Every request pays at most
# 5 of them: the session, the user (with whether they have set up a second factor, in
# the same statement), the OTP-verified session's device, the memberships, and the
# sliding session's save (at most once a minute since #19; counted here). A
# page that shows patients (the worklist) pays 2 more for their `patient.viewed` rows
# (#13 F2), one append whatever their number: the chain head under its lock, one
# INSERT (the worklist went from 6 to 8).
MAX_QUERIES = 12
# The summary reads two more rows than before #18 (whether the patient has sign-offs
# or finished self-reports for the trends, the intake's consent record): one over the
# target since the session saves at most once a minute. (The sign-offs, and the
# self-reports' answers, are read only when the patient has some: #19.)
SUMMARY_MAX_QUERIES = MAX_QUERIES + 1
# The two writes say why they need more; neither may grow with the data.
# A section save: the section (conditional UPDATE), the intake's version (UPDATE ...
# RETURNING), a history row, the ruleset, the screening (one upsert), the intake's
# current screening, and both audit rows (intake.updated, intake.screened) in one
# append: the chain head under its lock, one INSERT. 5 + 10 = 15.
MAX_SECTION_POST_QUERIES = 16  # + discarding the saver's draft (F15)
# An import of one document: the duplicate and MRN checks (one statement since #19),
# then the patient, the intake, its sections, their history rows, the import record,
# the ruleset, the screening, the current screening, and three audit rows
# (patient.created, intake.imported, intake.screened) in one append: 15 (16 before
# the checks were one statement, #19).
MAX_IMPORT_POST_QUERIES = 15
# On PostgreSQL an import sends three statements fewer: the intake with its import
# record, the sections with their history rows, and the screening with the intake's
# current screening are one statement each there (SQLite has no data-modifying WITH;
# #19).
POSTGRESQL_IMPORT_SAVES = 3
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
SIZES = (1, 50)


AUDIT_INSERT = 'INSERT INTO "screening_auditevent"'


def data_queries(captured: list[dict[str, Any]]) -> list[str]:
    """The statements that read or write data. One append of audit rows counts once:
    on SQLite Django splits a batch past the bound-variable limit (the patient
    list's 50 rows of 21 values) into several INSERTs; PostgreSQL sends one."""
    found: list[str] = []
    for query in captured:
        sql = query["sql"]
        if sql.lstrip().upper().startswith(TRANSACTION_CONTROL):
            continue
        if (
            sql.startswith(AUDIT_INSERT)
            and found
            and found[-1].startswith(AUDIT_INSERT)
        ):
            continue  # the same append's next batch
        found.append(sql)
    return found


def count(send) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = send()
    assert response.status_code in (200, 302), response.status_code
    return len(data_queries(captured.captured_queries))


def count_get(client, target: str) -> int:
    client.get(target)  # warm: the session and the compiled-ruleset cache
    return count(lambda: client.get(target))


def document(number: int, *, trials: int) -> dict[str, Any]:
    """A generated intake/1 document (an MDD one) with `trials` trial rows."""
    while True:
        doc, _ = generated_document(11, number, until=GENERATED_UNTIL)
        if doc["indication"]["primary"] == "major_depressive_disorder":
            break
        number += 1000
    first = copy.deepcopy(
        doc["antidepressant_trials"]
        or [
            {
                "drug": "sertraline",
                "daily_dose_mg": 150,
                "weeks_at_dose": 8,
                "adherence_pct": 90,
                "outcome": "nonresponse",
                "current_episode": True,
            }
        ]
    )[0]
    doc["antidepressant_trials"] = [copy.deepcopy(first) for _ in range(trials)]
    doc.pop("missing_reasons", None)
    for section in ("vitals", "medications", "substance_use", "scales"):
        # Answered in full, so no reason points at a value that is gone.
        doc[section] = generated_document(11, 1, until=GENERATED_UNTIL)[0][section]
    return doc


def with_flags(intake: Intake, flags: int) -> None:
    """Give the current screening `flags` flags (a real document raises a handful)."""
    screening = Screening.objects.get(pk=intake.current_screening_id)
    result = copy.deepcopy(screening.result)
    template = result["flags"][0] if result["flags"] else None
    result["flags"] = [
        {
            **(template or {}),
            "code": f"CV-TEST-{n}",
            "severity": "caution",
            "title": f"Test flag {n}",
            "evidence": {"answers": {"vitals.bp_systolic": 130}},
            "source": {"title": "Test", "year": "2026", "section": "1", "url": None},
            "ruleset_version": result["ruleset_version"],
        }
        for n in range(flags)
    ]
    Screening.objects.filter(pk=screening.pk).update(result=result, caution_count=flags)


@pytest.fixture
def intakes_of_size(clinic, intake_staff):
    """An intake whose flags, trials and neighbours in the clinic number `size`."""

    def make(size: int) -> Intake:
        generated.do_generate_intakes(clinic, size - 1 or 1, seed=size, by=intake_staff)
        intake = screened_intake(clinic, document(size, trials=size), by=intake_staff)
        with_flags(intake, size)
        return Intake.objects.get(pk=intake.pk)

    return make


def test_it_keeps_the_worklist_queries_constant(client_as, clinic, intake_staff):
    client = client_as("clinician")
    counts = []
    for size in SIZES:
        generated.do_generate_intakes(clinic, size, seed=size, by=intake_staff)
        counts.append(count_get(client, reverse("screening:review-worklist")))
        counts.append(
            count_get(client, reverse("screening:review-worklist") + "?status=")
        )
    assert counts == [counts[0]] * len(counts), counts
    assert counts[0] <= MAX_QUERIES, counts


def test_it_reads_the_lists_above_the_worklist_only_when_they_have_rows(
    client_as, clinic, intake_staff, clinician
):
    client = client_as("clinician")
    generated.do_generate_intakes(clinic, 5, seed=5, by=intake_staff)
    none_open = count_get(client, reverse("screening:review-worklist"))

    screened_intake(clinic, urgent_document(item9=0, cssrs=HIGH), by=intake_staff)
    signed_intake(clinic, CHANGES, staff=intake_staff, clinician=clinician)
    rereview.do_queue_rereviews(eu_guide_published(clinic, published_at=timezone.now()))
    assert worklist.open_lists(clinic) == worklist.OpenLists(True, True)
    both_open = count_get(client, reverse("screening:review-worklist"))

    assert both_open == none_open + 2, (none_open, both_open)
    assert both_open <= MAX_QUERIES, both_open


def test_it_keeps_the_summary_queries_constant(client_as, intakes_of_size):
    client = client_as("clinician")
    counts = [
        count_get(client, reverse("screening:review-summary", args=[intake.pk]))
        for intake in map(intakes_of_size, SIZES)
    ]
    assert counts[0] == counts[1], counts
    assert counts[0] <= SUMMARY_MAX_QUERIES, counts


def test_it_keeps_the_intake_overview_queries_constant(client_as, intakes_of_size):
    client = client_as("intake_staff")
    counts = [
        count_get(client, reverse("screening:intake-detail", args=[intake.pk]))
        for intake in map(intakes_of_size, SIZES)
    ]
    assert counts[0] == counts[1], counts
    assert counts[0] <= MAX_QUERIES, counts


def trials_url(intake: Intake) -> str:
    return reverse(
        "screening:intake-section-edit", args=[intake.pk, "antidepressant-trials"]
    )


def test_it_keeps_the_section_page_queries_constant(client_as, intakes_of_size):
    client = client_as("intake_staff")
    counts = [
        count_get(client, trials_url(intake)) for intake in map(intakes_of_size, SIZES)
    ]
    assert counts[0] == counts[1], counts
    assert counts[0] <= MAX_QUERIES, counts


def test_a_section_page_reads_the_intake_and_its_sections_in_one_round_trip(
    client_as, intakes_of_size
):
    client = client_as("intake_staff")
    url = trials_url(intakes_of_size(1))
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    reads = [
        sql
        for sql in data_queries(captured.captured_queries)
        if 'FROM "screening_intakesection"' in sql
    ]
    assert len(reads) == 1, reads
    # PostgreSQL takes both statements at once (compiled.together); SQLite has no
    # round trip to save, and reads them one by one.
    assert ('FROM "screening_intake" ' in reads[0]) is (
        connection.vendor == "postgresql"
    )


def test_it_keeps_the_section_save_queries_constant(client_as, intakes_of_size):
    client = client_as("intake_staff")
    client.get(reverse("screening:home"))  # warm the session
    counts = []
    for intake in map(intakes_of_size, SIZES):
        form_class = SECTION_FORMS["antidepressant-trials"]
        section = intake.sections.get(kind=form_class.section)
        data = browser_post(form_class(section=section, intake=intake))
        counts.append(count(lambda: client.post(trials_url(intake), data)))  # noqa: B023
        assert intake.sections.get(kind=form_class.section).version == 2
    assert counts[0] == counts[1], counts
    assert counts[0] <= MAX_SECTION_POST_QUERIES, counts


def test_it_keeps_the_import_queries_constant(client_as, clinic, intake_staff):
    client = client_as("intake_staff")
    client.get(reverse("screening:home"))
    counts = []
    for size in SIZES:
        generated.do_generate_intakes(clinic, size, seed=size, by=intake_staff)
        doc = document(size, trials=2)
        doc["patient"] = {"mrn": f"IMPORT-{size}"}
        upload = SimpleUploadedFile(
            "intake.json",
            json.dumps(doc, cls=AnswerEncoder).encode(),
            content_type="application/json",
        )
        data = {"clinic": clinic.pk, "files": [upload]}
        counts.append(
            count(lambda: client.post(reverse("screening:intake-import"), data))  # noqa: B023
        )
    assert counts[0] == counts[1], counts
    saved = POSTGRESQL_IMPORT_SAVES if connection.vendor == "postgresql" else 0
    assert counts[0] <= MAX_IMPORT_POST_QUERIES - saved, counts


def test_it_keeps_the_rules_page_queries_constant(client_as, clinic, rule_admin):
    client = client_as("rule_admin")
    default = rulesets.do_install_default_ruleset()
    counts = []
    for size in SIZES:
        RescreenJob.objects.bulk_create(
            RescreenJob(
                clinic=clinic, ruleset=default, total=size, created_by=rule_admin
            )
            for _ in range(size)
        )
        counts.append(count_get(client, reverse("screening:rule-index")))
    assert counts[0] == counts[1], counts
    assert counts[0] <= MAX_QUERIES, counts


def test_it_keeps_the_audit_report_queries_constant(client_as, clinic, intake_staff):
    client = client_as("auditor")
    counts = []
    for size in SIZES:
        for _ in range(size):
            audit.record("patient.searched", actor=intake_staff, clinic=clinic)
        counts.append(count_get(client, reverse("screening:audit-list")))
    assert counts[0] == counts[1], counts
    assert counts[0] <= MAX_QUERIES, counts


def test_it_keeps_the_patient_list_queries_constant(client_as, clinic, intake_staff):
    client = client_as("intake_staff")
    counts = []
    for size in SIZES:
        for number in range(size):
            PatientFactory(
                clinic=clinic, mrn=f"Q-{size}-{number}", created_by=intake_staff
            )
        # The first page (compiled statements, its rows' fields only) and page 2.
        counts.append(count_get(client, reverse("screening:patient-list")))
        counts.append(count_get(client, reverse("screening:patient-list") + "?page=2"))
    assert counts == [counts[0]] * len(counts), counts
    assert counts[0] <= MAX_QUERIES, counts
