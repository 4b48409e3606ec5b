import pytest
from django.test import Client
from django.urls import reverse

from screening.middleware import needs_mfa

pytestmark = pytest.mark.django_db


def test_it_starts_a_clinic_admin_on_the_clinic_settings_page(client_as):
    response = client_as("clinic_admin").get(reverse("screening:home"))
    assert response.status_code == 200
    assert response.templates[0].name == "screening/clinic/admin.html"
    body = response.content.decode()
    assert "Instrument text packs" in body
    assert reverse("screening:clinic-admin") in body  # the nav entry


def test_it_requires_a_second_factor_of_a_clinic_admin(clinic_admin):
    assert needs_mfa(clinic_admin)
    client = Client()
    client.force_login(clinic_admin)
    response = client.get(reverse("screening:clinic-admin"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts-mfa-enrol"))


def test_it_shows_a_clinic_admin_no_patient_or_intake(client_as):
    client = client_as("clinic_admin")
    for name in ("screening:patient-list", "screening:review-worklist"):
        assert client.get(reverse(name)).status_code == 403
    body = client.get(reverse("screening:clinic-admin")).content.decode()
    assert reverse("screening:patient-list") not in body


def test_it_hides_the_clinic_settings_from_other_roles(client_as):
    body = client_as("intake_staff").get(reverse("screening:home")).content.decode()
    assert reverse("screening:clinic-admin") not in body
