"""Consent on record (#18): documents kept by the clinic admin, records per intake."""

from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from screening import audit, compiled
from screening.models import (
    Clinic,
    ConsentDocument,
    ConsentRecord,
    Intake,
    PublishedConsentDocumentError,
)


class ConsentError(Exception):
    """A consent change refused; the message says what to do."""


def list_published(clinic: Clinic) -> list[ConsentDocument]:
    """The versions staff may record consent to, newest effective date first."""
    return list(
        ConsentDocument.objects.filter(
            clinic=clinic, status=ConsentDocument.Status.PUBLISHED
        ).order_by("title", "-effective_on", "-pk")
    )


def current_consent(intake: Intake) -> ConsentRecord | None:
    """The intake's newest consent record (records are append-only); its statement
    is compiled once (screening/compiled.py): the summary and the intake overview
    read it on every request."""
    found = compiled.rows(current_consent_query, intake.pk)
    return found[0] if found else None  # type: ignore[return-value]


def current_consent_query(intake_id: Any) -> QuerySet[ConsentRecord]:
    return (
        ConsentRecord.objects.filter(intake_id=intake_id)
        .select_related("document", "recorded_by")
        .order_by("-recorded_at", "-pk")[:1]
    )


def tablet_document(clinic: Clinic) -> ConsentDocument | None:
    """The version the tablet shows: the newest published one already in effect."""
    return (
        ConsentDocument.objects.filter(
            clinic=clinic,
            status=ConsentDocument.Status.PUBLISHED,
            effective_on__lte=timezone.localdate(),
        )
        .order_by("-effective_on", "-published_at", "-pk")
        .first()
    )


def has_consent(intake: Intake) -> bool:
    return ConsentRecord.objects.filter(intake=intake).exists()


VERSION_TAKEN = (
    "This title already has that version: give the new wording a new version."
)


@transaction.atomic
def do_create_consent_document(
    clinic: Clinic,
    *,
    title: str,
    version: str,
    text: str,
    effective_on: date,
    by: User,
) -> ConsentDocument:
    """Draft a consent document version; it may change until it is published."""
    # Asked first, so a refusal writes nothing; the constraint still settles a race.
    taken = ConsentDocument.objects.filter(
        clinic=clinic, title=title.strip(), version=version.strip()
    ).exists()
    if taken:
        raise ConsentError(VERSION_TAKEN)
    try:
        with transaction.atomic():
            document = ConsentDocument.objects.create(
                clinic=clinic,
                title=title.strip(),
                version=version.strip(),
                text=text,
                effective_on=effective_on,
                created_by=by,
                created_at=timezone.now(),
            )
    except IntegrityError as error:
        raise ConsentError(VERSION_TAKEN) from error
    return _audited(document, audit.Event.CONSENT_DOCUMENT_DRAFTED, by)


@transaction.atomic
def do_update_consent_document(
    document: ConsentDocument,
    *,
    title: str,
    version: str,
    text: str,
    effective_on: date,
    by: User,
) -> ConsentDocument:
    """Change a draft; a published version is refused, whatever the change."""
    taken = (
        ConsentDocument.objects.filter(
            clinic=document.clinic, title=title.strip(), version=version.strip()
        )
        .exclude(pk=document.pk)
        .exists()
    )
    if taken:
        raise ConsentError(VERSION_TAKEN)
    changed = ConsentDocument.objects.filter(
        pk=document.pk, status=ConsentDocument.Status.DRAFT
    ).update(
        title=title.strip(),
        version=version.strip(),
        text=text,
        effective_on=effective_on,
    )
    if not changed:
        raise PublishedConsentDocumentError(
            "A published consent document never changes: draft a new version."
        )
    document.refresh_from_db()
    return _audited(document, audit.Event.CONSENT_DOCUMENT_DRAFTED, by)


@transaction.atomic
def do_publish_consent_document(
    document: ConsentDocument, *, by: User
) -> ConsentDocument:
    """Publish a draft: from now on staff may record consent to it, and it is frozen."""
    now = timezone.now()
    changed = ConsentDocument.objects.filter(
        pk=document.pk, status=ConsentDocument.Status.DRAFT
    ).update(status=ConsentDocument.Status.PUBLISHED, published_by=by, published_at=now)
    if not changed:
        raise PublishedConsentDocumentError("This version is already published.")
    document.refresh_from_db()
    return _audited(document, audit.Event.CONSENT_DOCUMENT_PUBLISHED, by)


def _audited(
    document: ConsentDocument, event: audit.Event, by: User
) -> ConsentDocument:
    """The document, once its audit row is appended."""
    audit.record(
        event, actor=by, clinic=document.clinic, target=document, category="consent"
    )
    return document


@transaction.atomic
def do_record_consent(
    intake: Intake,
    *,
    document: ConsentDocument,
    method: str,
    consented_at: datetime,
    witness: str = "",
    reference: str = "",
    typed_name: str = "",
    by: User,
) -> ConsentRecord:
    """Append the patient's consent for this intake: which version, how, when, who."""
    if document.clinic_id != intake.clinic_id or not document.is_published:
        raise ConsentError("Choose a published consent document of this clinic.")
    if method == ConsentRecord.Method.VERBAL_WITNESSED and not witness.strip():
        raise ConsentError(
            "Verbal consent needs its witness: give their name and role."
        )
    if method == ConsentRecord.Method.TABLET_TYPED_NAME and not typed_name.strip():
        raise ConsentError("Consent on the tablet needs the patient's typed name.")
    if consented_at > timezone.now():
        raise ConsentError("Consent cannot be given in the future: check the time.")
    record = ConsentRecord.objects.create(
        intake=intake,
        document=document,
        method=method,
        consented_at=consented_at,
        witness=witness.strip(),
        reference=reference.strip(),
        typed_name=typed_name.strip(),
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    audit.record_for_intake(
        audit.Event.CONSENT_RECORDED,
        intake,
        actor=by,
        target=record,
        category="consent",
        detail={"document": document.pk, "method": method},
    )
    return record
