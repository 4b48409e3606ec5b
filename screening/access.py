"""Fetch protected objects for a user: clinic scope first (404), then role (403)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from screening import audit, permissions
from screening.models import Clinic, Intake, Patient


def _deny(request: HttpRequest, *, clinic: Clinic | None, kind: str, pk: int) -> None:
    audit.record(
        "access.denied",
        request=request,
        clinic=clinic,
        category=kind,
        detail={"object_type": kind, "object_id": pk},
        outcome="denied",
    )


def get_clinic_for_user(request: HttpRequest, *, action: str) -> Clinic:
    """The clinic the user is working in (their first membership in which the role fits)."""
    user: Any = request.user
    clinics = list(permissions.clinics_of(user).order_by("pk"))
    for clinic in clinics:
        if permissions.can(user, action, clinic=clinic):
            return clinic
    _deny(request, clinic=clinics[0] if clinics else None, kind="clinic", pk=0)
    raise PermissionDenied


def get_patient_for_user(request: HttpRequest, pk: int, *, action: str) -> Patient:
    """The patient if one of the user's clinics holds it (else 404); 403 on role."""
    patient = (
        Patient.objects.select_related("clinic")
        .filter(pk=pk, is_deleted=False, clinic__in=permissions.clinics_of(request.user))
        .first()
    )
    if patient is None:
        _deny(request, clinic=None, kind="patient", pk=pk)
        raise Http404
    if not permissions.can(request.user, action, clinic=patient.clinic):
        _deny(request, clinic=patient.clinic, kind="patient", pk=pk)
        raise PermissionDenied
    return patient


def get_intake_for_user(request: HttpRequest, pk: int, *, action: str) -> Intake:
    """The intake if one of the user's clinics holds it (else 404); 403 on role."""
    intake = (
        Intake.objects.select_related("clinic", "patient", "current_screening")
        .filter(
            pk=pk,
            patient__is_deleted=False,
            clinic__in=permissions.clinics_of(request.user),
        )
        .first()
    )
    if intake is None:
        _deny(request, clinic=None, kind="intake", pk=pk)
        raise Http404
    if not permissions.can(request.user, action, clinic=intake.clinic):
        _deny(request, clinic=intake.clinic, kind="intake", pk=pk)
        raise PermissionDenied
    return intake
