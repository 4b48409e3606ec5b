"""Consent on record (#18): documents, append-only records, the sign-off gate."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from screening.models import (
    AuditEvent,
    ConsentDocument,
    ConsentRecord,
    PublishedConsentDocumentError,
    ReviewRecordIsImmutableError,
)
from screening.services import consent, reviews
from tests.factories import published_consent, screened_intake
from tests.services.review_documents import realistic
from tests.services.test_reviews import decide, fresh, page_hash, reviewed, sign

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database triggers: PostgreSQL only"
)


@pytest.fixture
def draft(clinic, clinic_admin):
    return consent.do_create_consent_document(
        clinic,
        title="Consent to screening",
        version="2",
        text="I agree to be screened.",
        effective_on=datetime.date(2027, 1, 1),
        by=clinic_admin,
    )


@pytest.fixture
def unconsented(clinic, intake_staff):
    return screened_intake(clinic, realistic(), by=intake_staff, consented=False)


def record(intake, by, **changes):
    values = {
        "document": published_consent(intake.clinic),
        "method": ConsentRecord.Method.PAPER_SCANNED,
        "consented_at": timezone.now(),
        "reference": "scan 12",
        **changes,
    }
    return consent.do_record_consent(intake, by=by, **values)


def test_a_draft_changes_until_it_is_published(draft, clinic_admin):
    consent.do_update_consent_document(
        draft,
        title=draft.title,
        version="2",
        text="I agree to be screened and reviewed.",
        effective_on=draft.effective_on,
        by=clinic_admin,
    )
    consent.do_publish_consent_document(draft, by=clinic_admin)
    assert draft.is_published
    assert draft.published_by == clinic_admin
    with pytest.raises(PublishedConsentDocumentError):
        consent.do_update_consent_document(
            draft,
            title=draft.title,
            version="2",
            text="Changed after publishing.",
            effective_on=draft.effective_on,
            by=clinic_admin,
        )
    draft.refresh_from_db()
    assert draft.text == "I agree to be screened and reviewed."
    actions = list(
        AuditEvent.objects.filter(
            object_type="consentdocument", object_id=str(draft.pk)
        ).values_list("action", flat=True)
    )
    assert actions == [
        "consent.document_drafted",
        "consent.document_drafted",
        "consent.document_published",
    ]


def test_it_refuses_a_second_document_with_the_same_version(draft, clinic_admin):
    with pytest.raises(consent.ConsentError, match="already has that version"):
        consent.do_create_consent_document(
            draft.clinic,
            title=draft.title,
            version="2",
            text="Other words.",
            effective_on=draft.effective_on,
            by=clinic_admin,
        )


@on_postgresql
def test_the_database_refuses_to_change_a_published_document(draft, clinic_admin):
    consent.do_publish_consent_document(draft, by=clinic_admin)
    with pytest.raises(DatabaseError, match="never changes"), transaction.atomic():
        ConsentDocument.objects.filter(pk=draft.pk).update(text="Sneaked in.")


@on_postgresql
def test_the_database_refuses_to_change_a_consent_record(unconsented, intake_staff):
    made = record(unconsented, intake_staff)
    with (
        connection.cursor() as cursor,
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
    ):
        cursor.execute(
            "UPDATE screening_consentrecord SET witness = 'x' WHERE id = %s",
            [made.pk],
        )


def test_consent_records_are_append_only(unconsented, intake_staff):
    made = record(unconsented, intake_staff)
    with pytest.raises(ReviewRecordIsImmutableError):
        made.save()
    with pytest.raises(ReviewRecordIsImmutableError):
        ConsentRecord.objects.filter(pk=made.pk).update(witness="x")


def test_it_records_which_version_how_when_and_who(unconsented, intake_staff):
    when = timezone.now() - datetime.timedelta(hours=1)
    made = record(
        unconsented,
        intake_staff,
        method=ConsentRecord.Method.VERBAL_WITNESSED,
        witness="Sam Lee, nurse",
        consented_at=when,
    )
    assert consent.current_consent(unconsented) == made
    assert (made.document.version, made.consented_at, made.recorded_by) == (
        "1",
        when,
        intake_staff,
    )
    event = AuditEvent.objects.get(action="consent.recorded")
    assert event.patient_id == unconsented.patient_id
    assert event.detail == {"document": made.document_id, "method": "verbal_witnessed"}
    assert "Sam Lee" not in str(event.detail)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"method": "verbal_witnessed", "witness": " "}, "needs its witness"),
        (
            {"consented_at": timezone.now() + datetime.timedelta(days=1)},
            "in the future",
        ),
    ],
)
def test_it_refuses_an_incomplete_consent(unconsented, intake_staff, changes, message):
    with pytest.raises(consent.ConsentError, match=message):
        record(unconsented, intake_staff, **changes)
    assert not ConsentRecord.objects.exists()


def test_it_refuses_consent_to_a_draft(unconsented, intake_staff, draft):
    with pytest.raises(consent.ConsentError, match="published consent document"):
        record(unconsented, intake_staff, document=draft)


def test_proceed_is_not_signed_without_a_consent_record(unconsented, clinician):
    intake = reviewed(unconsented, clinician)
    with pytest.raises(reviews.ConsentMissingError, match="No consent on record"):
        sign(intake, clinician)
    record(intake, clinician)
    assert sign(intake, clinician).intake_id == intake.pk


def test_other_dispositions_are_signed_without_consent(unconsented, clinician):
    intake = reviewed(unconsented, clinician)
    decide(intake, clinician, decision="needs_more_information")
    intake = fresh(intake)
    signed = reviews.do_sign_off(intake, page_sha256=page_hash(intake), by=clinician)
    assert signed.intake_id == intake.pk
