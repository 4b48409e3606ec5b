"""Fetch protected objects for a user: clinic scope first (404), then role (403)."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from screening import audit, compiled, permissions
from screening.models import (
    Clinic,
    ClinicTestCase,
    ConsentDocument,
    Intake,
    Patient,
    RescreenJob,
    Rule,
    RulesetVersion,
)


def _deny(request: HttpRequest, *, clinic: Clinic | None, kind: str, pk: int) -> None:
    """One `access.denied` row. `clinic` is the probed object's clinic when the object
    exists, even another clinic's, so that clinic's auditor sees the probe (#13 info);
    the page answered is the same 404 either way."""
    audit.record(
        audit.Event.ACCESS_DENIED,
        request=request,
        clinic=clinic,
        category=kind,
        detail={"object_type": kind, "object_id": pk},
        outcome="denied",
    )


def get_clinic_for_user(request: HttpRequest, *, action: str) -> Clinic:
    """The clinic the user works in: their first membership whose role fits."""
    user: Any = request.user
    clinics = [m.clinic for m in permissions.memberships_of(user).values()]
    for clinic in clinics:
        if permissions.can(user, action, clinic=clinic):
            return clinic
    _deny(request, clinic=clinics[0] if clinics else None, kind="clinic", pk=0)
    raise PermissionDenied


def get_patient_for_user(request: HttpRequest, pk: int, *, action: str) -> Patient:
    """The patient if one of the user's clinics holds it (else 404); 403 on role."""
    patient = _one(patient_query, pk)
    clinic = patient.clinic if patient else _probed_clinic(Patient, pk)
    _in_clinic(request, patient, clinic, kind="patient", pk=pk)
    return _with_role(request, patient, clinic, action=action, kind="patient")


def patient_query(pk: Any) -> QuerySet[Patient]:
    """A patient not deleted, with its clinic (compiled once: screening/compiled.py)."""
    return Patient.objects.select_related("clinic").filter(pk=pk, is_deleted=False)


def get_intake_for_user(request: HttpRequest, pk: int, *, action: str) -> Intake:
    """The intake if one of the user's clinics holds it (else 404); 403 on role."""
    intake = _one(intake_query, pk)
    clinic = intake.clinic if intake else _probed_clinic(Intake, pk)
    _in_clinic(request, intake, clinic, kind="intake", pk=pk)
    return _with_role(request, intake, clinic, action=action, kind="intake")


def intake_query(pk: Any) -> QuerySet[Intake]:
    """An intake of a patient not deleted, with what its pages show of it; the
    sign-off row decides whether it is signed (issue 13 F7). Compiled once
    (screening/compiled.py): every intake page of every request reads it."""
    return Intake.objects.select_related(
        "clinic", "patient", "current_screening", "signoff"
    ).filter(pk=pk, patient__is_deleted=False)


def _one(build: Callable[[Any], QuerySet[Any]], pk: int) -> Any:
    """The object build(pk) gives, or None (read with others, in a view that reads
    them together: compiled.together)."""
    found = compiled.rows(build, pk)
    return found[0] if found else None


def _probed_clinic(model: type[Model], pk: int) -> Clinic | None:
    """The clinic of a row the user may not see (deleted, or not there: None), for
    the audit row of the refusal."""
    probed = model.objects.select_related("clinic").filter(pk=pk).first()
    return probed.clinic if probed else None  # type: ignore[attr-defined]


def _in_clinic(
    request: HttpRequest, obj: Any, clinic: Clinic | None, *, kind: str, pk: int
) -> Any:
    """The object if its clinic is one of the user's (else 404); 403 on role."""
    # The memberships the request read once, not a query of the user's clinics.
    if (
        obj is None
        or clinic is None
        or clinic.pk not in permissions.memberships_of(request.user)
    ):
        _deny(request, clinic=clinic, kind=kind, pk=pk)
        raise Http404
    return obj


def _with_role(
    request: HttpRequest, obj: Any, clinic: Clinic, *, action: str, kind: str
) -> Any:
    if not permissions.can(request.user, action, clinic=clinic):
        _deny(request, clinic=clinic, kind=kind, pk=obj.pk)
        raise PermissionDenied
    return obj


def get_ruleset_for_user(
    request: HttpRequest, pk: int, *, action: str
) -> RulesetVersion:
    """One of the user's clinics' ruleset versions (else 404); 403 on role.

    The shipped default belongs to no clinic: it is reached from the clinic's own
    pages, never by id.
    """
    ruleset = RulesetVersion.objects.select_related("clinic").filter(pk=pk).first()
    clinic = ruleset.clinic if ruleset else None
    _in_clinic(request, ruleset, clinic, kind="ruleset", pk=pk)
    return _with_role(request, ruleset, clinic, action=action, kind="ruleset")


def get_draft_for_user(request: HttpRequest, pk: int, *, action: str) -> RulesetVersion:
    """As get_ruleset_for_user, for a page that changes it: only a draft (else 403)."""
    ruleset = get_ruleset_for_user(request, pk, action=action)
    if not ruleset.is_draft:
        _deny(request, clinic=ruleset.clinic, kind="ruleset", pk=pk)
        raise PermissionDenied
    return ruleset


def get_rule_for_user(request: HttpRequest, pk: int, *, action: str) -> Rule:
    rule = Rule.objects.select_related("ruleset__clinic").filter(pk=pk).first()
    clinic = rule.ruleset.clinic if rule else None
    _in_clinic(request, rule, clinic, kind="rule", pk=pk)
    return _with_role(request, rule, clinic, action=action, kind="rule")


def get_test_case_for_user(
    request: HttpRequest, pk: int, *, action: str
) -> ClinicTestCase:
    case = ClinicTestCase.objects.select_related("clinic").filter(pk=pk).first()
    clinic = case.clinic if case else None
    _in_clinic(request, case, clinic, kind="test_case", pk=pk)
    return _with_role(request, case, clinic, action=action, kind="test_case")


def get_rescreen_job_for_user(
    request: HttpRequest, pk: int, *, action: str
) -> RescreenJob:
    job = RescreenJob.objects.select_related("clinic", "ruleset").filter(pk=pk).first()
    clinic = job.clinic if job else None
    _in_clinic(request, job, clinic, kind="rescreen_job", pk=pk)
    return _with_role(request, job, clinic, action=action, kind="rescreen_job")


def get_consent_document_for_user(
    request: HttpRequest, pk: int, *, action: str
) -> ConsentDocument:
    document = ConsentDocument.objects.select_related("clinic").filter(pk=pk).first()
    clinic = document.clinic if document else None
    _in_clinic(request, document, clinic, kind="consent_document", pk=pk)
    return _with_role(request, document, clinic, action=action, kind="consent_document")
