"""Patient mode on the clinic tablet (issue #17): it reaches its own questions and
finish page only; another patient's data, a staff URL or a reused code, never."""

import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from screening.models import PatientSettings
from screening.services import text_packs
from tests.factories import IntakeFactory, PatientFactory
from tests.security.routes import ROUTES, all_patterns

pytestmark = pytest.mark.django_db


@pytest.fixture
def tablet(client_for, clinic, clinic_admin, intake_staff):
    """A tablet in patient mode for a fresh intake, and that intake."""
    text_packs.do_load_demo_packs(clinic, by=clinic_admin)
    PatientSettings.objects.create(clinic=clinic, languages=["en", "es"])
    patient = PatientFactory(clinic=clinic, created_by=intake_staff)
    intake = IntakeFactory(patient=patient, created_by=intake_staff)
    staff = client_for(intake_staff)
    staff.post(reverse("screening:intake-self-report-start", args=[intake.pk]))
    page = staff.get(reverse("screening:intake-self-report", args=[intake.pk]))
    code = re.search(r"data-self-report-code>([A-Z0-9-]+)<", page.content.decode())
    device = Client()
    device.raise_request_exception = False
    response = device.post("/p/", {"code": code.group(1), "language": "en"})
    assert response.status_code == 302
    return device, intake


def test_it_refuses_patient_mode_every_staff_url(tablet, world):
    device, _ = tablet
    walked = 0
    for pattern in all_patterns():
        if pattern.name.startswith("tablet:"):
            continue
        kwargs = ROUTES[pattern.name].url_kwargs(world["own"])
        url = reverse(pattern.name, kwargs=kwargs)
        for method in (device.get, device.post):
            response = method(url)
            assert response.status_code == 403, (pattern.name, method)
            assert "This page is not available" in response.content.decode()
        walked += 1
    assert walked >= 50
    for url in ("/admin/", "/login/", "/admin/login/"):
        assert device.get(url).status_code == 403


def test_it_logs_a_staff_user_out_when_a_code_is_typed_on_their_browser(
    client_for, clinician, tablet, intake_staff
):
    _, intake = tablet
    browser = client_for(clinician)
    staff = client_for(intake_staff)
    staff.post(reverse("screening:intake-self-report-start", args=[intake.pk]))
    page = staff.get(reverse("screening:intake-self-report", args=[intake.pk]))
    code = re.search(r"data-self-report-code>([A-Z0-9-]+)<", page.content.decode())
    browser.post("/p/", {"code": code.group(1), "language": "en"})
    assert browser.get(reverse("screening:review-worklist")).status_code == 403
    assert browser.get(reverse("tablet:question", args=[1])).status_code == 200


def test_it_shows_the_patient_no_name_no_mrn_and_no_other_patient(tablet, world):
    device, intake = tablet
    other = world["own"]["patient"]
    pages = [device.get(reverse("tablet:question", args=[n])) for n in (1, 2, 9)]
    pages.append(device.get(reverse("tablet:check")))
    for page in pages:
        body = page.content.decode()
        for secret in (intake.patient.family_name, intake.patient.mrn, other.mrn):
            assert secret not in body
    # The URLs carry a question number, never a record's id.
    assert reverse("tablet:question", args=[3]) == "/p/q/3/"


def test_it_keeps_the_code_out_of_the_logs(tablet, caplog, client_for, intake_staff):
    _, intake = tablet
    staff = client_for(intake_staff)
    staff.post(reverse("screening:intake-self-report-start", args=[intake.pk]))
    page = staff.get(reverse("screening:intake-self-report", args=[intake.pk]))
    code = re.search(r"data-self-report-code>([A-Z0-9-]+)<", page.content.decode())
    caplog.set_level(logging.DEBUG)
    device = Client()
    device.raise_request_exception = False
    device.post("/p/", {"code": "WRONG-CODE", "language": "en"})
    device.post("/p/", {"code": code.group(1), "language": "en"})
    text = caplog.text
    assert code.group(1) not in text
    assert code.group(1).replace("-", "") not in text
    assert intake.patient.mrn not in text
