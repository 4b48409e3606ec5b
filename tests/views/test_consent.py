"""Consent pages (#18): the clinic admin's documents, staff recording consent."""

import pytest
from django.urls import reverse

from screening.models import ConsentDocument, ConsentRecord
from tests.factories import published_consent, screened_intake
from tests.services.review_documents import realistic

DOCUMENT = {
    "title": "Consent to screening",
    "version": "3",
    "effective_on": "2027-01-01",
    "text": "I agree.",
}


@pytest.fixture
def intake(clinic, intake_staff):
    published_consent(clinic)
    return screened_intake(
        clinic, realistic(), by=intake_staff, consented=False, ready=False
    )


def test_the_clinic_admin_drafts_and_publishes_a_consent_document(client_as, clinic):
    client = client_as("clinic_admin")
    response = client.post(reverse("screening:consent-documents"), DOCUMENT)
    document = ConsentDocument.objects.get(version="3")
    assert response.url == reverse("screening:consent-document", args=[document.pk])
    assert "Publish this version" in client.get(response.url).text

    client.post(reverse("screening:consent-document-publish", args=[document.pk]))
    page = client.get(reverse("screening:consent-document", args=[document.pk])).text
    assert "A published version never changes" in page
    assert "Save the draft" not in page

    changed = client.post(
        reverse("screening:consent-document", args=[document.pk]),
        {**DOCUMENT, "text": "Changed."},
    )
    assert changed.status_code == 200
    assert "never changes: draft a new version" in changed.text
    document.refresh_from_db()
    assert document.text == "I agree."


def test_a_bad_document_keeps_what_was_typed(client_as):
    response = client_as("clinic_admin").post(
        reverse("screening:consent-documents"),
        {**DOCUMENT, "effective_on": "2027-13-01"},
    )
    assert response.status_code == 200
    assert "Enter a real date as YYYY-MM-DD" in response.text
    assert "I agree." in response.text


def test_the_clinic_admin_page_links_consent_and_the_csv(client_as):
    page = client_as("clinic_admin").get(reverse("screening:clinic-admin")).text
    assert reverse("screening:consent-documents") in page
    assert reverse("screening:intake-csv-export") in page


def test_staff_record_a_patients_consent(client_as, intake):
    client = client_as("intake_staff")
    url = reverse("screening:intake-consent", args=[intake.pk])
    page = client.get(url).text
    assert "Consent to screening for ketamine-assisted therapy, version 1" in page

    response = client.post(
        url,
        {
            "document": published_consent(intake.clinic).pk,
            "method": "verbal_witnessed",
            "consented_at": "2026-12-01 10:30",
            "witness": "Sam Lee, nurse",
        },
    )
    assert response.url == reverse("screening:intake-detail", args=[intake.pk])
    record = ConsentRecord.objects.get(intake=intake)
    assert record.witness == "Sam Lee, nurse"
    overview = client.get(response.url).text
    assert "Consented to Consent to screening for ketamine-assisted therapy" in overview


def test_verbal_consent_without_a_witness_is_refused_beside_the_field(
    client_as, intake
):
    response = client_as("intake_staff").post(
        reverse("screening:intake-consent", args=[intake.pk]),
        {
            "document": published_consent(intake.clinic).pk,
            "method": "verbal_witnessed",
            "consented_at": "2026-12-01 10:30",
            "reference": "room 4",
        },
    )
    assert response.status_code == 200
    assert "Verbal consent needs its witness" in response.text
    assert 'value="room 4"' in response.text
    assert not ConsentRecord.objects.exists()


def test_the_summary_shows_the_consent_status(client_as, intake):
    page = client_as("clinician").get(
        reverse("screening:review-summary", args=[intake.pk])
    )
    assert "No consent on record." in page.text
