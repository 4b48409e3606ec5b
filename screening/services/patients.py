"""Patient records: create and update, each audited."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet

from screening import audit
from screening.models import Clinic, Patient


def do_create_patient(
    clinic: Clinic,
    *,
    mrn: str,
    given_name: str = "",
    family_name: str = "",
    date_of_birth: date | None = None,
    sex_for_scoring: str | None = None,
    by: User,
    savepoint: bool = True,
) -> Patient:
    """Create a patient in the clinic and audit it.

    Inside another transaction the patient gets its own savepoint, so that a caller
    can catch a taken MRN (the patient form does) and go on. `savepoint=False` is for
    a caller that lets the error end its whole transaction (the import: one refused
    write refuses the batch), saving two round trips (#19).
    """
    with transaction.atomic(savepoint=savepoint):
        patient = Patient.objects.create(
            clinic=clinic,
            mrn=mrn,
            given_name=given_name,
            family_name=family_name,
            date_of_birth=date_of_birth,
            sex_for_scoring=sex_for_scoring,
            created_by=by,
        )
        audit.record(
            audit.Event.PATIENT_CREATED,
            actor=by,
            clinic=clinic,
            patient=patient,
            target=patient,
            category="patient",
        )
    return patient


@transaction.atomic
def do_update_patient(patient: Patient, values: dict[str, Any], *, by: User) -> Patient:
    """Update the patient's identity fields and audit it."""
    # Field names, never values: a signed summary tells an audited correction of an
    # identifier from one made behind the app's back by them (issue 13 F9).
    changed = sorted(
        name for name, value in values.items() if getattr(patient, name) != value
    )
    for name, value in values.items():
        setattr(patient, name, value)
    patient.save(update_fields=[*values, "updated_at"])
    audit.record(
        audit.Event.PATIENT_UPDATED,
        actor=by,
        clinic=patient.clinic,
        patient=patient,
        target=patient,
        category="patient",
        detail={"fields": changed},
    )
    return patient


def list_patients(clinics: Iterable[Clinic]) -> QuerySet[Patient]:
    """The active patients of these clinics, by name."""
    return Patient.objects.filter(clinic__in=list(clinics), is_deleted=False).order_by(
        "family_name", "given_name", "pk"
    )


def list_patients_by_mrn(clinics: Iterable[Clinic], mrn: str) -> QuerySet[Patient]:
    """The patients of these clinics whose MRN is exactly this one (deleted too:
    their audit trail stays readable)."""
    return Patient.objects.filter(clinic__in=list(clinics), mrn=mrn).order_by("pk")


def search_patients(clinics: Iterable[Clinic], text: str) -> QuerySet[Patient]:
    """Patients whose MRN starts with the text, whose date of birth it is, or whose
    names contain each of its words."""
    patients = list_patients(clinics)
    text = text.strip()
    try:
        born = date.fromisoformat(text)
    except ValueError:
        born = None
    if born is not None:
        return patients.filter(date_of_birth=born)
    by_name = Q()
    for word in text.split():
        by_name &= Q(family_name__icontains=word) | Q(given_name__icontains=word)
    return patients.filter(Q(mrn__istartswith=text) | by_name)
