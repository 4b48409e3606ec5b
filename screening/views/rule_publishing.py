"""Checking and publishing a draft: rule tests, clinic test cases, the impact preview,
two-person approval with re-authentication, and the background re-screen's progress."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from screening import access, permissions
from screening.forms.rules import ApproveExpectationForm, PublishForm, RevisionForm
from screening.models import RescreenJob, RulesetVersion
from screening.reauth import verify_reauthentication
from screening.services import (
    clinic_tests,
    drafts,
    impact,
    publishing,
    rescreen,
    rulesets,
)
from screening.views.rules import STALE_DRAFT


@require_http_methods(["GET", "POST"])
def ruleset_tests_run(request: HttpRequest, pk: int) -> HttpResponse:
    draft = access.get_draft_for_user(request, pk, action=permissions.EDIT_RULES)
    results = None
    if request.method == "POST":
        results = drafts.do_run_rule_tests(draft, by=request.user)
    rule_ids = dict(draft.rules.values_list("code", "pk"))
    context = {
        "draft": draft,
        "results": results,
        "rows": [(result, rule_ids[result.code]) for result in results or []],
        "failed": [result for result in results or [] if not result.passed],
    }
    return render(request, "screening/rules/tests_run.html", context)


def _case_rows(
    draft: RulesetVersion, bound: ApproveExpectationForm | None = None
) -> list[tuple[clinic_tests.CaseResult, ApproveExpectationForm]]:
    """Each case's result with its own approval form (the bound one re-shown)."""
    return [
        (
            result,
            bound
            if bound is not None and bound.prefix == f"case{result.case.pk}"
            else ApproveExpectationForm(prefix=f"case{result.case.pk}"),
        )
        for result in clinic_tests.run_clinic_tests(draft)
    ]


@require_GET
def ruleset_cases(request: HttpRequest, pk: int) -> HttpResponse:
    draft = access.get_draft_for_user(request, pk, action=permissions.EDIT_RULES)
    context = {"draft": draft, "rows": _case_rows(draft)}
    return render(request, "screening/rules/cases.html", context)


@require_POST
def test_case_approve(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    draft = access.get_draft_for_user(request, pk, action=permissions.EDIT_RULES)
    case = access.get_test_case_for_user(
        request, case_pk, action=permissions.EDIT_RULES
    )
    form = ApproveExpectationForm(request.POST, prefix=f"case{case.pk}")
    if case.clinic_id == draft.clinic_id and form.is_valid():
        clinic_tests.do_approve_expectation(
            case,
            draft=draft,
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
        messages.success(request, f"The new result of {case.code} is its expectation.")
        return redirect("screening:ruleset-cases", pk=draft.pk)
    context = {"draft": draft, "rows": _case_rows(draft, form)}
    return render(request, "screening/rules/cases.html", context, status=400)


@require_GET
def ruleset_impact(request: HttpRequest, pk: int) -> HttpResponse:
    draft = access.get_draft_for_user(request, pk, action=permissions.EDIT_RULES)
    preview = impact.do_show_impact_preview(draft, by=request.user)
    return render(
        request, "screening/rules/impact.html", {"draft": draft, "preview": preview}
    )


@require_http_methods(["GET", "POST"])
def ruleset_publish(request: HttpRequest, pk: int) -> HttpResponse:
    draft = access.get_ruleset_for_user(request, pk, action=permissions.APPROVE_RULESET)
    drafts.refuse_unless_draft(draft)
    form = PublishForm(request.POST or None, draft=draft)
    if (
        request.method == "POST"
        and form.is_valid()
        and verify_reauthentication(form, request)
    ):
        try:
            published = publishing.do_publish_ruleset(
                draft,
                by=request.user,
                reason=form.cleaned_data["reason"],
                revision=form.cleaned_data["revision"],
            )
        except publishing.PublishRefusedError as error:
            form.add_error(None, " ".join(error.reasons))
        except drafts.StaleDraftError:
            form.add_error(None, STALE_DRAFT)
        else:
            messages.success(request, f"Published as {published.label}.")
            job = RescreenJob.objects.get(ruleset=published)
            return redirect("screening:rescreen-job-detail", pk=job.pk)
    # The approver sees what publishing changes against the version in use now.
    assert draft.clinic is not None  # noqa: S101 - a draft always has its clinic
    in_use = rulesets.get_active_ruleset(draft.clinic)
    context = {
        "draft": draft,
        "form": form,
        "in_use": in_use,
        "diff": rulesets.diff_rulesets(in_use, draft),
        "added_rules": rulesets.list_added_rules(in_use, draft),
        "gate": publishing.check_gate(draft),
        "approval_problem": publishing.approval_problem(draft, request.user),
    }
    return render(request, "screening/rules/publish.html", context)


@require_POST
def ruleset_discard(request: HttpRequest, pk: int) -> HttpResponse:
    draft = access.get_draft_for_user(request, pk, action=permissions.EDIT_RULES)
    form = RevisionForm(request.POST)
    revision = form.cleaned_data["revision"] if form.is_valid() else 0
    try:
        drafts.do_discard_draft(draft, revision=revision, by=request.user)
    except drafts.StaleDraftError:
        messages.error(request, STALE_DRAFT)
        return redirect("screening:ruleset-detail", pk=draft.pk)
    messages.success(request, "The draft was discarded.")
    return redirect("screening:rule-index")


@require_GET
def rescreen_job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = access.get_rescreen_job_for_user(request, pk, action=permissions.VIEW_RULES)
    return render(request, "screening/rules/job.html", {"job": job})


@require_GET
def rescreen_job_progress(request: HttpRequest, pk: int) -> JsonResponse:
    job = access.get_rescreen_job_for_user(request, pk, action=permissions.VIEW_RULES)
    # The stale-job check: a job whose worker died is queued again from here too.
    if rescreen.do_resume_stale_jobs(job=job):
        job.refresh_from_db()
    return JsonResponse(
        {
            "status": job.status,
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "finished": job.is_finished,
        }
    )
