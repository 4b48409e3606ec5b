"""audit.record() and audit.batch(): one chain, whoever writes and however many."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from screening import audit
from screening.models import AuditEvent
from tests.factories import MembershipFactory, PatientFactory

pytestmark = pytest.mark.django_db


def chain_is_intact() -> bool:
    broken, _, _ = audit.find_chain_break()
    return broken is None


def test_it_appends_a_batch_when_the_block_ends(intake_staff, clinic):
    head = audit.record("patient.searched", actor=intake_staff, clinic=clinic)

    with audit.batch():
        first = audit.record("intake.updated", actor=intake_staff, clinic=clinic)
        second = audit.record("intake.screened", actor=intake_staff, clinic=clinic)
        assert AuditEvent.objects.filter(seq__gt=head.seq).count() == 0

    written = AuditEvent.objects.filter(seq__gt=head.seq).order_by("seq")
    assert [e.action for e in written] == ["intake.updated", "intake.screened"]
    assert (first.seq, second.seq) == (head.seq + 1, head.seq + 2)
    assert (first.prev_hash, second.prev_hash) == (head.row_hash, first.row_hash)
    assert chain_is_intact()


def test_it_stores_every_value_it_hashed(intake_staff, clinic):
    """What is read back hashes to the row_hash computed before the write: every
    kind of value (times, ids, an address, the detail as JSON, empty ones) goes in
    as it was hashed."""
    patient = PatientFactory(clinic=clinic, created_by=intake_staff)
    request = RequestFactory().get(
        "/", REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="Browser/1.0"
    )
    request.user, request.request_id = intake_staff, "a" * 32
    with audit.batch():
        full = audit.record(
            audit.Event.PATIENT_VIEWED,
            request=request,
            clinic=clinic,
            patient=patient,
            target=patient,
            category="patient",
            object_version=3,
            detail={"page": "patients", "count": 2, "nested": {"ok": True}},
            activity_at=timezone.now() - timedelta(days=2),
        )
        bare = audit.record(audit.Event.AUTH_LOGIN_FAILED)
        edge = audit.record(
            audit.Event.PATIENT_VIEWED,
            request=RequestFactory().get("/", REMOTE_ADDR="2001:db8::7"),
            clinic=clinic,
            detail={"page": "é — “quoted”", "list": [1, None, 2.5]},
            activity_at=timezone.now().replace(microsecond=0),
        )

    for written in (full, bare, edge):
        stored = AuditEvent.objects.get(seq=written.seq)
        assert audit.compute_row_hash(stored) == written.row_hash
        assert stored.detail == written.detail
    assert AuditEvent.objects.get(seq=full.seq).source_ip == "192.0.2.7"
    assert AuditEvent.objects.get(seq=edge.seq).source_ip == "2001:db8::7"
    assert chain_is_intact()


def test_a_list_of_two_clinics_patients_audits_each_in_its_own_clinic(
    intake_staff, clinic, other_clinic
):
    MembershipFactory(user=intake_staff, clinic=other_clinic, role="clinician")
    shown = [
        PatientFactory(clinic=where, created_by=intake_staff)
        for where in (clinic, clinic, other_clinic, other_clinic, clinic)
    ]
    request = RequestFactory().get("/patients/")
    request.user, request.request_id = intake_staff, "c" * 32

    audit.record_patients_shown(request, shown, page="patient_list")

    rows = list(AuditEvent.objects.filter(request_id="c" * 32).order_by("seq"))
    assert [(r.patient_id, r.clinic_id) for r in rows] == [
        (p.pk, p.clinic_id) for p in shown
    ]
    roles = {clinic.pk: "intake_staff", other_clinic.pk: "clinician"}
    assert [r.actor_role for r in rows] == [roles[r.clinic_id] for r in rows]
    assert chain_is_intact()


def test_a_row_copied_for_another_patient_shares_nothing_it_changes(
    intake_staff, clinic
):
    first, second = (PatientFactory(clinic=clinic) for _ in range(2))
    event = AuditEvent(
        action=audit.Event.PATIENT_VIEWED, patient=first, detail={"page": "list"}
    )
    event.object_id = str(first.pk)

    copied = audit._for_patient(event, second)
    copied.detail["page"] = "changed"

    assert (copied.patient, copied.patient_id, copied.object_id) == (
        second,
        second.pk,
        str(second.pk),
    )
    assert (event.patient, event.patient_id, event.object_id) == (
        first,
        first.pk,
        str(first.pk),
    )
    assert event.detail == {"page": "list"}
    assert copied._state is not event._state
    assert copied._state.adding
    assert copied._state.db == event._state.db


def test_it_joins_a_nested_batch_to_the_outer_one(intake_staff, clinic):
    before = AuditEvent.objects.count()
    with audit.batch():
        audit.record("intake.updated", actor=intake_staff, clinic=clinic)
        with audit.batch():
            audit.record("intake.screened", actor=intake_staff, clinic=clinic)
        assert AuditEvent.objects.count() == before

    assert AuditEvent.objects.count() == before + 2
    assert chain_is_intact()


def test_it_writes_nothing_of_a_batch_that_failed(intake_staff, clinic):
    before = AuditEvent.objects.count()

    def failing_service() -> None:
        with transaction.atomic(), audit.batch():
            audit.record("intake.updated", actor=intake_staff, clinic=clinic)
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        failing_service()

    assert AuditEvent.objects.count() == before
    # The next record() is not swallowed by a batch left behind.
    audit.record("patient.searched", actor=intake_staff, clinic=clinic)
    assert AuditEvent.objects.count() == before + 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time: racing writers need PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_chain_under_concurrent_writers(intake_staff, clinic):
    writers, events_each = 8, 6
    barrier = threading.Barrier(writers)
    errors: list[Exception] = []

    def write(n: int) -> None:
        try:
            barrier.wait()
            for _ in range(events_each // 2):
                audit.record("patient.searched", actor=intake_staff, clinic=clinic)
                with transaction.atomic(), audit.batch():
                    audit.record("intake.updated", actor=intake_staff, clinic=clinic)
                    audit.record("intake.screened", actor=intake_staff, clinic=clinic)
        except Exception as error:  # noqa: BLE001 - any error fails the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    seqs = list(AuditEvent.objects.values_list("seq", flat=True))
    assert len(seqs) >= writers * (events_each // 2) * 3
    assert seqs == list(range(1, len(seqs) + 1))
    assert chain_is_intact()
