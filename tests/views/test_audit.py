"""The auditors' report: finding a patient by MRN, dates as YYYY-MM-DD (#16), and a
count that stops at a cap (#19)."""

from datetime import date

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from screening import audit
from screening.forms.audit import COLUMNS, DEFAULT_SORT, AuditFilterForm
from screening.models import AuditEvent
from screening.paging import CappedPaginator
from screening.services import patients
from screening.views.audit import _headers
from tests.factories import MembershipFactory, UserFactory

REPORT = reverse("screening:audit-list")


@pytest.fixture
def patient(clinic, intake_staff):
    return patients.do_create_patient(
        clinic,
        mrn="A-4711",
        given_name="Ada",
        family_name="Quill",
        date_of_birth=date(1980, 5, 17),
        sex_for_scoring="female",
        by=intake_staff,
    )


def test_it_finds_a_patient_by_exact_mrn_without_the_mrn_in_a_url(client_as, patient):
    response = client_as("auditor").post(REPORT, {"mrn": " A-4711 "}, follow=True)

    url, status = response.redirect_chain[0]
    assert (url, status) == (f"{REPORT}?patient={patient.pk}", 302)
    assert "A-4711" not in url
    html = response.content.decode()
    assert "Quill" not in html
    assert "Ada" not in html
    assert response.context["form"].cleaned_data["patient"] == patient.pk


def test_it_audits_the_lookup_with_a_count_and_no_mrn(client_as, patient):
    client_as("auditor").post(REPORT, {"mrn": "A-4711"})

    row = AuditEvent.objects.filter(action="patient.searched").get()
    assert row.detail == {"result_count": 1}
    assert row.data_category == "patient"
    assert "A-4711" not in str(row.__dict__)


@pytest.mark.parametrize("mrn", ["A-47", "a-4711", "B-4711"])
def test_it_says_when_no_patient_has_the_mrn(client_as, patient, other_clinic, mrn):
    stranger = UserFactory(username="b-staff")
    MembershipFactory(user=stranger, clinic=other_clinic, role="intake_staff")
    patients.do_create_patient(
        other_clinic,
        mrn="B-4711",
        given_name="Bo",
        family_name="Else",
        date_of_birth=date(1970, 1, 1),
        sex_for_scoring="male",
        by=stranger,
    )

    response = client_as("auditor").post(REPORT, {"mrn": mrn})

    assert response.status_code == 200
    assert response.context["lookup"].errors["mrn"] == [
        "No patient in your clinics has this MRN."
    ]
    row = AuditEvent.objects.filter(action="patient.searched").get()
    assert row.detail == {"result_count": 0}


def test_it_reads_and_shows_the_audit_dates_as_yyyy_mm_dd(client_as):
    auditor = client_as("auditor")

    good = auditor.get(REPORT, {"date_from": "2026-11-02"})
    american = auditor.get(REPORT, {"date_from": "11/02/2026"})

    assert good.context["form"].is_valid()
    assert 'placeholder="YYYY-MM-DD"' in good.content.decode()
    assert 'value="2026-11-02"' in good.content.decode()
    assert 'type="date"' not in good.content.decode()
    assert american.context["form"].errors["date_from"] == [
        "Enter the first day as YYYY-MM-DD."
    ]


def test_it_explains_that_the_patient_filter_takes_an_id_not_an_mrn(client_as):
    response = client_as("auditor").get(REPORT, {"patient": "A-4711"})

    assert response.context["form"].errors["patient"] == [
        "Enter the patient id, a number; to use an MRN, find it below."
    ]


def test_it_counts_no_further_than_its_cap_and_says_there_are_more(
    client_as, clinic, monkeypatch
):
    auditor = client_as("auditor")
    for _ in range(6):
        audit.record(audit.Event.PATIENT_SEARCHED, clinic=clinic, category="patient")
    monkeypatch.setattr(CappedPaginator, "CAP", 4)
    monkeypatch.setattr("screening.views.audit.PAGE_SIZE", 2)

    with CaptureQueriesContext(connection) as queries:
        html = auditor.get(REPORT).content.decode()

    (count,) = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert "LIMIT 5" in count  # the cap and one more, never the whole trail
    assert "More than 4 events." in html
    assert "Page 1 of more than 2" in html
    viewed = AuditEvent.objects.filter(action="audit.viewed").last()
    assert viewed.detail == {"count": 4, "page": 1, "more": True}


def test_under_its_cap_it_gives_the_exact_count(client_as, clinic, monkeypatch):
    auditor = client_as("auditor")
    monkeypatch.setattr(CappedPaginator, "CAP", 1_000)
    audit.record(audit.Event.PATIENT_SEARCHED, clinic=clinic, category="patient")

    response = auditor.get(REPORT)

    html = response.content.decode()
    user = response.wsgi_request.user
    # Every row the auditor may read, counted before this view's own row.
    expected = audit.list_events(audit.clinics_audited_by(user)).count() - 1

    assert f"<p>{expected} events.</p>" in html
    viewed = AuditEvent.objects.filter(action="audit.viewed").last()
    assert viewed.detail == {"count": expected, "page": 1}


def _query_dict_query(form, **changes):
    """A header's query string as a QueryDict wrote it (the reference)."""
    query = QueryDict(mutable=True)
    for name in [*form.fields, "page"]:
        value = changes.get(name, form.data.get(name, ""))
        if value:
            query[name] = str(value)
    return query.urlencode()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"sort": "action", "page": "3"},
        {"user": "a b&c", "date_from": "2026-12-01", "action": "patient.viewed"},
    ],
)
def test_each_header_links_the_filter_sorted_by_its_column_from_page_one(data):
    form = AuditFilterForm(data)
    form.is_valid()

    headers = _headers(form, data.get("sort", DEFAULT_SORT))

    for header, (name, _) in zip(headers, COLUMNS, strict=True):
        sort = f"-{name}" if header["sort"] == "ascending" else name
        assert header["query"] == _query_dict_query(form, sort=sort, page="")
