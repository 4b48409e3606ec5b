"""T-ERR-03: the database connection dies in the middle of a section save.

PostgreSQL only: a second connection terminates the app's backend after the section's
UPDATE (and its revision and audit row) but before the transaction commits."""

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from screening.forms.intakes import SECTION_FORMS
from screening.models import AuditEvent, IntakeSection, SectionRevision
from screening.services import screenings
from tests.factories import IntakeFactory, PatientFactory
from tests.forms.posting import browser_post

VITALS = {"bp_systolic": "124", "bp_diastolic": "80", "heart_rate": "72", "bmi": "24.0"}


def _terminate(pid: int) -> None:
    """Kill a backend from a connection of our own, as a DBA or a failover would."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.django_db(transaction=True)
def test_it_keeps_nothing_of_a_save_whose_connection_dies__t_err_03(
    client_as, clinic, intake_staff, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend needs PostgreSQL (set DATABASE_URL)")
    patient = PatientFactory(clinic=clinic, created_by=intake_staff)
    intake = IntakeFactory(patient=patient, created_by=intake_staff)
    section = intake.sections.get(kind="vitals")
    client = client_as("intake_staff")
    client.raise_request_exception = False
    data = browser_post(
        SECTION_FORMS["vitals"](section=section, intake=intake), **VITALS
    )
    before = {
        "section": IntakeSection.objects.values("version", "data").get(pk=section.pk),
        "intake_version": type(intake).objects.get(pk=intake.pk).version,
        "revisions": SectionRevision.objects.count(),
        "audit": list(AuditEvent.objects.values_list("seq", flat=True)),
    }
    original = screenings.do_screen_intake
    killed = []

    def screen_after_kill(*args, **kwargs):
        # By now the section UPDATE, the intake version, the revision and the
        # audit row are written in the save's transaction, not yet committed.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        _terminate(pid)
        killed.append(pid)
        return original(*args, **kwargs)

    monkeypatch.setattr(screenings, "do_screen_intake", screen_after_kill)
    url = reverse("screening:intake-section-edit", args=[intake.pk, "vitals"])

    response = client.post(url, data)

    assert killed, "the save never reached the screening step"
    assert response.status_code == 503
    monkeypatch.setattr(screenings, "do_screen_intake", original)
    connection.close()  # the test thread shares the dead connection; start afresh
    assert (
        IntakeSection.objects.values("version", "data").get(pk=section.pk)
        == before["section"]
    )
    assert type(intake).objects.get(pk=intake.pk).version == before["intake_version"]
    assert SectionRevision.objects.count() == before["revisions"]
    written = AuditEvent.objects.exclude(seq__in=before["audit"])
    assert not written.filter(action="intake.updated").exists()
    assert not written.filter(patient=patient).exclude(action="intake.viewed").exists()

    follow_up = client.get(reverse("screening:intake-detail", args=[intake.pk]))
    assert follow_up.status_code == 200
