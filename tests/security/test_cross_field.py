"""T-VAL-05: cross-field rules through the views. Each refusal puts its error on the
field and saves nothing: row counts, section versions and data, revisions and audit
rows stay as they were."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from screening.forms.intakes import SECTION_FORMS
from screening.models import AuditEvent, Intake, IntakeSection, Patient, SectionRevision
from tests.factories import IntakeFactory, PatientFactory
from tests.forms.posting import browser_post

pytestmark = pytest.mark.django_db

VITALS = {"bp_systolic": "124", "bp_diastolic": "80", "heart_rate": "72", "bmi": "24.0"}


def _today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def intake(clinic, intake_staff) -> Intake:
    patient = PatientFactory(clinic=clinic, created_by=intake_staff)
    # Ten days ago: a date after it is still in the past, so only the
    # "on or before the intake date" rule can refuse it.
    return IntakeFactory(
        patient=patient,
        created_by=intake_staff,
        intake_on=_today() - datetime.timedelta(days=10),
    )


def _snapshot() -> dict:
    return {
        "patients": list(Patient.objects.order_by("pk").values()),
        "intakes": list(Intake.objects.order_by("pk").values()),
        "sections": list(
            IntakeSection.objects.order_by("pk").values("pk", "version", "data")
        ),
        "revisions": SectionRevision.objects.count(),
        "audit_writes": AuditEvent.objects.exclude(
            action__in=["intake.viewed", "patient.viewed"]
        ).count(),
    }


def _field_error(response, field: str) -> str:
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    return " ".join(form.errors[field])


def test_it_refuses_a_future_date_of_birth_on_create__t_val_05(client_as):
    client = client_as("intake_staff")
    before = _snapshot()
    tomorrow = (_today() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("screening:patient-create"),
        {
            "mrn": "MRN-FUT",
            "family_name": "Future",
            "given_name": "Fay",
            "date_of_birth": tomorrow,
            "sex_for_scoring": "female",
        },
    )
    assert _field_error(response, "date_of_birth")
    assert _snapshot() == before


def test_it_refuses_a_future_date_of_birth_on_edit__t_val_05(
    client_as, clinic, intake_staff
):
    patient = PatientFactory(clinic=clinic, created_by=intake_staff, mrn="MRN-E")
    client = client_as("intake_staff")
    before = _snapshot()
    response = client.post(
        reverse("screening:patient-edit", args=[patient.pk]),
        {
            "mrn": "MRN-E",
            "family_name": patient.family_name,
            "given_name": patient.given_name,
            "date_of_birth": (_today() + datetime.timedelta(days=30)).isoformat(),
            "sex_for_scoring": "female",
        },
    )
    assert _field_error(response, "date_of_birth")
    assert _snapshot() == before


def test_it_refuses_an_intake_date_in_the_future__t_val_05(
    client_as, clinic, intake_staff
):
    patient = PatientFactory(clinic=clinic, created_by=intake_staff)
    client = client_as("intake_staff")
    before = _snapshot()
    response = client.post(
        reverse("screening:intake-create", args=[patient.pk]),
        {
            "intake_on": (_today() + datetime.timedelta(days=1)).isoformat(),
            "primary_indication": "ptsd",
        },
    )
    assert _field_error(response, "intake_on")
    assert _snapshot() == before


def _section_post(client, intake: Intake, slug: str, **changes):
    form_class = SECTION_FORMS[slug]
    section = intake.sections.get(kind=form_class.section)
    data = browser_post(form_class(section=section, intake=intake), **changes)
    return client.post(
        reverse("screening:intake-section-edit", args=[intake.pk, slug]), data
    )


@pytest.mark.parametrize(
    ("slug", "changes", "field", "message"),
    [
        (
            "vitals",
            {**VITALS, "bp_systolic": "120", "bp_diastolic": "120"},
            "bp_diastolic",
            "lower than systolic",
        ),
        (
            "vitals",
            {**VITALS, "bp_systolic": "110", "bp_diastolic": "140"},
            "bp_diastolic",
            "lower than systolic",
        ),
        (
            "indication",
            {"current_episode_start": "AFTER"},
            "current_episode_start",
            "on or before the intake date",
        ),
        (
            "medical-history",
            {"mi_or_acs_date": "date", "mi_or_acs_date__on": "AFTER"},
            "mi_or_acs_date",
            "on or before",
        ),
    ],
)
def test_it_refuses_a_cross_field_error_and_saves_nothing__t_val_05(
    client_as, intake, slug, changes, field, message
):
    after = (intake.intake_on + datetime.timedelta(days=3)).isoformat()
    changes = {k: after if v == "AFTER" else v for k, v in changes.items()}
    client = client_as("intake_staff")
    before = _snapshot()
    response = _section_post(client, intake, slug, **changes)
    errors = response.context["form"].errors
    text = " ".join(errors.get(field, []) + errors.get(f"{field}__on", []))
    assert message in text, errors
    assert _snapshot() == before
