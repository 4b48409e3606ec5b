import pytest
from django.urls import reverse

from screening.models import AuditEvent

pytestmark = pytest.mark.django_db

VITALS = {"bp_systolic": "124", "bp_diastolic": "80", "heart_rate": "72", "bmi": ""}


def test_it_refuses_a_stale_save_and_shows_both_versions__t_int_01(
    client_for, world, member, clinic
):
    intake = world["own"]["intake"]
    url = reverse("screening:intake-section-edit", args=[intake.pk, "vitals"])
    a = client_for(member(clinic, "intake_staff", "alice"))
    b = client_for(member(clinic, "clinician", "bob"))
    version = a.get(url).context["form"]["version"].value()
    assert b.get(url).context["form"]["version"].value() == version
    saved = a.post(url, {**VITALS, "version": version})
    assert saved.status_code == 302
    stale = b.post(url, {**VITALS, "bp_systolic": "151", "version": version})
    assert stale.status_code in (200, 409)
    body = stale.content.decode()
    assert "151" in body  # B's value, kept
    assert "124" in body  # A's saved value, beside it
    section = intake.sections.get(kind="vitals")
    assert section.data["bp_systolic"] == 124
    assert section.version == version + 1
    assert AuditEvent.objects.filter(action="intake.edit_conflict").count() == 1
