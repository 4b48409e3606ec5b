import json
import logging
import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from screening.logs import JsonFormatter
from screening.models import (
    AuditEvent,
    ConsentRecord,
    Intake,
    Patient,
    RulesetVersion,
)
from screening.services import consent, drafts, impact, intakes
from tests.factories import MembershipFactory, UserFactory, published_consent
from tests.security.conftest import PASSWORD, totp_code
from tests.services.test_reviews import signed

pytestmark = pytest.mark.django_db

DOCUMENT = Path(__file__).resolve().parents[1] / "documents/every-optional-key.json"


class _Everything(logging.Handler):
    """Keeps every record of every logger, formatted as production writes it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(JsonFormatter().format(record))


@pytest.fixture
def every_log_line():
    handler = _Everything()
    loggers = [logging.getLogger()] + [
        logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
    ]
    levels = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    yield handler
    for logger, level in levels:
        logger.setLevel(level)
        logger.removeHandler(handler)


def test_it_keeps_the_canary_out_of_logs_urls_audit_and_errors__t_aud_08(
    settings, client_as, clinic, every_log_line
):
    canary = f"ZZCANARY-{uuid.uuid4()}"
    settings.ROOT_URLCONF = "tests.security.boom_urls"
    staff = client_as("intake_staff")
    clinician = client_as("clinician")
    for client in (staff, clinician):
        client.raise_request_exception = False
    responses = []

    def send(client, method, url, data=None):
        response = getattr(client, method)(url, data or {})
        responses.append((url, response))
        return response

    created = send(
        staff,
        "post",
        reverse("screening:patient-create"),
        {
            "mrn": f"{canary}-MRN"[:64],
            "family_name": canary,
            "given_name": canary,
            "date_of_birth": "1980-05-17",
            "sex_for_scoring": "female",
        },
    )
    assert created.status_code == 302
    patient = Patient.objects.get(family_name=canary)
    started = send(
        staff,
        "post",
        reverse("screening:intake-create", args=[patient.pk]),
        {"intake_on": "2026-11-02", "primary_indication": "major_depressive_disorder"},
    )
    assert started.status_code == 302
    intake = Intake.objects.get(patient=patient)
    # Free-text answers carry the canary too (as an import or a form would store them).
    document = json.loads(DOCUMENT.read_text())
    medications = [
        dict(row, name=f"{row['name']} {canary}") for row in document["medications"]
    ]
    for kind, value in (
        ("medications", medications),
        ("allergies", [{"substance": canary, "reaction": canary}]),
    ):
        section = intake.sections.get(kind=kind)
        intakes.do_save_section(
            section,
            value,
            missing_reasons={},
            version=section.version,
            by=patient.created_by,
        )
    send(staff, "post", reverse("screening:patient-list"), {"q": canary})
    for name in ("patient-detail",):
        send(staff, "get", reverse(f"screening:{name}", args=[patient.pk]))
    for name in (
        "intake-detail",
        "intake-export",
        "intake-fhir",
        "intake-clinician-edit",
    ):
        send(staff, "get", reverse(f"screening:{name}", args=[intake.pk]))
    for section in ("medications", "allergies", "vitals"):
        send(
            staff,
            "get",
            reverse("screening:intake-section-edit", args=[intake.pk, section]),
        )
    export = send(staff, "post", reverse("screening:intake-export", args=[intake.pk]))
    assert export.status_code == 200
    send(clinician, "get", reverse("screening:review-summary", args=[intake.pk]))
    # Reasons are free text: an addendum's and a publish reason travel too (F6).
    consent.do_record_consent(  # a "proceed" is signed only with it (#18)
        intake,
        document=published_consent(intake.clinic),
        method=ConsentRecord.Method.PAPER_SCANNED,
        consented_at=timezone.now(),
        by=intake.created_by,
    )
    signed(intake, get_user_model().objects.get(username="clinician-user"))
    amended = send(
        clinician,
        "post",
        reverse("screening:intake-addendum", args=[intake.pk]),
        {"reason": f"Allergy to {canary} was missed."},
    )
    assert amended.status_code == 302
    published = _publish(clinic, client_as("rule_admin"), f"Approved: {canary}", send)
    assert published.status_code == 302
    failed = send(staff, "post", "/boom/", {"note": canary, "family_name": canary})
    assert failed.status_code == 500
    missing = send(staff, "get", reverse("screening:patient-detail", args=[10**9]))
    assert missing.status_code == 404
    stranger = send(
        client_as("auditor"),
        "get",
        reverse("screening:patient-detail", args=[patient.pk]),
    )
    assert stranger.status_code == 403

    hits = []
    for url, response in responses:
        if canary in url or canary in response.get("Location", ""):
            hits.append(f"url {url}")
        if response.status_code >= 400 and canary.encode() in response.content:
            hits.append(f"error page {url} {response.status_code}")
        for cookie in response.cookies.values():
            if canary in cookie.value:
                hits.append(f"cookie {cookie.key}")
    for line in every_log_line.lines:
        if canary in line:
            hits.append(f"log {line[:120]}")
    for record in every_log_line.records:
        if canary in record.getMessage():
            hits.append(f"log message {record.name}")
    text_fields = [
        field.name
        for field in AuditEvent._meta.fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
    ]
    for row in AuditEvent.objects.values(*text_fields):
        if canary in json.dumps(row, default=str):
            hits.append(f"audit row {row}")
    assert hits == []
    # The canary did travel: shown to its own clinic's staff, and quoted by the failing
    # view's exception, which reached the log only as types and frames.
    shown = [
        r
        for url, r in responses
        if r.status_code == 200 and canary.encode() in r.content
    ]
    assert shown
    raised = [r for r in every_log_line.records if r.exc_info and r.exc_info[1]]
    assert any(canary in str(r.exc_info[1]) for r in raised)
    assert AuditEvent.objects.filter(patient=patient).count() >= 10
    addendum = intake.addenda.get().addendum_record
    assert addendum.reason == f"Allergy to {canary} was missed."
    assert RulesetVersion.objects.filter(publish_reason__contains=canary).exists()


def _publish(clinic, approver, reason, send):
    """Publish a draft of another rule admin through the approval form."""
    author = UserFactory(username="canary-author")
    MembershipFactory(user=author, clinic=clinic, role="rule_admin")
    draft = drafts.do_create_draft(clinic, by=author)
    impact.do_show_impact_preview(draft, by=author)
    device = TOTPDevice.objects.get(user__username="rule_admin-user")
    return send(
        approver,
        "post",
        reverse("screening:ruleset-publish", args=[draft.pk]),
        {
            "reason": reason,
            "password": PASSWORD,
            "otp_token": totp_code(device),
            "revision": draft.revision,
        },
    )
