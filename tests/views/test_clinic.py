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


def _upload(client, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("pack.json", content, "application/json")
    return client.post(reverse("screening:clinic-text-pack-upload"), {"file": upload})


def test_it_loads_a_text_pack_and_lists_it(client_as, clinic):
    import json

    from tests.services.test_text_packs import PHQ9_PACK

    client = client_as("clinic_admin")
    response = _upload(client, json.dumps(PHQ9_PACK).encode())
    assert response.status_code == 302
    body = client.get(reverse("screening:clinic-admin")).content.decode()
    assert "Version 1 (2025-01)" in body


def test_it_shows_why_a_pack_was_refused_beside_the_file(client_as):
    import json

    from tests.services.test_text_packs import PHQ9_PACK

    pack = dict(PHQ9_PACK, items=PHQ9_PACK["items"][:5])
    response = _upload(client_as("clinic_admin"), json.dumps(pack).encode())
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The pack has 5 items; PHQ-9 has 9."
    ]


def test_it_saves_the_languages_and_crisis_text(client_as, clinic):
    from screening.services import patient_settings

    client = client_as("clinic_admin")
    url = reverse("screening:clinic-patient-settings")
    response = client.post(
        url, {"version": "0", "languages": ["en", "es"], "crisis_es": "Llame al 988."}
    )
    assert response.status_code == 302
    found = patient_settings.get_settings(clinic)
    assert found.languages == ["en", "es"]
    assert patient_settings.crisis_text(found, "es") == "Llame al 988."
    assert "988 Suicide & Crisis Lifeline" in patient_settings.crisis_text(found, "en")
    stale = client.post(url, {"version": "0", "languages": ["en"]})
    assert "Someone saved these settings" in stale.content.decode()
