"""The carry-over pages (#18): the offer, the carried sections, confirm, readiness."""

import datetime
import re

import pytest
from django.urls import reverse

from screening.models import CarryState, Intake
from tests.factories import PatientFactory, screened_intake
from tests.services.review_documents import realistic
from tests.services.test_reviews import fresh, signed

TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def first(clinic, intake_staff, clinician):
    patient = PatientFactory(clinic=clinic, created_by=intake_staff)
    intake = screened_intake(clinic, realistic(), by=intake_staff, patient=patient)
    signed(intake, clinician)
    return fresh(intake)


def start(client, patient, **fields) -> Intake:
    posted = {
        "intake_on": TODAY.isoformat(),
        "primary_indication": "major_depressive_disorder",
        **fields,
    }
    response = client.post(
        reverse("screening:intake-create", args=[patient.pk]), posted
    )
    assert response.status_code == 302, response.content
    return Intake.objects.filter(patient=patient).latest("pk")


def test_it_offers_to_start_from_the_signed_intake(client_as, first):
    response = client_as("intake_staff").get(
        reverse("screening:intake-create", args=[first.patient.pk])
    )
    assert "The intake of 2026-09-15" in response.text
    assert re.search(r'value="carried"[^>]*checked', response.text)


def test_it_offers_no_start_from_without_a_signed_intake(
    client_as, clinic, intake_staff
):
    patient = PatientFactory(clinic=clinic, created_by=intake_staff)
    response = client_as("intake_staff").get(
        reverse("screening:patient-detail", args=[patient.pk])
    )
    assert "start_from" not in response.text


def test_it_starts_blank_when_asked(client_as, first):
    intake = start(client_as("intake_staff"), first.patient, start_from="blank")
    assert not intake.sections.exclude(carry_state="").exists()


def test_it_refuses_a_start_from_an_intake_not_before_the_date(client_as, first):
    response = client_as("intake_staff").post(
        reverse("screening:intake-create", args=[first.patient.pk]),
        {
            "intake_on": "2026-09-15",
            "primary_indication": "major_depressive_disorder",
            "start_from": "carried",
        },
    )
    assert response.status_code == 200
    assert "is not before 2026-09-15" in response.text
    assert 'value="2026-09-15"' in response.text  # what was typed stays


def test_the_overview_marks_each_carried_section_until_confirmed(client_as, first):
    client = client_as("intake_staff")
    intake = start(client, first.patient, start_from="carried")
    page = client.get(reverse("screening:intake-detail", args=[intake.pk])).text
    assert page.count("Carried over from 2026-09-15, not yet confirmed") == 6
    assert "confirm or edit each section carried over" in page

    response = client.post(reverse("screening:intake-ready", args=[intake.pk]))
    assert response.status_code == 302
    assert fresh(intake).status == Intake.Status.IN_PROGRESS
    page = client.get(response.url).text
    assert "Confirm or edit the sections carried over" in page


def test_a_carried_section_page_says_so_and_confirms_in_one_action(client_as, first):
    client = client_as("intake_staff")
    intake = start(client, first.patient, start_from="carried")
    url = reverse("screening:intake-section-edit", args=[intake.pk, "allergies"])
    page = client.get(url).text
    assert "Carried over from 2026-09-15, not yet confirmed." in page
    assert "penicillin" in page

    response = client.post(
        reverse("screening:intake-section-confirm", args=[intake.pk, "allergies"]),
        {"version": "1", "continue": "1"},
    )
    assert response.url == reverse(
        "screening:intake-section-edit", args=[intake.pk, "medications"]
    )
    allergies = intake.sections.get(kind="allergies")
    assert allergies.carry_state == CarryState.CONFIRMED
    assert "Carried over and confirmed" in client.get(url).text


def test_a_stale_confirm_says_why_and_changes_nothing(client_as, first):
    client = client_as("intake_staff")
    intake = start(client, first.patient, start_from="carried")
    response = client.post(
        reverse("screening:intake-section-confirm", args=[intake.pk, "allergies"]),
        {"version": "7"},
    )
    assert response.status_code == 302
    assert "saved or confirmed since you opened it" in client.get(response.url).text
    assert intake.sections.get(kind="allergies").carry_state == CarryState.PROPOSED


def test_the_summary_says_which_carried_sections_are_not_confirmed(client_as, first):
    intake = start(client_as("intake_staff"), first.patient, start_from="carried")
    page = client_as("clinician").get(
        reverse("screening:review-summary", args=[intake.pk])
    )
    assert "Not ready for review." in page.text
    assert "Allergies, Current medications" in page.text
