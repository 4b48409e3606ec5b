"""Free text stays with its own row; the audit row carries a reference (F6).

An addendum's reason is clinical text and a publish reason is whatever the approver
typed: both are kept on their own record (the Addendum, the RulesetVersion) and the
audit row's `reason` names that record, which is all T-AUD-01's "reason required" asks.
"""

import csv
import io

import pytest
from django.urls import reverse

from screening.models import Addendum, AuditEvent, RulesetVersion
from screening.services import clinic_tests, drafts, impact, publishing, reviews
from tests.factories import screened_intake
from tests.security.conftest import ROOT
from tests.services.review_documents import REALISTIC
from tests.services.test_reviews import fresh, signed

pytestmark = pytest.mark.django_db

CLINICAL_TEXT = "BP 210/120 mis-typed as 120; patient disclosed a new MAOI."
PUBLISH_TEXT = "Agreed with Dr Example after the patient complaint of 2 Dec."
CASE_TEXT = "Dr Example decided the EU guide applies from 65 on 3 Dec."


def _exported(client) -> str:
    export = client.get(reverse("screening:audit-export"))
    assert export.status_code == 200
    return b"".join(export.streaming_content).decode()


def test_it_keeps_the_addendum_reason_out_of_the_audit_row__f6(
    clinic, intake_staff, clinician, client_as
):
    intake = screened_intake(clinic, REALISTIC, by=intake_staff)
    signed(intake, clinician)

    addendum = reviews.do_start_addendum(
        fresh(intake), reason=CLINICAL_TEXT, by=clinician
    )

    record = Addendum.objects.get(intake=addendum)
    assert record.reason == CLINICAL_TEXT
    row = AuditEvent.objects.get(action="intake.amended")
    assert row.reason == f"addendum:{record.pk}"
    assert CLINICAL_TEXT not in str(row.detail)
    rows = list(csv.reader(io.StringIO(_exported(client_as("auditor")))))
    assert [f"addendum:{record.pk}"] == [
        cell for line in rows for cell in line if cell.startswith("addendum:")
    ]
    assert not any(CLINICAL_TEXT in cell for line in rows for cell in line)


def test_it_keeps_the_publish_reason_out_of_the_audit_rows__f6(
    clinic, rule_admin, member, client_as
):
    draft = drafts.do_create_draft(clinic, by=rule_admin)
    impact.do_show_impact_preview(draft, by=rule_admin)
    approver = member(clinic, "rule_admin", "approver")

    published = publishing.do_publish_ruleset(
        draft, by=approver, reason=PUBLISH_TEXT, revision=draft.revision
    )

    assert RulesetVersion.objects.get(pk=published.pk).publish_reason == PUBLISH_TEXT
    rows = AuditEvent.objects.filter(
        action__in=["ruleset.approved", "ruleset.published"]
    )
    assert sorted(rows.values_list("action", "reason")) == [
        ("ruleset.approved", f"publish:{published.pk}"),
        ("ruleset.published", f"publish:{published.pk}"),
    ]
    assert PUBLISH_TEXT not in _exported(client_as("auditor"))


def test_it_keeps_a_test_case_approval_reason_out_of_the_audit_row__f6(
    clinic, rule_admin, client_as
):
    clinic_tests.do_load_test_cases(
        clinic, ROOT / "fixtures/clinic_test_cases", by=rule_admin
    )
    draft = drafts.do_create_draft(clinic, by=rule_admin)
    case = clinic.test_cases.get(code="C01")

    expectation = clinic_tests.do_approve_expectation(
        case, draft=draft, reason=CASE_TEXT, by=rule_admin
    )

    assert expectation.reason == CASE_TEXT
    row = AuditEvent.objects.get(
        action="ruleset.edited", detail__change="expectation_approved"
    )
    assert row.reason == f"expectation:{expectation.pk}"
    assert CASE_TEXT not in _exported(client_as("auditor"))
