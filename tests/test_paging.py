"""A list's first page by compiled statements is the capped paginator's page 1."""

import pytest

from screening.models import Patient
from screening.paging import CappedPaginator
from screening.services import patients
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def clinic_list(clinic_id):
    return patients.list_patients([clinic_id])


def paged(clinic, size):
    expected = CappedPaginator(clinic_list(clinic.pk), size).page(1)
    page = CappedPaginator.first_page(clinic_list, clinic.pk, size)
    return expected, page


@pytest.mark.parametrize(("patients_made", "cap"), [(0, 1000), (3, 1000), (5, 3)])
def test_the_first_page_is_the_capped_paginators_page_one(
    clinic, intake_staff, monkeypatch, patients_made, cap
):
    for number in range(patients_made):
        PatientFactory(clinic=clinic, mrn=f"M-{number}", created_by=intake_staff)
    monkeypatch.setattr(CappedPaginator, "CAP", cap)

    expected, page = paged(clinic, 2)

    assert page.object_list == list(expected.object_list)
    assert all(isinstance(row, Patient) for row in page.object_list)
    assert page.paginator.count == expected.paginator.count
    assert page.paginator.is_capped == expected.paginator.is_capped
    assert page.paginator.num_pages == expected.paginator.num_pages
    assert page.has_next() == expected.has_next()


def test_it_counts_no_further_than_the_cap_of_the_moment(
    clinic, intake_staff, monkeypatch
):
    for number in range(5):
        PatientFactory(clinic=clinic, mrn=f"M-{number}", created_by=intake_staff)
    assert CappedPaginator.first_page(clinic_list, clinic.pk, 2).paginator.count == 5
    monkeypatch.setattr(CappedPaginator, "CAP", 3)

    assert CappedPaginator.first_page(clinic_list, clinic.pk, 2).paginator.count == 4
