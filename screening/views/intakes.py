"""Intakes: start one, its overview with the current screening, the section pages."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from screening import access, audit, compiled, permissions
from screening.forms.carry_over import CarryConfirmForm
from screening.forms.error_summary import error_summary
from screening.forms.followups import UrgentClearForm
from screening.forms.intakes import CLINICIAN_FORM, SECTION_FORMS, IntakeCreateForm
from screening.forms.progress import section_rows
from screening.forms.scales import CLINICIAN_KEYS, last_change
from screening.forms.sections import SectionForm
from screening.models import Intake, IntakeSection, SignOff
from screening.models.intakes import sections_query
from screening.services import (
    carry_over,
    consent,
    intakes,
    section_drafts,
    self_reports,
    urgent,
)

EDIT_TEMPLATE = "screening/intakes/section_edit.html"
# Pages that are a checklist of conditions, mostly answered No: they offer "mark every
# question not answered yet No" (#16, fewer key presses; never a pre-set answer).
CHECKLIST_PAGES = frozenset({"medical-history", "psychiatric-history"})


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
    source = carry_over.get_carry_source(patient)
    form = IntakeCreateForm(_posted(request), carry_source=source)
    if request.method == "POST" and form.is_valid():
        intake = intakes.do_create_intake(
            patient,
            intake_on=form.cleaned_data["intake_on"],
            primary_indication=form.cleaned_data["primary_indication"],
            by=request.user,
            carry_from=form.carry_from,
        )
        messages.success(
            request,
            "Intake started from the last one. Confirm or edit each carried section."
            if form.carry_from
            else "Intake started. Fill in each section below.",
        )
        overview = reverse("screening:intake-detail", kwargs={"pk": intake.pk})
        return redirect(f"{overview}?started=1")
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
        "focus_slug": _focus_slug(request),
        "all_complete": all(row.progress.is_complete for row in rows),
        "carry_pending": [row.title.lower() for row in rows if row.carry_pending],
        "consent": consent.current_consent(intake),
        "self_report": self_reports.overview_state(intake),
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
    # The intake and its sections (the page's first reads) in one round trip (#19).
    with compiled.together(pk, access.intake_query, sections_query):
        intake = access.get_intake_for_user(request, pk, action=permissions.EDIT_INTAKE)
        return _edit_section(request, intake, form_class, slug=section)


@require_POST
def intake_section_confirm(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    form_class = SECTION_FORMS.get(section)
    if form_class is None:
        raise Http404
    intake = access.get_intake_for_user(request, pk, action=permissions.EDIT_INTAKE)
    if intake.is_signed:
        return _refuse_signed(request, intake)
    form = CarryConfirmForm(request.POST)
    carried = intake.sections_by_kind[form_class.section]
    if not form.is_valid():
        raise Http404  # the version is a hidden field: only a forged post lacks it
    try:
        carry_over.do_confirm_carried_section(
            carried, version=form.cleaned_data["version"], by=request.user
        )
    except carry_over.CarryOverError as error:
        messages.error(request, str(error))
        return redirect("screening:intake-section-edit", pk=intake.pk, section=section)
    messages.success(request, f"{form_class.title} confirmed as carried over.")
    return _after_save(request, intake, section)


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
    return _edit_section(request, intake, CLINICIAN_FORM, slug="")


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


def _next_page(slug: str) -> str | None:
    """The section page after `slug` in the paper form's order (None after the last)."""
    slugs = list(SECTION_FORMS)
    if slug not in slugs:
        return None
    following = slugs[slugs.index(slug) + 1 :]
    return following[0] if following else None


def _focus_slug(request: HttpRequest) -> str | None:
    """The section whose link has the focus on the overview (#16): the first one of an
    intake just started, the one after the section just saved."""
    if request.GET.get("started"):
        return next(iter(SECTION_FORMS), None)
    return _next_page(request.GET.get("saved", ""))


def _after_save(request: HttpRequest, intake: Intake, slug: str) -> HttpResponse:
    """ "Save and continue" opens the next section; "Save" the overview, its focus on
    the next section's link (a keyboard user goes on with Enter)."""
    following = _next_page(slug)
    if "continue" in request.POST and following is not None:
        return redirect(
            "screening:intake-section-edit", pk=intake.pk, section=following
        )
    overview = reverse("screening:intake-detail", kwargs={"pk": intake.pk})
    return redirect(f"{overview}?saved={slug}" if slug else overview)


def _edit_section(
    request: HttpRequest, intake: Intake, form_class: type[SectionForm], *, slug: str
) -> HttpResponse:
    if intake.is_signed:
        return _refuse_signed(request, intake)
    section = intake.sections_by_kind[form_class.section]
    data, draft = _posted(request), None
    if request.method == "GET" and slug:
        # Typing kept before an idle logout comes back as if posted, so its
        # validation messages show as after a save (T-SES-06).
        draft = section_drafts.draft_for(section, request.user)
        if draft is not None:
            data = section_drafts.as_posted(draft)
    form = form_class(
        data,
        section=section,
        intake=intake,
        age=_demographic_age(intake),
        may_enter_clinician_answers=permissions.can(
            request.user, permissions.EDIT_CLINICIAN_SECTION, clinic=intake.clinic
        ),
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
        if draft is not None:
            form.is_valid()  # only to show what the restored values need; no save
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
            return _after_save(request, intake, slug)
    context = {
        "intake": intake,
        "patient": intake.patient,
        "form": form,
        "conflict": conflict,
        "draft": draft,
        "errors": error_summary(form) if form.is_bound else [],
        "slug": slug,
        "next_slug": _next_page(slug),
        "checklist": slug in CHECKLIST_PAGES,
        "carried": carry_over.carried_banner(section),
    }
    return render(request, EDIT_TEMPLATE, context, status=status)


@require_POST
def intake_section_draft(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """Keep what was typed on a section page (the page posts it as the person types).

    A request of the person at work: like any, it renews the idle timer.
    """
    return _save_draft(request, pk, section)


@require_POST
def intake_section_draft_at_timeout(
    request: HttpRequest, pk: int, section: str
) -> HttpResponse:
    """Keep what was typed, posted by the page's timer just before the idle logout.

    No one's activity: this URL is one the session middleware lets not renew the
    idle timer, or the save would keep an abandoned session alive.
    """
    return _save_draft(request, pk, section)


def _save_draft(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    form_class = SECTION_FORMS.get(section)
    if form_class is None:
        raise Http404
    intake = access.get_intake_for_user(request, pk, action=permissions.EDIT_INTAKE)
    try:
        section_drafts.do_save_draft(
            intake.sections_by_kind[form_class.section],
            section_drafts.typed_fields(request.POST),
            by=request.user,
        )
    except (section_drafts.DraftOfSignedIntakeError, section_drafts.StaleDraftError):
        return HttpResponse(status=409)
    return HttpResponse(status=204)


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
    try:
        intakes.do_mark_ready_for_review(intake, by=request.user)
    except intakes.NotReadyError as error:
        messages.error(request, str(error))
        return redirect("screening:intake-detail", pk=intake.pk)
    messages.success(request, "The intake is ready for a clinician's review.")
    return redirect("screening:intake-detail", pk=intake.pk)
