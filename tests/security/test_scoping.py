"""T-AC-04 and T-VAL-04: lists, searches, counts and exports hold only own-clinic rows;
the audit export writes formula-like cells as text."""

import csv
import io

import pytest
from django.db.models import Q
from django.urls import reverse

from screening import audit
from screening.models import AuditEvent, Intake
from screening.services import drafts
from tests.factories import PatientFactory, UserFactory, screened_intake
from tests.services.review_documents import REALISTIC

pytestmark = pytest.mark.django_db

OWN_INTAKES, OTHER_INTAKES = 2, 3


@pytest.fixture
def seeded(clinic, other_clinic, intake_staff):
    """Clinic A (own) and clinic B (other) with intakes ready for review; clinic B
    has more of everything, so a leaked row shows up in every count."""
    stranger = UserFactory(username="stranger-staff")
    own = [
        screened_intake(
            clinic,
            REALISTIC,
            by=intake_staff,
            patient=PatientFactory(clinic=clinic, given_name="Sam"),
        )
        for _ in range(OWN_INTAKES)
    ]
    other = [
        screened_intake(
            other_clinic,
            REALISTIC,
            by=stranger,
            patient=PatientFactory(clinic=other_clinic, given_name="Sam"),
        )
        for _ in range(OTHER_INTAKES)
    ]
    return {"own": own, "other": other}


def _own_audit_rows(clinic):
    members = clinic.memberships.values("user_id")
    return AuditEvent.objects.filter(
        Q(clinic=clinic) | Q(clinic__isnull=True, actor_id__in=members)
    )


def test_it_lists_only_own_clinic_patients__t_ac_04(client_as, clinic, seeded):
    response = client_as("intake_staff").get(reverse("screening:patient-list"))
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == OWN_INTAKES
    assert {p.clinic_id for p in page.object_list} == {clinic.pk}
    assert "Stranger" not in response.content.decode()


def test_it_searches_only_own_clinic_patients__t_ac_04(client_as, clinic, seeded):
    response = client_as("intake_staff").post(
        reverse("screening:patient-list"), {"q": "Sam"}
    )
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == OWN_INTAKES
    assert {p.clinic_id for p in page.object_list} == {clinic.pk}
    assert f"{OWN_INTAKES} patients found" in response.content.decode()
    searched = AuditEvent.objects.filter(action="patient.searched").last()
    assert searched.detail["result_count"] == OWN_INTAKES


def test_it_lists_only_own_clinic_intakes_on_the_worklist__t_ac_04(
    client_as, clinic, seeded
):
    response = client_as("clinician").get(reverse("screening:review-worklist"))
    assert response.status_code == 200
    rows = response.context["page"].rows
    assert sorted(i.pk for i in rows) == sorted(i.pk for i in seeded["own"])
    for intake in seeded["other"]:
        assert reverse("screening:review-summary", args=[intake.pk]) not in (
            response.content.decode()
        )


def test_it_reports_only_own_clinic_audit_rows__t_ac_04(client_as, clinic, seeded):
    client = client_as("auditor")  # its login writes audit rows too
    expected = _own_audit_rows(clinic).count()
    assert AuditEvent.objects.exclude(pk__in=_own_audit_rows(clinic)).exists()
    response = client.get(reverse("screening:audit-list"))
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == expected
    assert f"<p>{expected} events.</p>" in response.content.decode()
    assert {e.clinic_id for e in page.object_list} <= {clinic.pk, None}
    viewed = AuditEvent.objects.filter(action="audit.viewed").last()
    assert viewed.detail["count"] == expected


def _export(client) -> list[dict[str, str]]:
    response = client.get(reverse("screening:audit-export"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_it_exports_only_own_clinic_audit_rows__t_ac_04(client_as, clinic, seeded):
    rows = _export(client_as("auditor"))
    # The export's own audit row is written before the rows stream out.
    assert len(rows) == _own_audit_rows(clinic).count()
    assert {row["clinic_id"] for row in rows} <= {str(clinic.pk), ""}
    other_patients = {str(i.patient_id) for i in seeded["other"]}
    assert not other_patients & {row["patient_id"] for row in rows}
    exported = AuditEvent.objects.filter(action="audit.exported").last()
    # counted before its own row was written
    assert exported.detail["count"] == len(rows) - 1


def _retire_fired_rules(draft, intake, by) -> None:
    """Retire the draft's rules that flag this intake, so the preview has changes."""
    codes = {flag["code"] for flag in intake.current_screening.result["flags"]}
    retired = 0
    for rule in draft.rules.filter(code__in=codes).exclude(severity="absolute"):
        draft.refresh_from_db()
        try:
            drafts.do_retire_rule(rule, revision=draft.revision, by=by)
        except drafts.RuleEditError:  # some rules may never be retired (§6.1)
            continue
        retired += 1
    assert retired


def test_it_previews_impact_on_own_clinic_intakes_only__t_ac_04(
    client_as, clinic, other_clinic, seeded
):
    client = client_as("rule_admin")
    admin = clinic.memberships.get(role="rule_admin").user
    # Both drafts lose flags the seeded intakes have: only ours may be examples.
    flagged, theirs = seeded["own"][0], seeded["other"][0]
    draft = drafts.do_create_draft(clinic, by=admin)
    _retire_fired_rules(draft, flagged, admin)
    other_admin = UserFactory(username="other-admin")
    _retire_fired_rules(
        drafts.do_create_draft(other_clinic, by=other_admin), theirs, other_admin
    )
    Intake.objects.filter(pk=seeded["other"][0].pk).update(status=Intake.Status.SIGNED)
    response = client.get(reverse("screening:ruleset-impact", args=[draft.pk]))
    assert response.status_code == 200
    summary = response.context["preview"].summary
    assert summary["intakes"] == OWN_INTAKES
    assert summary["changed"] == OWN_INTAKES
    assert summary["signed_not_rescreened"] == 0
    own_ids = {i.pk for i in seeded["own"]}
    lost = {i for flag in summary["flags"] for i in flag["lost_examples"]}
    assert lost == own_ids
    for outcome in summary["outcomes"]:
        assert set(outcome["examples"]) <= own_ids
    for flag in summary["flags"]:
        for key, ids in flag.items():
            if key.endswith("_examples"):
                assert set(ids) <= own_ids


FORMULAS = ['=HYPERLINK("http://x")', "+1", "-1", "@x"]


@pytest.mark.parametrize("text", FORMULAS)
def test_it_exports_formula_cells_as_text__t_val_04(client_as, clinic, text):
    client = client_as("auditor")
    actor = UserFactory(username=text)
    audit.record(
        "patient.viewed", actor=actor, clinic=clinic, category="patient", reason=text
    )
    rows = _export(client)
    row = next(r for r in rows if r["action"] == "patient.viewed")
    assert row["actor_username"] == "'" + text
    assert row["reason"] == "'" + text
