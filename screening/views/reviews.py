"""Clinician review: worklist, flagged summary, acknowledgements, disposition, sign-off,
PDF and addenda."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from screening import access, audit, compiled, pdf, permissions, worklist
from screening.forms.missing_data import MissingAnswerForm
from screening.forms.reviews import (
    AcknowledgementForm,
    AddendumForm,
    DispositionForm,
    SignOffForm,
    WorklistFilterForm,
)
from screening.models import Intake
from screening.models.intakes import sections_query
from screening.reauth import verify_reauthentication
from screening.review_summary import (
    ReviewSummary,
    acceptances_query,
    acknowledgements_query,
    build_summary,
    dispositions_query,
    revisions_query,
)
from screening.services import (
    consent,
    missing_data,
    rereview,
    reviews,
    signoff_changes,
    urgent,
)
from screening.services.intakes import SignedIntakeError

SUMMARY_TEMPLATE = "screening/reviews/summary.html"
CHANGES_TEMPLATE = "screening/reviews/signoff_changed.html"


@require_GET
def review_worklist(request: HttpRequest) -> HttpResponse:
    clinic = access.get_clinic_for_user(request, action=permissions.REVIEW_INTAKE)
    data = request.GET.copy()
    data.setdefault("status", worklist.NEEDS_CLINICIAN)
    form = WorklistFilterForm(data)
    filters = (
        form.cleaned_data
        if form.is_valid()
        else {"status": worklist.NEEDS_CLINICIAN, "outcome": ""}
    )
    after = worklist.Cursor.parse(request.GET.get("after", ""))
    before = worklist.Cursor.parse(request.GET.get("before", ""))
    page = worklist.list_worklist_page(
        clinic,
        status=filters["status"],
        outcome=filters["outcome"],
        after=after,
        before=before,
    )
    # Urgent intakes head every page, whatever the filter; re-reviews head the first
    # page of the lists they belong to.
    has_open = worklist.open_lists(clinic)
    urgent_rows = urgent.list_open(clinic) if has_open.urgent else []
    shows_rereviews = filters["status"] in (worklist.NEEDS_CLINICIAN, "")
    rereviews = (
        rereview.list_open(clinic, user=request.user)
        if has_open.rereviews and shows_rereviews and after is None and before is None
        else []
    )
    # Each row names its patient: a read of each (#13 F2), once per patient.
    shown = [
        *(row.intake.patient for row in urgent_rows),
        *(item.intake.patient for item in rereviews),
        *(row.patient for row in page.rows),
    ]
    audit.record_patients_shown(request, shown, page="worklist", clinic=clinic)
    context = {
        "form": form,
        "page": page,
        "filters": filters,
        "now": timezone.now(),
        "urgent_rows": urgent_rows,
        "rereviews": rereviews,
    }
    return render(request, "screening/reviews/worklist.html", context)


def _disposition_to_confirm(disposition: Any, user: Any) -> Any:
    """The disposition when someone other than the signer recorded it (issue 13 F1):
    the sign form then asks to confirm it."""
    if disposition is None or disposition.decided_by_id == user.pk:
        return None
    return disposition


def _forms(summary: ReviewSummary, bound: dict[str, Any], user: Any) -> dict[str, Any]:
    """The summary's forms; `bound` holds the one just posted, with its errors."""
    if summary.is_signed:
        return {}
    # Flags are acknowledged one by one; missing answers (DATA-MISSING flags and
    # not-evaluable rules) are resolved once each, in the "What is missing" list.
    for item in summary.items:
        if item.needs_answer and not item.is_missing_data:
            item.form = bound.get(item.anchor) or AcknowledgementForm(
                kind=item.kind, code=item.code
            )
    for missing in summary.missing:
        missing.form = bound.get(missing.anchor) or MissingAnswerForm(path=missing.path)
    disposition = summary.disposition
    initial = (
        {
            "decision": disposition.decision,
            "rationale": disposition.rationale,
            "override_rationale": disposition.override_rationale,
        }
        if disposition
        else None
    )
    forms = {
        "disposition_form": bound.get("disposition")
        or DispositionForm(screening=summary.screening, initial=initial),
        "sign_form": bound.get("sign")
        or SignOffForm(
            initial={
                "page_sha256": summary.page_sha256,
                "opened_at": summary.opened_at,
            },
            disposition=_disposition_to_confirm(summary.disposition, user),
        ),
    }
    # A form posted with an error keeps the focus (and so the scroll) on the field
    # in error; else the page opens on the list of flags, and once nothing is open
    # the keyboard carries on where the work is: the disposition, then signing.
    for form in bound.values():
        _focus_first_error(form)
    if not summary.open_count and not bound:
        step = "sign_form" if disposition else "disposition_form"
        field = "password" if disposition else "decision"
        forms[step].fields[field].widget.attrs["autofocus"] = True
    return forms


def _focus_first_error(form: Any) -> None:
    """Autofocus the first visible field in error (the password for a refusal)."""
    visible = [
        name for name, field in form.fields.items() if not field.widget.is_hidden
    ]
    in_error = [name for name in visible if name in form.errors]
    fallback = "password" if "password" in visible else visible[0]
    name = in_error[0] if in_error else fallback
    form.fields[name].widget.attrs["autofocus"] = True


def _render_summary(
    request: HttpRequest, intake: Intake, bound: dict[str, Any], status: int = 200
) -> HttpResponse:
    summary = build_summary(intake)
    audit.record_for_intake(
        audit.Event.REVIEW_VIEWED,
        intake,
        request=request,
        target=intake,
        category="screening_summary",
    )
    forms = _forms(summary, bound, request.user)
    context = {"summary": summary, "intake": intake, **forms}
    return render(request, SUMMARY_TEMPLATE, context, status=status)


def _render_changes(request: HttpRequest, intake: Intake, form: Any) -> HttpResponse:
    """Sign-off refused: what changed since the clinician opened the page (F1)."""
    changes = signoff_changes.describe_changes(
        intake,
        opened_at=form.cleaned_data["opened_at"],
        page_sha256=form.cleaned_data["page_sha256"],
    )
    audit.record_for_intake(
        audit.Event.REVIEW_VIEWED,
        intake,
        request=request,
        target=intake,
        category="screening_summary",
    )
    context = {"intake": intake, "changes": changes}
    return render(request, CHANGES_TEMPLATE, context, status=409)


def _refuse_signed(request: HttpRequest, intake: Intake) -> HttpResponse:
    """A signed intake is immutable: 403, saying who signed it and how to correct it."""
    signoff = getattr(intake, "signoff", None)
    context = {"intake": intake, "signoff": signoff}
    return render(request, "screening/reviews/signed.html", context, status=403)


def _summary_url(intake: Intake) -> str:
    return reverse("screening:review-summary", kwargs={"pk": intake.pk})


def _back_to(intake: Intake, anchor: str) -> HttpResponse:
    """Back at the item just answered, so Tab carries on from there; once nothing is
    open, at the top: a fragment would stop the disposition's autofocus."""
    state = reviews.load_review_state(intake, intake.current_screening)
    is_open = state.pending_flags or state.pending_not_evaluable
    return redirect(
        f"{_summary_url(intake)}#{anchor}" if is_open else _summary_url(intake)
    )


# What the summary reads of an intake, with the intake: one round trip (#19).
SUMMARY_READS = (
    access.intake_query,
    sections_query,
    revisions_query,
    acknowledgements_query,
    dispositions_query,
    acceptances_query,
    consent.current_consent_query,
)


@require_GET
def review_summary(request: HttpRequest, pk: int) -> HttpResponse:
    with compiled.together(pk, *SUMMARY_READS):
        intake = access.get_intake_for_user(
            request, pk, action=permissions.REVIEW_INTAKE
        )
        return _render_summary(request, intake, {})


@require_POST
def review_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    intake = access.get_intake_for_user(request, pk, action=permissions.REVIEW_INTAKE)
    if intake.is_signed:
        return _refuse_signed(request, intake)
    form = AcknowledgementForm(request.POST)
    if form.is_valid():
        try:
            reviews.do_acknowledge(
                intake,
                kind=form.cleaned_data["kind"],
                rule_code=form.cleaned_data["code"],
                reason_code=form.cleaned_data["reason_code"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except SignedIntakeError:
            return _refuse_signed(request, intake)
        except reviews.ReviewError as error:
            form.add_error("reason_code", str(error))
        else:
            anchor = f"{form.cleaned_data['kind']}-{form.cleaned_data['code']}"
            return _back_to(intake, anchor)
    anchor = f"{form.data.get('kind')}-{form.data.get('code')}"
    return _render_summary(request, intake, {anchor: form}, status=400)


@require_POST
def review_missing_accept(request: HttpRequest, pk: int) -> HttpResponse:
    intake = access.get_intake_for_user(request, pk, action=permissions.REVIEW_INTAKE)
    if intake.is_signed:
        return _refuse_signed(request, intake)
    form = MissingAnswerForm(request.POST)
    if form.is_valid():
        try:
            missing_data.do_accept_missing_answer(
                intake,
                path=form.cleaned_data["path"],
                reason_code=form.cleaned_data["reason_code"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except SignedIntakeError:
            return _refuse_signed(request, intake)
        except missing_data.MissingDataError as error:
            form.add_error("reason_code", str(error))
        else:
            messages.success(
                request, "Accepted as unknown for every rule waiting on it."
            )
            return _back_to(intake, "missing")
    anchor = missing_data.MissingAnswer(path=form.data.get("path", ""), label="").anchor
    return _render_summary(request, intake, {anchor: form}, status=400)


@require_POST
def review_disposition(request: HttpRequest, pk: int) -> HttpResponse:
    intake = access.get_intake_for_user(request, pk, action=permissions.REVIEW_INTAKE)
    if intake.is_signed:
        return _refuse_signed(request, intake)
    form = DispositionForm(request.POST, screening=intake.current_screening)
    if form.is_valid():
        try:
            reviews.do_set_disposition(
                intake,
                decision=form.cleaned_data["decision"],
                rationale=form.cleaned_data["rationale"],
                override_rationale=form.cleaned_data.get("override_rationale", ""),
                by=request.user,
            )
        except SignedIntakeError:
            return _refuse_signed(request, intake)
        except reviews.ReviewError as error:
            form.add_error("rationale", str(error))
        else:
            messages.success(request, "Disposition saved.")
            return redirect(_summary_url(intake))
    return _render_summary(request, intake, {"disposition": form}, status=400)


@require_POST
def review_sign(request: HttpRequest, pk: int) -> HttpResponse:
    intake = access.get_intake_for_user(request, pk, action=permissions.SIGN_OFF)
    if intake.is_signed:
        return _refuse_signed(request, intake)
    latest = intake.dispositions.select_related("decided_by").last()
    to_confirm = _disposition_to_confirm(latest, request.user)
    form = SignOffForm(request.POST, disposition=to_confirm)
    if form.is_valid():
        page = {
            "page_sha256": form.cleaned_data["page_sha256"],
            "confirms_disposition": form.cleaned_data.get("confirm_disposition", False),
            "by": request.user,
        }
        try:
            # Refusals first, then the second factor: a changed page costs no code.
            reviews.check_sign_off(intake, **page)
            if verify_reauthentication(form, request):
                reviews.do_sign_off(intake, **page)
                messages.success(request, "Signed. The summary is now locked.")
                return redirect(_summary_url(intake))
        except SignedIntakeError:
            return _refuse_signed(request, intake)
        except reviews.SummaryChangedError:
            return _render_changes(request, intake, form)
        except reviews.DispositionNotConfirmedError as error:
            form.add_error(_confirm_field(form), str(error))
        except reviews.SignOffRefusedError as error:
            form.add_error(None, str(error))
    return _render_summary(request, intake, {"sign": form}, status=400)


def _confirm_field(form: SignOffForm) -> str | None:
    return "confirm_disposition" if "confirm_disposition" in form.fields else None


@require_POST
def review_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    intake = access.get_intake_for_user(request, pk, action=permissions.REVIEW_INTAKE)
    summary = build_summary(intake)
    document = pdf.render_summary_pdf(summary)
    audit.record_for_intake(
        audit.Event.REVIEW_PRINTED,
        intake,
        request=request,
        target=intake,
        category="screening_summary",
    )
    response = HttpResponse(document, content_type="application/pdf")
    name = f"intake-{intake.pk}-v{intake.version}-summary.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
def intake_addendum(request: HttpRequest, pk: int) -> HttpResponse:
    intake = access.get_intake_for_user(request, pk, action=permissions.REVIEW_INTAKE)
    form = AddendumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            addendum = reviews.do_start_addendum(
                intake,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except reviews.ReviewError as error:
            form.add_error("reason", str(error))
        else:
            messages.success(
                request, "Addendum started: correct the answers, then sign it."
            )
            return redirect(_summary_url(addendum))
    context = {"intake": intake, "form": form}
    return render(request, "screening/reviews/addendum.html", context)
