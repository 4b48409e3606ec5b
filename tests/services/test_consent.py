"""Consent on record (#18): documents, append-only records, the sign-off gate."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from screening.models import (
    AuditEvent,
    ConsentDocument,
    ConsentRecord,
    PublishedConsentDocumentError,
    ReviewRecordIsImmutableError,
)
from screening.services import consent, reviews, self_reports
from tests.factories import (
    IntakeFactory,
    PatientFactory,
    published_consent,
    screened_intake,
)
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


def test_an_addendum_carries_the_consent_as_it_was_recorded(unconsented, clinician):
    intake = reviewed(unconsented, clinician)
    given = record(
        intake,
        clinician,
        method=ConsentRecord.Method.TABLET_TYPED_NAME,
        typed_name="Ruth Reference",
        reference="",
    )
    sign(intake, clinician)

    addendum = reviews.do_start_addendum(
        fresh(intake), reason="A corrected medication list.", by=clinician
    )

    (carried,) = ConsentRecord.objects.filter(intake=addendum)
    fields = [f.attname for f in ConsentRecord._meta.concrete_fields]
    kept = [name for name in fields if name not in ("id", "intake_id")]
    assert [getattr(carried, name) for name in kept] == [
        getattr(given, name) for name in kept
    ]
    assert carried.typed_name == "Ruth Reference"


def test_other_dispositions_are_signed_without_consent(unconsented, clinician):
    intake = reviewed(unconsented, clinician)
    decide(intake, clinician, decision="needs_more_information")
    intake = fresh(intake)
    signed = reviews.do_sign_off(intake, page_sha256=page_hash(intake), by=clinician)
    assert signed.intake_id == intake.pk


# Typed name on the tablet (#17, #18): agreed in the self-report session, recorded
# at its finish by the staff member who started it.


@pytest.fixture
def tablet_session(clinic, intake_staff):
    intake = IntakeFactory(
        patient=PatientFactory(clinic=clinic, created_by=intake_staff),
        created_by=intake_staff,
    )
    report, _code = self_reports.do_start(intake, by=intake_staff, include_pcl5=False)
    return report


def finish(report):
    """Answer every page the session has (no text packs: the history check only)."""
    for step in self_reports.plan(report):
        choice = "none" if step.kind == "text" else str(step.options[0].value)
        self_reports.do_answer(report, step, choice=choice, pack=None)
    return self_reports.do_finish(report)


def test_the_tablet_shows_the_newest_published_version_in_effect(clinic, draft):
    assert consent.tablet_document(clinic) is None  # a draft is never shown
    current = published_consent(clinic)
    assert consent.tablet_document(clinic) == current
    # A published version taking effect later waits for its date.
    consent.do_publish_consent_document(draft, by=draft.created_by)
    assert draft.effective_on > timezone.localdate()
    assert consent.tablet_document(clinic) == current


def test_an_agreement_on_the_tablet_is_recorded_at_finish(tablet_session, intake_staff):
    document = published_consent(tablet_session.clinic)
    assert self_reports.consent_document(tablet_session) == document
    self_reports.do_agree_consent(tablet_session, document, typed_name=" Ana  Ruiz ")
    assert not ConsentRecord.objects.exists()  # nothing until the finish

    finish(tablet_session)

    made = ConsentRecord.objects.get()
    assert made.intake == tablet_session.intake
    assert (made.method, made.typed_name, made.document) == (
        "tablet_typed_name",
        "Ana  Ruiz",
        document,
    )
    assert made.recorded_by == intake_staff  # who started the session
    assert made.consented_at == tablet_session.consent_agreed_at
    event = AuditEvent.objects.get(action="consent.recorded")
    assert event.actor == intake_staff
    assert event.detail == {"document": document.pk, "method": "tablet_typed_name"}
    assert "Ruiz" not in str(event.detail)
    # The intake has consent now: a later session shows no consent page.
    again, _code = self_reports.do_start(
        tablet_session.intake, by=intake_staff, include_pcl5=False
    )
    assert self_reports.consent_document(again) is None


def test_talking_to_staff_first_records_nothing_and_never_blocks_the_answers(
    tablet_session,
):
    document = published_consent(tablet_session.clinic)
    self_reports.do_skip_consent(tablet_session, document)
    report = finish(tablet_session)
    assert report.status == "finished"
    assert not ConsentRecord.objects.exists()


def test_an_agreement_in_a_session_that_never_finishes_records_nothing(
    tablet_session, intake_staff
):
    document = published_consent(tablet_session.clinic)
    self_reports.do_agree_consent(tablet_session, document, typed_name="Ana Ruiz")
    self_reports.do_end(tablet_session, by=intake_staff)
    assert not ConsentRecord.objects.exists()


def test_a_consent_staff_recorded_meanwhile_is_not_recorded_twice(
    tablet_session, intake_staff
):
    document = published_consent(tablet_session.clinic)
    self_reports.do_agree_consent(tablet_session, document, typed_name="Ana Ruiz")
    record(tablet_session.intake, intake_staff)
    finish(tablet_session)
    assert ConsentRecord.objects.get().method == "paper_scanned"


def test_typed_name_consent_needs_the_name(unconsented, intake_staff):
    with pytest.raises(consent.ConsentError, match="typed name"):
        record(unconsented, intake_staff, method="tablet_typed_name", typed_name=" ")


def test_it_refuses_a_taken_version_without_writing(clinic, intake_staff):
    kwargs = {
        "title": "Consent to screening",
        "version": "1",
        "text": "I agree.",
        "effective_on": datetime.date(2026, 1, 1),
        "by": intake_staff,
    }
    consent.do_create_consent_document(clinic, **kwargs)
    with (
        CaptureQueriesContext(connection) as queries,
        pytest.raises(consent.ConsentError),
    ):
        consent.do_create_consent_document(clinic, **kwargs)
    assert not any("INSERT" in query["sql"] for query in queries.captured_queries)


def test_it_refuses_renaming_a_draft_to_a_taken_version(clinic, intake_staff):
    kwargs = {"text": "I agree.", "effective_on": datetime.date(2026, 1, 1)}
    consent.do_create_consent_document(
        clinic, title="Consent", version="1", by=intake_staff, **kwargs
    )
    draft = consent.do_create_consent_document(
        clinic, title="Consent", version="2", by=intake_staff, **kwargs
    )
    with pytest.raises(consent.ConsentError):
        consent.do_update_consent_document(
            draft, title="Consent", version="1", by=intake_staff, **kwargs
        )
