"""Intakes: start one, its overview with the current screening, the section pages."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from screening import access, audit, permissions
from screening.forms.followups import UrgentClearForm
from screening.forms.intakes import CLINICIAN_FORM, SECTION_FORMS, IntakeCreateForm
from screening.forms.progress import section_rows
from screening.forms.scales import CLINICIAN_KEYS, last_change
from screening.forms.sections import SectionForm
from screening.models import Intake, IntakeSection, SignOff
from screening.services import intakes, urgent

EDIT_TEMPLATE = "screening/intakes/section_edit.html"


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _refuse_signed(request: HttpRequest, intake: Intake) -> HttpResponse:
    """Signed intakes are immutable: every edit URL answers 403 and says why."""
    signoff = SignOff.objects.filter(intake=intake).select_related("signer").first()
    context = {
        "intake": intake,
        "signoff": signoff,
        "can_amend": signoff is not None
        and signoff.status == SignOff.Status.ACTIVE
        and permissions.can(
            request.user, permissions.REVIEW_INTAKE, clinic=intake.clinic
        ),
    }
    return render(request, "screening/intakes/signed.html", context, status=403)


def _demographic_age(intake: Intake) -> int | None:
    """demographics.age as the intake records it (for the 4.2 birth-year check)."""
    section = intake.sections_by_kind.get("demographics")
    if section is not None and section.is_saved:
        return (section.data or {}).get("age")
    return intake.patient.age_on(intake.intake_on)


@require_http_methods(["GET", "POST"])
def intake_create(request: HttpRequest, pk: int) -> HttpResponse:
    patient = access.get_patient_for_user(request, pk, action=permissions.EDIT_INTAKE)
    form = IntakeCreateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        intake = intakes.do_create_intake(
            patient,
            intake_on=form.cleaned_data["intake_on"],
            primary_indication=form.cleaned_data["primary_indication"],
            by=request.user,
        )
        messages.success(request, "Intake started. Fill in each section below.")
        return redirect("screening:intake-detail", pk=intake.pk)
    # The page names the patient: a read (#13 F2).
    audit.record_patients_shown(request, [patient], page="intake_create")
    context = {"patient": patient, "form": form}
    return render(request, "screening/intakes/create.html", context)


@require_GET
def intake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    intake = access.get_intake_for_user(request, pk, action=permissions.VIEW_INTAKE)
    return _render_detail(request, intake, {})


def _render_detail(
    request: HttpRequest,
    intake: Intake,
    bound: dict[str, UrgentClearForm],
    status: int = 200,
) -> HttpResponse:
    """The overview; `bound` holds an urgent-marker form posted with errors."""
    audit.record_for_intake(
        audit.Event.INTAKE_VIEWED,
        intake,
        request=request,
        target=intake,
        category="screening_summary",
    )
    rows = section_rows(intake)
    can_review = permissions.can(
        request.user, permissions.REVIEW_INTAKE, clinic=intake.clinic
    )
    markers = urgent.open_markers(intake)
    for marker in markers:
        marker.form = (  # type: ignore[attr-defined]
            (bound.get(marker.trigger) or UrgentClearForm(trigger=marker.trigger))
            if can_review
            else None
        )
    context = {
        "intake": intake,
        "patient": intake.patient,
        "rows": rows,
        "all_complete": all(row.progress.is_complete for row in rows),
        "screening": intake.current_screening,
        "can_edit": permissions.can(
            request.user, permissions.EDIT_INTAKE, clinic=intake.clinic
        ),
        "can_review": can_review,
        "urgent_markers": markers,
        "cleared_markers": urgent.cleared_markers(intake),
    }
    return render(request, "screening/intakes/detail.html", context, status=status)


@require_POST
def intake_urgent_clear(request: HttpRequest, pk: int) -> HttpResponse:
    intake = access.get_intake_for_user(request, pk, action=permissions.REVIEW_INTAKE)
    form = UrgentClearForm(request.POST)
    if form.is_valid():
        try:
            urgent.do_clear_marker(
                intake,
                trigger=form.cleaned_data["trigger"],
                resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except urgent.UrgentError as error:
            form.add_error("resolution", str(error))
        else:
            messages.success(request, "Recorded. That urgent reason is cleared.")
            return redirect("screening:intake-detail", pk=intake.pk)
    trigger = form.data.get("trigger", "")
    return _render_detail(request, intake, {trigger: form}, status=400)


@require_http_methods(["GET", "POST"])
def intake_section_edit(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    form_class = SECTION_FORMS.get(section)
    if form_class is None:  # the slug comes from a fixed list
        raise Http404
    intake = access.get_intake_for_user(request, pk, action=permissions.EDIT_INTAKE)
    return _edit_section(request, intake, form_class)


@require_http_methods(["GET", "POST"])
def intake_clinician_edit(request: HttpRequest, pk: int) -> HttpResponse:
    # Intake staff read this page; only clinicians enter it (rule book §9).
    action = (
        permissions.EDIT_CLINICIAN_SECTION
        if request.method == "POST"
        else permissions.VIEW_INTAKE
    )
    intake = access.get_intake_for_user(request, pk, action=action)
    if not permissions.can(
        request.user, permissions.EDIT_CLINICIAN_SECTION, clinic=intake.clinic
    ):
        return _read_clinician_section(request, intake)
    return _edit_section(request, intake, CLINICIAN_FORM)


def _read_clinician_section(request: HttpRequest, intake: Intake) -> HttpResponse:
    section = intake.sections.get(kind="scales")
    audit.record_for_intake(
        audit.Event.INTAKE_VIEWED,
        intake,
        request=request,
        target=section,
        category="scales",
        object_version=section.version,
    )
    context = {
        "intake": intake,
        "patient": intake.patient,
        "section": section,
        "value": section.data or {},
        "entered": last_change(section, CLINICIAN_KEYS),
    }
    return render(request, "screening/intakes/clinician_read.html", context)


def _edit_section(
    request: HttpRequest, intake: Intake, form_class: type[SectionForm]
) -> HttpResponse:
    if intake.is_signed:
        return _refuse_signed(request, intake)
    section = intake.sections_by_kind[form_class.section]
    form = form_class(
        _posted(request), section=section, intake=intake, age=_demographic_age(intake)
    )
    status, conflict = 200, None
    if request.method == "GET":
        audit.record_for_intake(
            audit.Event.INTAKE_VIEWED,
            intake,
            request=request,
            target=section,
            category=section.kind,
            object_version=section.version,
        )
    elif form.is_valid():
        try:
            intakes.do_save_section(
                section,
                form.value,
                missing_reasons=form.missing_reasons,
                confirmed_warnings=form.confirmed_warnings,
                version=form.cleaned_data["version"],
                by=request.user,
            )
        except intakes.SignedIntakeError:
            return _refuse_signed(request, intake)
        except intakes.StaleEditError:
            status, conflict = 409, _conflict(request, form, section)
        else:
            messages.success(request, f"{form.title} saved.")
            return redirect("screening:intake-detail", pk=intake.pk)
    context = {
        "intake": intake,
        "patient": intake.patient,
        "form": form,
        "conflict": conflict,
    }
    return render(request, EDIT_TEMPLATE, context, status=status)


def _conflict(
    request: HttpRequest, form: SectionForm, section: IntakeSection
) -> dict[str, Any]:
    """Someone saved first: show both versions; the user may resubmit against theirs."""
    section.refresh_from_db()
    intakes.record_edit_conflict(section, by=request.user)
    form.accept_version(section.version)
    return {
        "rows": form.conflict_rows(section),
        "saved_by": section.updated_by,
        "saved_at": section.updated_at,
        "version": section.version,
    }


@require_POST
def intake_ready(request: HttpRequest, pk: int) -> HttpResponse:
    intake = access.get_intake_for_user(request, pk, action=permissions.EDIT_INTAKE)
    if intake.is_signed:
        return _refuse_signed(request, intake)
    intakes.do_mark_ready_for_review(intake, by=request.user)
    messages.success(request, "The intake is ready for a clinician's review.")
    return redirect("screening:intake-detail", pk=intake.pk)
