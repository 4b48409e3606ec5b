"""What the flagged summary reads, and how (screening/review_summary.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from screening.models import IntakeSection
from screening.review_summary import _revisions_by_kind, build_summary
from tests.factories import screened_intake
from tests.services.review_documents import REALISTIC
from tests.views.test_reviews import fresh, review_and_sign

pytestmark = pytest.mark.django_db

ONE_SECTION = 'FROM "screening_intakesection" WHERE "screening_intakesection"."id" ='


def test_it_gives_each_section_its_history_oldest_first(clinic, intake_staff):
    intake = screened_intake(clinic, REALISTIC, by=intake_staff)
    sections = list(IntakeSection.objects.filter(intake=intake))

    with CaptureQueriesContext(connection) as queries:
        found = _revisions_by_kind(intake, sections)
        read = {kind: {rev.section for rev in revs} for kind, revs in found.items()}

    assert len(queries.captured_queries) == 1
    assert {kind: [r.pk for r in revisions] for kind, revisions in found.items()} == {
        section.kind: list(
            section.revisions.order_by("version").values_list("pk", flat=True)
        )
        for section in sections
    }
    assert read == {section.kind: {section} for section in sections}


def test_a_signed_summary_checks_its_signature_without_reading_sections_one_by_one(
    client_as, clinic, intake_staff
):
    intake = screened_intake(clinic, REALISTIC, by=intake_staff)
    review_and_sign(client_as("clinician"), intake)

    with CaptureQueriesContext(connection) as queries:
        summary = build_summary(fresh(intake))

    assert summary.verification is not None
    assert summary.verification.is_intact
    one_by_one = [q["sql"] for q in queries.captured_queries if ONE_SECTION in q["sql"]]
    assert one_by_one == []
