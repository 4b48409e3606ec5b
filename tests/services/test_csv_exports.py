"""The clinic admin's CSV of intakes (#18): columns, no names, formula-safe."""

import csv
import io

import pytest
from django.urls import reverse

from screening.models import AuditEvent
from screening.services import csv_exports
from tests.factories import PatientFactory, screened_intake
from tests.services.review_documents import realistic
from tests.services.test_reviews import fresh, signed


@pytest.fixture
def patient(clinic, intake_staff):
    return PatientFactory(
        clinic=clinic,
        created_by=intake_staff,
        mrn="=HYPERLINK(1)",
        given_name="Zelda",
        family_name="Quintessential",
    )


def exported(client) -> list[dict[str, str]]:
    response = client.get(reverse("screening:intake-csv-export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_it_names_scores_by_their_loinc_code_where_there_is_one():
    columns = csv_exports.header()
    assert columns[: len(csv_exports.FIXED_COLUMNS)] == list(csv_exports.FIXED_COLUMNS)
    assert "phq9_total [LOINC 44261-6]" in columns
    assert "gad7_total [LOINC 70274-6]" in columns
    # No LOINC code for the MADRS total (rule book §9): the bare name.
    assert "madrs_total" in columns


def test_it_exports_one_row_per_intake_with_mrn_and_never_a_name(
    client_as, clinic, patient, intake_staff, clinician
):
    first = screened_intake(clinic, realistic(), by=intake_staff, patient=patient)
    signed(first, clinician)
    later = realistic(intake_date="2026-11-30")
    later["scales"]["phq9"] = [1, 1, 1, 1, 1, 1, 1, 1, 0]
    screened_intake(clinic, later, by=intake_staff, patient=patient)

    rows = exported(client_as("clinic_admin"))

    assert [row["intake_date"] for row in rows] == ["2026-09-15", "2026-11-30"]
    assert [row["phq9_total [LOINC 44261-6]"] for row in rows] == ["17", "8"]
    signed_row = rows[0]
    assert signed_row["status"] == "signed"
    assert signed_row["disposition"] == "proceed"
    assert signed_row["ruleset_version"] == fresh(first).signoff.ruleset_version
    assert signed_row["outcome"] == "needs_clinician_review"
    assert "DDI-BZD-HIGH" in signed_row["flag_codes"].split()
    assert signed_row["consent_document_version"] == "1"
    assert signed_row["signed_at"]
    text = str(rows)
    assert "Zelda" not in text
    assert "Quintessential" not in text
    assert "1980-05-17" not in text  # nor the date of birth


def test_it_neutralises_formula_cells(client_as, clinic, patient, intake_staff):
    screened_intake(clinic, realistic(), by=intake_staff, patient=patient)
    (row,) = exported(client_as("clinic_admin"))
    assert row["mrn"] == "'=HYPERLINK(1)"


def test_every_export_is_audited_without_values(
    client_as, clinic, patient, intake_staff
):
    screened_intake(clinic, realistic(), by=intake_staff, patient=patient)
    exported(client_as("clinic_admin"))
    event = AuditEvent.objects.get(action="intake.exported")
    assert event.clinic == clinic
    assert event.detail == {"format": "csv", "count": 1}


def test_it_exports_only_the_admins_clinic(
    client_as, other_clinic, intake_staff, clinic
):
    screened_intake(other_clinic, realistic(), by=intake_staff)
    assert exported(client_as("clinic_admin")) == []
