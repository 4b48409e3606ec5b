"""Patients: list and search (POST: no search text in a URL), create, view, edit."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from screening import access, audit, permissions
from screening.forms.intakes import IntakeCreateForm
from screening.forms.patients import PatientForm, PatientSearchForm
from screening.models import Clinic, Patient
from screening.paging import CappedPaginator
from screening.services import carry_over, patients

PAGE_SIZE = 50
# What a row of the list shows (patient_row) and its audit row names.
ROW_FIELDS = ("clinic", "mrn", "family_name", "given_name", "date_of_birth")
MRN_TAKEN = "Another patient in this clinic has this MRN. Check the number."


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _clinics(request: HttpRequest) -> list[Clinic]:
    """The user's clinics whose patients the role may see (403 if there are none)."""
    access.get_clinic_for_user(request, action=permissions.VIEW_PATIENT)
    # From the memberships the request has read already (no query of its own).
    memberships = permissions.memberships_of(request.user).values()
    return sorted(
        (
            membership.clinic
            for membership in memberships
            if permissions.can(
                request.user, permissions.VIEW_PATIENT, clinic=membership.clinic
            )
        ),
        key=lambda clinic: clinic.name,
    )


@require_http_methods(["GET", "POST"])
def patient_list(request: HttpRequest) -> HttpResponse:
    clinics = _clinics(request)
    form = PatientSearchForm(_posted(request))
    searched = form.is_bound and form.is_valid()
    # One clinic's patients are all of that clinic: no clinic read with each.
    clinic = clinics[0] if len(clinics) == 1 else None
    with audit.batch():
        if searched:
            # A search's count is exact: it says how many matched.
            found = patients.search_patients(clinics, form.cleaned_data["q"])
            paginator = Paginator(_with_clinic(found, clinic), PAGE_SIZE)
            # The count only: the search text is PHI and never reaches a log or a URL.
            # The paginator's count, read once for the row and the page.
            audit.record(
                audit.Event.PATIENT_SEARCHED,
                request=request,
                clinic=clinics[0],
                category="patient",
                detail={"result_count": paginator.count},
            )
            page = paginator.get_page(None)
        else:
            page = _whole_list(clinics, clinic, request.GET.get("page"))
        # Evaluates the page's rows once; the template reuses them.
        audit.record_patients_shown(
            request, page.object_list, page="patient_list", clinic=clinic
        )
    context = {
        "form": form,
        "page": page,
        "searched": searched,
        "clinics": clinics,
        "show_clinic": clinic is None,
    }
    return render(request, "screening/patients/list.html", context)


def _whole_list(clinics: list[Clinic], clinic: Clinic | None, number: Any) -> Page:
    """A page of the whole list, its count capped (past the cap the page asks for a
    search). One clinic's first page, the one most requests show, is read by
    statements compiled once per process (#19)."""
    if clinic is not None and number is None:
        return CappedPaginator.first_page(_clinic_list, clinic.pk, PAGE_SIZE)
    found = _with_clinic(patients.list_patients(clinics), clinic)
    return CappedPaginator(found, PAGE_SIZE).get_page(number)


def _with_clinic(found: QuerySet[Patient], clinic: Clinic | None) -> QuerySet[Patient]:
    """The patients with their clinic (its column and their audit rows) when the list
    spans clinics."""
    return found if clinic is not None else found.select_related("clinic")


def _clinic_list(clinic_id: Any) -> QuerySet[Patient]:
    """The declaration of one clinic's whole list, by clinic id: the columns a row
    and its audit row show (#19: not the record's times, each a datetime to load)."""
    return patients.list_patients([clinic_id]).only(*ROW_FIELDS)


@require_http_methods(["GET", "POST"])
def patient_create(request: HttpRequest) -> HttpResponse:
    clinic = access.get_clinic_for_user(request, action=permissions.EDIT_PATIENT)
    form = PatientForm(_posted(request), clinic=clinic)
    if request.method == "POST" and form.is_valid():
        try:
            patient = patients.do_create_patient(
                clinic, **form.values(), by=request.user
            )
        except IntegrityError:  # another user took the MRN a moment ago
            form.add_error("mrn", MRN_TAKEN)
        else:
            messages.success(request, "Patient created. Start an intake below.")
            return redirect("screening:patient-detail", pk=patient.pk)
    return render(
        request, "screening/patients/form.html", {"form": form, "patient": None}
    )


@require_GET
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = access.get_patient_for_user(request, pk, action=permissions.VIEW_PATIENT)
    audit.record(
        audit.Event.PATIENT_VIEWED,
        request=request,
        clinic=patient.clinic,
        patient=patient,
        target=patient,
        category="patient",
    )
    intakes = patient.intakes.select_related("current_screening").order_by(
        "-intake_on", "-pk"
    )
    can_edit = permissions.can(
        request.user, permissions.EDIT_INTAKE, clinic=patient.clinic
    )
    # One open intake at a time: while one is unsigned, the page leads back to it.
    open_intake = next((intake for intake in intakes if not intake.is_signed), None)
    context = {
        "patient": patient,
        "intakes": intakes,
        "open_intake": open_intake,
        "age": patient.age_on(timezone.localdate()),
        "intake_form": (
            IntakeCreateForm(
                autofocus=False, carry_source=carry_over.get_carry_source(patient)
            )
            if can_edit and open_intake is None
            else None
        ),
    }
    return render(request, "screening/patients/detail.html", context)


@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    patient = access.get_patient_for_user(request, pk, action=permissions.EDIT_PATIENT)
    form = PatientForm(_posted(request), instance=patient, clinic=patient.clinic)
    if request.method == "POST" and form.is_valid():
        try:
            patients.do_update_patient(patient, form.values(), by=request.user)
        except IntegrityError:
            form.add_error("mrn", MRN_TAKEN)
        else:
            messages.success(request, "Patient details saved.")
            return redirect("screening:patient-detail", pk=patient.pk)
    # The form shows the stored name, MRN and date of birth: a read (#13 F2).
    audit.record_patients_shown(request, [patient], page="patient_edit")
    return render(
        request, "screening/patients/form.html", {"form": form, "patient": patient}
    )
