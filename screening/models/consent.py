"""Consent on record (#18): the clinic's consent documents and each intake's consent.

A consent document is drafted and published by the clinic admin; a published version
never changes (a new wording is a new version). A consent record says which published
version the patient consented to for an intake, how, when and who recorded it. Records
are append-only: a correction is a newer record. On PostgreSQL triggers refuse any
change to a published document or to a record, superusers included (migration 0016).
"""

from django.conf import settings
from django.db import models

from screening.models.reviews import ImmutableModel


class PublishedConsentDocumentError(Exception):
    """A published consent document is never changed: publish a new version."""


class ConsentDocument(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    clinic = models.ForeignKey(
        "screening.Clinic", on_delete=models.PROTECT, related_name="consent_documents"
    )
    title = models.CharField(max_length=200)
    version = models.CharField(max_length=20)
    text = models.TextField()
    effective_on = models.DateField("effective date")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "title", "version"],
                name="one_consent_document_per_title_and_version",
            )
        ]
        ordering = ["title", "-effective_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ConsentRecord(ImmutableModel):
    """One consent given for one intake; append-only (the newest counts)."""

    class Method(models.TextChoices):
        PAPER_SCANNED = "paper_scanned", "Signed on paper and scanned"
        TABLET_TYPED_NAME = (
            "tablet_typed_name",
            "Typed their name on the tablet (self-report session)",
        )
        VERBAL_WITNESSED = "verbal_witnessed", "Verbal, with a witness"

    intake = models.ForeignKey(
        "screening.Intake", on_delete=models.PROTECT, related_name="consents"
    )
    document = models.ForeignKey(
        ConsentDocument, on_delete=models.PROTECT, related_name="records"
    )
    method = models.CharField(max_length=20, choices=Method.choices)
    # When the patient consented (may be before it was recorded).
    consented_at = models.DateTimeField()
    # Verbal consent: who witnessed it (a member of staff, by name and role).
    witness = models.CharField(max_length=200, blank=True)
    # Where the scanned paper is kept, or another short note; never clinical text.
    reference = models.CharField(max_length=200, blank=True)
    # Typed name on the tablet: the full name the patient typed as their signature.
    typed_name = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["intake", "recorded_at"])]

    def __str__(self) -> str:
        return f"Consent {self.pk} for intake {self.intake_id}"
