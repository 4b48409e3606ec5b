"""Issue 13's sign-off findings in the services and `verify_audit`: F1 (hash formats),
F7 (status follows the sign-off), F8 (hashes in the audit chain), F11 (a superseded
sign-off has a successor)."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from screening import audit
from screening.json_numbers import AnswerEncoder
from screening.models import (
    AuditEvent,
    Disposition,
    Intake,
    IntakeSection,
    SignOff,
)
from screening.services import reviews
from tests.factories import screened_intake
from tests.services.review_documents import REALISTIC
from tests.services.signoff_tampering import behind_the_triggers, rehash
from tests.services.test_reviews import fresh, signed

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database triggers: PostgreSQL only"
)


@pytest.fixture
def intake(clinic, intake_staff):
    return screened_intake(clinic, REALISTIC, by=intake_staff)


def verify_audit() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except SystemExit as exit_info:
        return int(exit_info.code or 0), out.getvalue()
    return 0, out.getvalue()


def raw_update(table: str, pk: int, **values) -> None:
    """An UPDATE as the database owner sends it, past the ORM and the triggers."""
    assignments = ", ".join(f"{column} = %s" for column in values)
    with behind_the_triggers(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608 - test names
            [*values.values(), pk],
        )


# F1: what a sign-off stores has a format, and every format still verifies


def test_it_stores_new_sign_offs_in_hash_format_2__f1(intake, clinician):
    signoff = signed(intake, clinician)
    assert signoff.hash_format == 2
    assert reviews.verify_signoffs() == []


def test_it_still_verifies_a_format_1_sign_off__f1(intake, clinician):
    signoff = as_signed_before_format_2(signed(intake, clinician))
    assert reviews.verify_signoffs() == []
    code, out = verify_audit()
    assert code == 0, out
    disposition = Disposition.objects.get(intake=intake)
    raw_update("screening_disposition", disposition.pk, rationale="changed")
    assert reviews.verify_signoffs() == [str(signoff.pk)]


def test_it_covers_the_disposition_author_in_every_format(
    intake, clinician, intake_staff
):
    signoff = signed(intake, clinician)
    disposition = Disposition.objects.get(intake=intake)
    raw_update("screening_disposition", disposition.pk, decided_by_id=intake_staff.pk)
    assert reviews.verify_signoffs() == [str(signoff.pk)]


# F7: the database keeps a signed intake signed; verify_audit reports disagreement


@on_postgresql
@pytest.mark.parametrize("status", ["in_progress", "ready_for_review"])
def test_it_refuses_unsigning_an_intake_in_the_database__f7(intake, clinician, status):
    signed(intake, clinician)
    refused = pytest.raises(DatabaseError, match="is signed")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE screening_intake SET status = %s WHERE id = %s", [status, intake.pk]
        )
    assert fresh(intake).status == Intake.Status.SIGNED


@on_postgresql
def test_it_still_lets_an_unsigned_intake_change_status(intake):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE screening_intake SET status = 'in_progress' WHERE id = %s",
            [intake.pk],
        )
    assert fresh(intake).status == Intake.Status.IN_PROGRESS


def test_it_reports_an_intake_whose_status_disagrees_with_its_sign_off__f7(
    intake, clinician
):
    signed(intake, clinician)
    raw_update("screening_intake", intake.pk, status="in_progress")
    code, out = verify_audit()
    assert code == 1
    assert f"intake {intake.pk} status in_progress disagrees with its sign-off" in out


def test_it_reports_a_signed_status_without_a_sign_off__f7(intake):
    raw_update("screening_intake", intake.pk, status="signed")
    code, out = verify_audit()
    assert code == 1
    assert f"intake {intake.pk} status signed disagrees with its sign-off" in out


def test_it_refuses_to_sign_an_intake_whose_status_was_flipped__f7(intake, clinician):
    signoff = signed(intake, clinician)
    raw_update("screening_intake", intake.pk, status="ready_for_review")
    with pytest.raises(reviews.SignedIntakeError):
        reviews.do_sign_off(fresh(intake), page_sha256="0" * 64, by=clinician)
    assert SignOff.objects.get() == signoff


# F8: the sign-off hashes are in the audit chain


def test_it_puts_the_sign_off_hashes_in_the_audit_chain__f8(intake, clinician):
    signoff = signed(intake, clinician)
    event = AuditEvent.objects.get(action="review.signed")
    assert event.detail["summary_sha256"] == signoff.summary_sha256
    assert event.detail["signature_sha256"] == signoff.signature_sha256
    assert event.detail["hash_format"] == 2


def test_it_catches_hashes_the_database_owner_recomputed__f8(intake, clinician):
    signoff = signed(intake, clinician)
    # An answer changed in the section and in its field history alike ...
    section = IntakeSection.objects.get(intake=intake, kind="vitals")
    changed = json.dumps({**section.data, "bp_systolic": 128}, cls=AnswerEncoder)
    raw_update("screening_intakesection", section.pk, data=changed)
    revision = section.revisions.order_by("-version").first()
    raw_update("screening_sectionrevision", revision.pk, data=changed)
    # ... and both hashes recomputed with the app's own functions, as the owner could.
    raw_update("screening_signoff", signoff.pk, **rehash(signoff))
    assert reviews.verify_signoffs() == []

    code, out = verify_audit()

    assert code == 1
    assert f"sign-off {signoff.pk} hashes differ from its review.signed audit row" in (
        out
    )


def test_it_lists_sign_offs_older_than_the_chain_protection__f8(intake, clinician):
    signoff = as_signed_before_format_2(signed(intake, clinician))

    code, out = verify_audit()

    assert code == 0, out
    assert f"sign-off {signoff.pk} not chain-protected (signed before " in out


# F11: a superseded sign-off has its successor


def test_it_reports_a_superseded_sign_off_without_a_successor__f11(intake, clinician):
    signoff = signed(intake, clinician)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE screening_signoff SET status = 'superseded' WHERE id = %s",
            [signoff.pk],
        )
    code, out = verify_audit()
    assert code == 1
    assert f"sign-off {signoff.pk} superseded without an addendum sign-off" in out


def test_it_accepts_a_sign_off_superseded_by_an_addendum(intake, clinician):
    first = signed(intake, clinician)
    addendum = reviews.do_start_addendum(
        fresh(intake), reason="Corrected the blood pressure.", by=clinician
    )
    signed(addendum, clinician)
    assert SignOff.objects.get(pk=first.pk).status == SignOff.Status.SUPERSEDED
    code, out = verify_audit()
    assert code == 0, out


def as_signed_before_format_2(signoff: SignOff) -> SignOff:
    """The sign-off and its audit row as a database from before issue 13 holds them:
    format 1 hashes, and a `review.signed` row without hashes (re-chained)."""
    event = AuditEvent.objects.get(action="review.signed", object_id=str(signoff.pk))
    detail = {"ruleset_version": event.detail["ruleset_version"]}
    raw_update("screening_auditevent", event.pk, detail=json.dumps(detail))
    _rechain()
    raw_update("screening_signoff", signoff.pk, hash_format=1, identity_sha256="{}")
    raw_update("screening_signoff", signoff.pk, **rehash(SignOff.objects.get()))
    return SignOff.objects.get(pk=signoff.pk)


def _rechain() -> None:
    prev = audit.GENESIS_HASH
    for event in AuditEvent.objects.order_by("seq"):
        event.prev_hash = prev
        row_hash = audit.compute_row_hash(event)
        raw_update("screening_auditevent", event.pk, prev_hash=prev, row_hash=row_hash)
        prev = row_hash
