"""The FHIR downloads and the export_fhir and export_questionnaire commands."""

import json
import os
import stat
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire

from screening.fhir.codes import MEDIA_TYPE
from screening.models import AuditEvent
from tests.fhir.conftest import CASES, import_case, resources

pytestmark = pytest.mark.django_db


def _exports():
    return AuditEvent.objects.filter(action="intake.exported")


def test_it_downloads_the_bundle_and_audits_it_as_an_export(
    imported, clinician, client_for
):
    intake = imported(CASES[0])

    response = client_for(clinician).get(
        reverse("screening:intake-fhir", args=[intake.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == MEDIA_TYPE
    assert response["Content-Disposition"] == (
        f'attachment; filename="intake-{intake.pk}.fhir.json"'
    )
    bundle = Bundle.model_validate_json(response.content)
    assert bundle.entry[0].resource.identifier[0].value == "V01"
    (row,) = _exports()
    assert (row.actor, row.patient_id, row.object_id) == (
        clinician,
        intake.patient_id,
        str(intake.pk),
    )
    assert row.detail == {"format": "fhir-r4b"}
    assert f"audit event {row.seq}" in response["X-Export-Watermark"]


def test_it_answers_404_for_another_clinics_intake_and_exports_nothing(
    imported, other_clinic_clinician, client_for
):
    intake = imported(CASES[0])

    response = client_for(other_clinic_clinician).get(
        reverse("screening:intake-fhir", args=[intake.pk])
    )

    assert response.status_code == 404
    assert not _exports().exists()
    assert b"V01" not in response.content
    assert AuditEvent.objects.filter(action="access.denied").count() == 1


def test_it_refuses_the_bundle_to_roles_that_do_not_export(imported, client_as):
    intake = imported(CASES[0])
    url = reverse("screening:intake-fhir", args=[intake.pk])

    for role in ("rule_admin", "auditor"):
        assert client_as(role).get(url).status_code == 403
    assert not _exports().exists()


def test_it_serves_the_questionnaire_to_every_role_without_an_audit_row(client_as):
    for role in ("intake_staff", "clinician", "rule_admin", "auditor"):
        response = client_as(role).get(reverse("screening:questionnaire-fhir"))
        assert response.status_code == 200
        assert response["Content-Type"] == MEDIA_TYPE
        Questionnaire.model_validate_json(response.content)
    assert not AuditEvent.objects.filter(patient__isnull=False).exists()


def test_it_exports_the_bundle_from_the_command_with_its_watermark(
    clinic, intake_staff
):
    intake = import_case(CASES[0], clinic, intake_staff)
    out, err = StringIO(), StringIO()

    call_command(
        "export_fhir", str(intake.pk), "--user", "intake", stdout=out, stderr=err
    )

    bundle = json.loads(out.getvalue())
    Bundle.model_validate(bundle)
    assert resources(bundle, "Patient")[0]["identifier"][0]["value"] == "V01"
    (row,) = _exports()
    assert row.actor == intake_staff
    assert f"audit event {row.seq}" in err.getvalue()


def test_it_writes_the_bundle_file_readable_by_its_owner_only(
    clinic, intake_staff, tmp_path
):
    intake = import_case(CASES[0], clinic, intake_staff)
    target = tmp_path / "bundle.json"

    call_command(
        "export_fhir",
        str(intake.pk),
        "-o",
        str(target),
        stdout=StringIO(),
        stderr=StringIO(),
    )

    Bundle.model_validate_json(target.read_text(encoding="utf-8"))
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_it_refuses_an_unknown_intake_in_the_command(db):
    with pytest.raises(CommandError, match="no intake 999"):
        call_command("export_fhir", "999", stdout=StringIO(), stderr=StringIO())
    assert not _exports().exists()


def test_it_prints_the_questionnaire_from_the_command(tmp_path):
    out = StringIO()

    call_command("export_questionnaire", stdout=out)

    questionnaire = Questionnaire.model_validate_json(out.getvalue())
    assert questionnaire.url == "urn:screening:questionnaire:intake-1"
    target = tmp_path / "questionnaire.json"
    call_command("export_questionnaire", "--output", str(target), stdout=StringIO())
    assert target.read_text(encoding="utf-8") == out.getvalue()
