"""Spanish for the patient's pages (issue #17): the compiled catalogue in locale/
holds every string of scripts/patient_translations.py; staff pages stay English."""

import runpy
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "patient_translations.py"
SPANISH = runpy.run_path(str(SCRIPT))["SPANISH"]


@pytest.mark.parametrize("english", sorted(SPANISH))
def test_it_compiled_the_spanish_of_every_patient_string(english):
    with translation.override("es"):
        assert translation.gettext(english) == SPANISH[english]


@pytest.mark.django_db
def test_it_keeps_staff_pages_english_whatever_the_browser_asks(client_as):
    client = client_as("intake_staff")
    response = client.get(reverse("screening:patient-list"), HTTP_ACCEPT_LANGUAGE="es")
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Patients" in body
