"""Every page that shows a patient's name, MRN or date of birth is an audited read
(#13 F2): one `patient.viewed` row per patient shown, appended in one batch, found by
the auditor's per-patient filter, and never the search text or any value."""

import json

import pytest
from django.urls import reverse

from screening import audit
from screening.models import AuditEvent
from screening.views.patients import PAGE_SIZE
from tests.factories import IntakeFactory, PatientFactory

pytestmark = pytest.mark.django_db

VIEWED = "patient.viewed"


def _viewed_rows(response):
    return AuditEvent.objects.filter(
        action=VIEWED, request_id=response["X-Request-ID"]
    ).order_by("seq")


def _assert_one_batch(rows, patients, clinic):
    rows = list(rows)
    assert sorted(row.patient_id for row in rows) == sorted(p.pk for p in patients)
    seqs = [row.seq for row in rows]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # appended together
    for row in rows:
        assert row.clinic_id == clinic.pk
        assert row.object_type == "patient"
        assert row.object_id == str(row.patient_id)
        assert row.actor_id is not None
        assert row.data_category == "patient"
        # One read by one person from one place: the request's fields on every row.
        assert audit.compute_row_hash(row) == row.row_hash
        shared = ("actor_id", "actor_role", "request_id", "user_agent_hash", "detail")
        first = rows[0]
        assert [getattr(row, f) for f in shared] == [getattr(first, f) for f in shared]


def test_it_audits_each_patient_on_every_page_of_the_list__f2(
    client_as, clinic, intake_staff
):
    patients = [
        PatientFactory(clinic=clinic, created_by=intake_staff, family_name=f"P{n:03d}")
        for n in range(PAGE_SIZE + 3)
    ]
    client = client_as("intake_staff")
    first = client.get(reverse("screening:patient-list"))
    _assert_one_batch(_viewed_rows(first), patients[:PAGE_SIZE], clinic)
    second = client.get(reverse("screening:patient-list") + "?page=2")
    _assert_one_batch(_viewed_rows(second), patients[PAGE_SIZE:], clinic)


def test_it_audits_each_patient_a_search_shows_without_the_text__f2(
    client_as, clinic, intake_staff
):
    found = PatientFactory(clinic=clinic, created_by=intake_staff, family_name="Zorn")
    PatientFactory(clinic=clinic, created_by=intake_staff, family_name="Other")
    response = client_as("intake_staff").post(
        reverse("screening:patient-list"), {"q": "zorn"}
    )
    _assert_one_batch(_viewed_rows(response), [found], clinic)
    rows = AuditEvent.objects.filter(request_id=response["X-Request-ID"])
    assert {row.action for row in rows} == {VIEWED, "patient.searched"}
    for row in rows:
        text = json.dumps(row.detail) + row.reason
        assert "zorn" not in text.lower()
        assert "1980" not in text  # no value of the patient either


def test_it_audits_each_patient_on_the_worklist__f2(client_as, clinic, intake_staff):
    intakes = [
        IntakeFactory(patient=PatientFactory(clinic=clinic, created_by=intake_staff))
        for _ in range(3)
    ]
    response = client_as("clinician").get(
        reverse("screening:review-worklist") + "?status="
    )
    assert response.status_code == 200
    _assert_one_batch(
        _viewed_rows(response), [intake.patient for intake in intakes], clinic
    )


def test_it_audits_the_patient_edit_form__f2(client_as, clinic, intake_staff):
    patient = PatientFactory(clinic=clinic, created_by=intake_staff)
    client = client_as("intake_staff")
    url = reverse("screening:patient-edit", args=[patient.pk])
    _assert_one_batch(_viewed_rows(client.get(url)), [patient], clinic)
    refused = client.post(url, {"mrn": ""})  # re-rendered with the stored name
    assert refused.status_code == 200
    _assert_one_batch(_viewed_rows(refused), [patient], clinic)


def test_it_audits_the_new_intake_page__f2(client_as, clinic, intake_staff):
    patient = PatientFactory(clinic=clinic, created_by=intake_staff)
    response = client_as("intake_staff").get(
        reverse("screening:intake-create", args=[patient.pk])
    )
    assert response.status_code == 200
    _assert_one_batch(_viewed_rows(response), [patient], clinic)


def test_it_lets_the_auditor_find_a_list_read_by_patient__f2(
    client_as, clinic, intake_staff
):
    patient = PatientFactory(clinic=clinic, created_by=intake_staff)
    client_as("intake_staff").get(reverse("screening:patient-list"))
    report = client_as("auditor").get(
        reverse("screening:audit-list"), {"patient": patient.pk, "action": VIEWED}
    )
    rows = list(report.context["page"].paginator.object_list)
    assert [(row.action, row.patient_id) for row in rows] == [(VIEWED, patient.pk)]


def test_it_audits_each_patient_of_an_import_report__f2(client_as, world, clinic):
    imported = world["own"]["imported_intake"]
    response = client_as("intake_staff").get(
        reverse("screening:intake-import-report", args=[imported.pk])
    )
    assert response.status_code == 200
    shown = [record.intake.patient for record in response.context["records"]]
    assert shown
    _assert_one_batch(_viewed_rows(response), shown, clinic)
