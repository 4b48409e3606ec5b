"""The patient page offers a new intake only when none is open (issue #16 item 7)."""

import pytest
from django.urls import reverse

from screening.models import Intake
from tests.factories import IntakeFactory, PatientFactory


@pytest.fixture
def patient(clinic, intake_staff):
    return PatientFactory(clinic=clinic, created_by=intake_staff)


def page(client_as, patient) -> str:
    url = reverse("screening:patient-detail", args=[patient.pk])
    return client_as("intake_staff").get(url).content.decode()


def test_it_offers_a_new_intake_without_autofocus_when_none_is_open(client_as, patient):
    html = page(client_as, patient)

    assert "Start an intake" in html
    assert "autofocus" not in html


def test_it_leads_to_the_open_intake_instead_of_offering_a_new_one(client_as, patient):
    open_intake = IntakeFactory(patient=patient)

    html = page(client_as, patient)

    assert "Start an intake" not in html
    assert 'name="intake_on"' not in html
    assert reverse("screening:intake-detail", args=[open_intake.pk]) in html
    assert "An intake is open" in html


def test_it_offers_a_new_intake_once_the_last_one_is_signed(client_as, patient):
    signed = IntakeFactory(patient=patient)
    Intake.objects.filter(pk=signed.pk).update(status=Intake.Status.SIGNED)

    html = page(client_as, patient)

    assert "Start an intake" in html
    assert "An intake is open" not in html


def test_it_still_focuses_the_date_on_the_new_intake_page(client_as, patient):
    url = reverse("screening:intake-create", args=[patient.pk])

    html = client_as("intake_staff").get(url).content.decode()

    assert "autofocus" in html
