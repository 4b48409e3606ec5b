"""factory_boy factories for the screening models."""

import datetime
import itertools
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from screening.models import (
    Clinic,
    ConsentDocument,
    ConsentRecord,
    Intake,
    Membership,
    Patient,
)
from screening.services import consent
from screening.services import intakes as intake_services
from screening.services.documents import split_missing_reasons


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    clinic = factory.SubFactory(ClinicFactory)
    role = Membership.Role.INTAKE_STAFF


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    mrn = factory.Sequence(lambda n: f"MRN{n:06d}")
    given_name = "Alex"
    family_name = factory.Sequence(lambda n: f"Example{n}")
    date_of_birth = datetime.date(1980, 5, 17)
    sex_for_scoring = "female"
    created_by = factory.SubFactory(UserFactory)


_bulk_mrn = itertools.count(1)


def intakes_from_documents(
    clinic: Clinic,
    documents: list[dict[str, Any]],
    *,
    created_by: Any,
    status: str = Intake.Status.IN_PROGRESS,
) -> list[Intake]:
    """One patient and one intake per intake/1 document, stored with bulk inserts.

    Every section is stored as an import stores it (version 1, with its first
    revision); no screening runs, so a test chooses when to screen (10,000 intakes
    take seconds this way).
    """
    patients = Patient.objects.bulk_create(
        Patient(
            clinic=clinic,
            mrn=f"BULK{next(_bulk_mrn):07d}",
            given_name="Test",
            family_name="Patient",
            date_of_birth=datetime.date(1970, 1, 1),
            created_by=created_by,
        )
        for _ in documents
    )
    intakes = Intake.objects.bulk_create(
        Intake(
            clinic=clinic,
            patient=patient,
            intake_on=datetime.date.fromisoformat(document["intake_date"]),
            status=status,
            created_by=created_by,
        )
        for patient, document in zip(patients, documents, strict=True)
    )
    intake_services.do_store_sections(
        (
            (intake, intake_services.document_answers(document))
            for intake, document in zip(intakes, documents, strict=True)
        ),
        by=created_by,
        origin="import",
    )
    return intakes


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    """A confirmed authenticator app; codes come from django_otp.oath.totp(bin_key)."""

    class Meta:
        model = TOTPDevice
        django_get_or_create = ("user", "confirmed")

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True


def screened_intake(
    clinic: Clinic,
    document: dict[str, Any],
    *,
    by: Any = None,
    patient: Patient | None = None,
    ready: bool = True,
    consented: bool = True,
) -> Intake:
    """An intake entered through the services from an intake/1 document, as intake
    staff would leave it: every section saved (with its field history) and screened,
    the patient's consent recorded (#18) unless `consented` is False, then handed to
    the worklist unless `ready` is False."""
    by = by or UserFactory()
    patient = patient or PatientFactory(clinic=clinic, created_by=by)
    intake = intake_services.do_create_intake(
        patient,
        intake_on=datetime.date.fromisoformat(document["intake_date"]),
        primary_indication=document["indication"]["primary"],
        by=by,
    )
    reasons = split_missing_reasons(document.get("missing_reasons", {}))
    for section in intake.sections.order_by("pk"):
        intake_services.do_save_section(
            section,
            document[section.kind],
            missing_reasons=reasons.get(section.kind, {}),
            version=section.version,
            by=by,
        )
    if consented:
        consent.do_record_consent(
            intake,
            document=published_consent(clinic),
            method=ConsentRecord.Method.PAPER_SCANNED,
            consented_at=timezone.now(),
            reference="scan 1",
            by=by,
        )
    if ready:
        intake_services.do_mark_ready_for_review(intake, by=by)
    return Intake.objects.select_related("clinic", "patient", "current_screening").get(
        pk=intake.pk
    )


def published_consent(clinic: Clinic) -> ConsentDocument:
    """The clinic's published consent document (made on first use)."""
    found = ConsentDocument.objects.filter(
        clinic=clinic, status=ConsentDocument.Status.PUBLISHED
    ).first()
    if found is not None:
        return found
    admin = UserFactory(username=f"consent-admin-{clinic.slug}")
    document = consent.do_create_consent_document(
        clinic,
        title="Consent to screening for ketamine-assisted therapy",
        version="1",
        text="I agree that the clinic screens my answers for a clinician to review.",
        effective_on=datetime.date(2026, 1, 1),
        by=admin,
    )
    return consent.do_publish_consent_document(document, by=admin)


class IntakeFactory(factory.django.DjangoModelFactory):
    """An intake started through the service, as the "start an intake" form does:
    every section unanswered but the indication, and screened."""

    class Meta:
        model = Intake

    patient = factory.SubFactory(PatientFactory)
    intake_on = datetime.date(2026, 11, 2)
    created_by = factory.SelfAttribute("patient.created_by")
    primary_indication = "major_depressive_disorder"

    @classmethod
    def _create(
        cls,
        model_class: type[Intake],
        *,
        patient: Patient,
        intake_on: datetime.date,
        created_by: Any,
        primary_indication: str,
    ) -> Intake:
        return intake_services.do_create_intake(
            patient,
            intake_on=intake_on,
            primary_indication=primary_indication,
            by=created_by,
        )
