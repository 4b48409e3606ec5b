"""Each consent record of an intake is a FHIR R4B Consent in its bundle (#18)."""

import datetime

import pytest
from django.utils import timezone

from screening.models import ConsentRecord
from screening.services import consent
from tests.factories import published_consent, screened_intake
from tests.fhir.conftest import bundle_of, resources
from tests.services.review_documents import realistic

pytestmark = pytest.mark.django_db


def test_the_bundle_holds_the_patients_consent(clinic, intake_staff):
    intake = screened_intake(clinic, realistic(), by=intake_staff, consented=False)
    assert resources(bundle_of(intake, intake_staff), "Consent") == []
    when = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=2)
    consent.do_record_consent(
        intake,
        document=published_consent(clinic),
        method=ConsentRecord.Method.PAPER_SCANNED,
        consented_at=when,
        by=intake_staff,
    )

    bundle = bundle_of(intake, intake_staff)
    (found,) = resources(bundle, "Consent")
    (patient,) = [
        e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    ]

    assert found["status"] == "active"
    assert found["patient"] == {"reference": patient["fullUrl"]}
    assert found["category"][0]["coding"][0]["code"] == "59284-0"
    assert found["dateTime"] == when.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert found["sourceAttachment"]["title"] == (
        "Consent to screening for ketamine-assisted therapy, version 1"
    )
    assert found["extension"][0]["valueCoding"]["code"] == "paper_scanned"
    assert found["policy"][0]["uri"].endswith(":1")
