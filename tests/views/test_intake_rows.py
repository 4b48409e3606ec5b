"""Section pages with rows: no blank row under saved rows, and the trial override
entered by clinicians only (issue #16 item 7)."""

from collections.abc import Callable

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from screening.forms.lists import MedicationsForm, TrialsForm
from screening.services.documents import intake_document
from tests.conftest import logged_in_client
from tests.factories import IntakeFactory, PatientFactory
from tests.forms.posting import browser_post

TRIAL = {
    "rows-0-drug": "Venlafaxine XR",
    "rows-0-daily_dose_mg": "225",
    "rows-0-weeks_at_dose": "8",
    "rows-0-adherence_pct": "90",
    "rows-0-outcome": "nonresponse",
    "rows-0-ongoing": "no",
}
OVERRIDE = {
    "rows-0-dose_adequate_override": "yes",
    "rows-0-dose_adequate_override_reason": "older adult",
}


@pytest.fixture
def intake(clinic, intake_staff):
    patient = PatientFactory(clinic=clinic, created_by=intake_staff)
    return IntakeFactory(patient=patient, created_by=intake_staff)


@pytest.fixture
def post_page(intake) -> Callable[..., object]:
    """Post a section page as its user's browser would: what it shows, plus changes."""

    def post(client: Client, form_class, slug: str, **changes: str):
        url = reverse("screening:intake-section-edit", args=[intake.pk, slug])
        page = client.get(url).context["form"]
        query = QueryDict(mutable=True)
        query.update(browser_post(page, **changes))
        return client.post(url, query)

    return post


def test_it_shows_no_blank_row_under_saved_medications(intake, intake_staff, post_page):
    client = logged_in_client(intake_staff)
    saved = post_page(
        client,
        MedicationsForm,
        "medications",
        asked="rows",
        **{"rows-0-name": "sertraline", "rows-0-drug_class": "ssri"},
    )
    assert saved.status_code == 302

    html = client.get(
        reverse("screening:intake-section-edit", args=[intake.pk, "medications"])
    ).content.decode()

    assert 'name="rows-0-name"' in html
    assert 'name="rows-1-name"' not in html
    assert 'name="rows-TOTAL_FORMS" value="1"' in html


def test_it_offers_one_blank_row_when_nothing_is_listed(intake, intake_staff):
    html = (
        logged_in_client(intake_staff)
        .get(reverse("screening:intake-section-edit", args=[intake.pk, "medications"]))
        .content.decode()
    )

    assert 'name="rows-0-name"' in html
    assert 'name="rows-1-name"' not in html


def test_it_offers_the_dose_adequacy_override_to_clinicians_only(
    intake, intake_staff, clinician
):
    url = reverse("screening:intake-section-edit", args=[intake.pk, "trials"])
    url = url.replace("trials", "antidepressant-trials")

    staff_page = logged_in_client(intake_staff).get(url).content.decode()
    doctor_page = logged_in_client(clinician).get(url).content.decode()

    assert "dose_adequate_override" not in staff_page
    assert "dose_adequate_override" in doctor_page


def test_it_keeps_a_clinicians_override_when_intake_staff_save_the_trials(
    intake, intake_staff, clinician, post_page
):
    slug = "antidepressant-trials"
    doctor = post_page(
        logged_in_client(clinician), TrialsForm, slug, asked="rows", **TRIAL, **OVERRIDE
    )
    assert doctor.status_code == 302

    staff = post_page(
        logged_in_client(intake_staff),
        TrialsForm,
        slug,
        **{"rows-0-weeks_at_dose": "10"},
        # Not on the page; posted by a tampered one, it is ignored.
        **{
            "rows-0-dose_adequate_override": "no",
            "rows-0-dose_adequate_override_reason": "changed",
        },
    )

    assert staff.status_code == 302
    trial = intake_document(intake)["antidepressant_trials"][0]
    assert trial["weeks_at_dose"] == 10
    assert trial["dose_adequate_override"] is True
    assert trial["dose_adequate_override_reason"] == "older adult"
