"""Patient pages: list and POST-only search, create, view, edit, clinic scoping."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from screening.models import AuditEvent, Patient
from screening.paging import CappedPaginator
from tests.conftest import logged_in_client
from tests.factories import MembershipFactory, PatientFactory, UserFactory

LIST_URL = reverse("screening:patient-list")
CREATE_URL = reverse("screening:patient-create")
NEW_PATIENT = {
    "mrn": "MRN-77",
    "family_name": "Okafor",
    "given_name": "Ada",
    "date_of_birth": "1984-07-09",
    "sex_for_scoring": "female",
}


@pytest.fixture
def patients(clinic, other_clinic, intake_staff):
    return {
        "ours": PatientFactory(
            clinic=clinic, family_name="Lindqvist", mrn="A-1", created_by=intake_staff
        ),
        "also_ours": PatientFactory(
            clinic=clinic, family_name="Moreau", mrn="A-2", created_by=intake_staff
        ),
        "theirs": PatientFactory(
            clinic=other_clinic,
            family_name="Lindgren",
            mrn="B-1",
            created_by=intake_staff,
        ),
    }


def test_it_lists_only_the_clinics_own_patients(client_as, patients):
    response = client_as("intake_staff").get(LIST_URL)

    assert "Lindqvist" in response.text
    assert "Moreau" in response.text
    assert "Lindgren" not in response.text


def test_it_counts_the_whole_list_no_further_than_its_cap_and_asks_for_a_search(
    client_as, patients, clinic, intake_staff, monkeypatch
):
    for number in range(4):
        PatientFactory(clinic=clinic, mrn=f"C-{number}", created_by=intake_staff)
    monkeypatch.setattr(CappedPaginator, "CAP", 4)
    monkeypatch.setattr("screening.views.patients.PAGE_SIZE", 2)
    client = client_as("intake_staff")

    with CaptureQueriesContext(connection) as queries:
        html = client.get(LIST_URL).content.decode()

    (count,) = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert "LIMIT 5" in count  # the cap and one more, never the whole list
    assert "More than 4 patients, listed by name. Search by name, MRN" in html
    assert "Page 1 of more than 2" in html
    with CaptureQueriesContext(connection) as queries:
        searched = client.post(LIST_URL, {"q": "C-"}).content.decode()
    assert "4 patients found" in searched  # a search's count is exact
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1  # one count for the page and the audit row
    assert "LIMIT" not in counts[0]


def test_under_its_cap_the_list_gives_the_number_of_pages(client_as, patients):
    html = client_as("intake_staff").get(LIST_URL).content.decode()

    assert "More than" not in html
    assert "Page 1 of" not in html  # one page: no page navigation


def test_it_reads_a_clinics_first_page_by_statements_compiled_once(
    client_as, patients, request
):
    client = client_as("intake_staff")
    client.get(LIST_URL)  # compiles them (once per process)
    built = request.getfixturevalue("models_compiled")
    html = client.get(LIST_URL).content.decode()

    assert Patient not in built  # #19: built through the ORM no more
    assert html.index("Lindqvist") < html.index("Moreau")
    assert "Lindgren" not in html
    assert "Page 1 of" not in html
    assert '<th scope="col">Clinic</th>' not in html


def test_it_lists_every_clinic_of_a_member_of_two_with_the_clinic_and_audits_each(
    patients, clinic, other_clinic
):
    user = UserFactory(username="both")
    for each in (clinic, other_clinic):
        MembershipFactory(user=user, clinic=each, role="intake_staff")

    html = logged_in_client(user).get(LIST_URL).content.decode()

    assert '<th scope="col">Clinic</th>' in html
    assert "<td>Clinic B</td>" in html
    assert "Lindgren" in html
    viewed = AuditEvent.objects.filter(action="patient.viewed")
    assert {(row.patient_id, row.clinic_id) for row in viewed} == {
        (patient.pk, patient.clinic_id) for patient in patients.values()
    }


def test_it_searches_by_post_and_audits_only_the_count(client_as, patients):
    response = client_as("intake_staff").post(LIST_URL, {"q": "lind"})

    assert response.status_code == 200
    assert "Lindqvist" in response.text
    assert "Moreau" not in response.text
    assert "Lindgren" not in response.text
    assert "1 patient found" in response.text
    searched = AuditEvent.objects.get(action="patient.searched")
    assert searched.detail == {"result_count": 1}
    assert "lind" not in repr(
        [getattr(searched, f.name) for f in AuditEvent._meta.fields]
    )
    assert not any(
        "lind" in href.lower() for href in re.findall(r'href="([^"]*)"', response.text)
    )
    assert not any(
        "lind" in action for action in re.findall(r'action="([^"]*)"', response.text)
    )


@pytest.mark.parametrize(
    ("text", "found"), [("A-2", "Moreau"), ("1980-05-17", "Lindqvist")]
)
def test_it_finds_a_patient_by_mrn_or_date_of_birth(client_as, patients, text, found):
    response = client_as("clinician").post(LIST_URL, {"q": text})

    assert found in response.text


def test_it_never_searches_from_the_query_string(client_as, patients):
    response = client_as("intake_staff").get(LIST_URL, {"q": "Moreau"})

    assert "Lindqvist" in response.text
    assert not AuditEvent.objects.filter(action="patient.searched").exists()


def test_it_creates_a_patient_and_audits_it(client_as, clinic):
    response = client_as("intake_staff").post(CREATE_URL, NEW_PATIENT)

    patient = Patient.objects.get(mrn="MRN-77")
    assert response.url == reverse("screening:patient-detail", args=[patient.pk])
    assert patient.clinic == clinic
    assert patient.date_of_birth == datetime.date(1984, 7, 9)
    assert (
        AuditEvent.objects.filter(action="patient.created", patient=patient).count()
        == 1
    )


def test_it_refuses_a_future_date_of_birth_beside_the_field(client_as):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    response = client_as("intake_staff").post(
        CREATE_URL, {**NEW_PATIENT, "date_of_birth": tomorrow}
    )

    assert response.status_code == 200
    error = response.text.split('id="id_date_of_birth_error"', 1)[1].split("</div>", 1)[
        0
    ]
    assert "The date of birth is in the future" in error
    assert 'value="Okafor"' in response.text
    assert f'value="{tomorrow}"' in response.text
    assert not Patient.objects.exists()


def test_it_keeps_mrns_unique_within_a_clinic_only(client_as, patients):
    same_clinic = client_as("intake_staff").post(
        CREATE_URL, {**NEW_PATIENT, "mrn": "A-1"}
    )
    other_clinic = client_as("intake_staff").post(
        CREATE_URL, {**NEW_PATIENT, "mrn": "B-1"}
    )

    assert "Another patient in this clinic has this MRN" in same_clinic.text
    assert other_clinic.status_code == 302


def test_it_shows_a_patient_with_their_intakes_and_audits_the_read(client_as, patients):
    patient = patients["ours"]

    response = client_as("intake_staff").get(
        reverse("screening:patient-detail", args=[patient.pk])
    )

    assert response.status_code == 200
    assert "Lindqvist" in response.text
    assert "Start the intake" in response.text
    viewed = AuditEvent.objects.get(action="patient.viewed")
    assert (viewed.patient, viewed.data_category) == (patient, "patient")


def test_it_edits_a_patient(client_as, patients):
    patient = patients["ours"]
    url = reverse("screening:patient-edit", args=[patient.pk])

    response = client_as("clinician").post(
        url, {**NEW_PATIENT, "mrn": "A-1", "sex_for_scoring": ""}
    )

    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.family_name, patient.sex_for_scoring) == ("Okafor", None)
    assert (
        AuditEvent.objects.filter(action="patient.updated", patient=patient).count()
        == 1
    )


@pytest.mark.parametrize("name", ["patient-detail", "patient-edit"])
def test_it_returns_404_for_another_clinics_patient(client_as, patients, name):
    response = client_as("intake_staff").get(
        reverse(f"screening:{name}", args=[patients["theirs"].pk])
    )

    assert response.status_code == 404
    assert "Lindgren" not in response.text


@pytest.mark.parametrize("role", ["rule_admin", "auditor"])
def test_it_refuses_roles_that_see_no_patients(client_as, patients, role):
    client = client_as(role)

    assert client.get(LIST_URL).status_code == 403
    assert client.get(CREATE_URL).status_code == 403


@pytest.mark.parametrize(
    ("role", "shown"), [("intake_staff", True), ("clinician", True), ("auditor", False)]
)
def test_the_nav_links_to_patients_for_intake_staff_and_clinicians(
    client_as, role, shown
):
    response = client_as(role).get(reverse("screening:home"))

    assert (f'href="{LIST_URL}"' in response.text) is shown
