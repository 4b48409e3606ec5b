"""The rule editor: rulesets, draft rules, their tests and the clinic settings.

Rule admins edit the clinic's one draft; clinicians may look. The publish gate, the
impact preview and the re-screen are in views/rule_publishing.py.
"""

import json
import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from screening import access, engine, permissions, uploads
from screening.forms.rules import (
    DiazepamFormSet,
    DiffForm,
    ImportForm,
    MinDoseFormSet,
    RevisionForm,
    RuleForm,
    RuleTestFormSet,
    SettingsForm,
    add_problems,
    settings_initial,
)
from screening.json_numbers import AnswerEncoder
from screening.models import RescreenJob
from screening.services import drafts, rule_locks, rulesets
from screening.templatetags import rules_tags

STALE_DRAFT = (
    "Someone changed this draft after you opened it. Your changes are below and "
    "were not saved: check the draft, then save again."
)


@require_GET
def rule_index(request: HttpRequest) -> HttpResponse:
    clinic = access.get_clinic_for_user(request, action=permissions.VIEW_RULES)
    active = rulesets.get_active_ruleset(clinic)
    context = {
        "clinic": clinic,
        "active": active,
        # What the table shows, as values: not each rule's expression, tests and
        # notes, which it never shows, nor a model object per row (#19).
        "rules": active.rules.values(*rules_tags.RULE_ROW_FIELDS),
        "draft": rulesets.get_draft(clinic),
        "versions": rulesets.list_versions(clinic),
        "jobs": RescreenJob.objects.filter(clinic=clinic).select_related("ruleset")[:5],
        "can_edit": permissions.can(
            request.user, permissions.EDIT_RULES, clinic=clinic
        ),
    }
    return render(request, "screening/rules/index.html", context)


@require_POST
def ruleset_draft_create(request: HttpRequest) -> HttpResponse:
    clinic = access.get_clinic_for_user(request, action=permissions.EDIT_RULES)
    try:
        draft = drafts.do_create_draft(clinic, by=request.user)
    except drafts.DraftExistsError:
        messages.info(request, "Your clinic already has a draft: it is below.")
        draft = rulesets.get_draft(clinic)
    return redirect("screening:ruleset-detail", pk=draft.pk)


@require_GET
def ruleset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ruleset = access.get_ruleset_for_user(request, pk, action=permissions.VIEW_RULES)
    context = {
        "ruleset": ruleset,
        "rules": [
            (rule, rule_locks.lock_of(rule.code)) for rule in ruleset.rules.all()
        ],
        "settings": rulesets.full_settings(ruleset),
        "can_edit": ruleset.is_draft
        and permissions.can(
            request.user, permissions.EDIT_RULES, clinic=ruleset.clinic
        ),
        "revision_form": RevisionForm(initial={"revision": ruleset.revision}),
    }
    return render(request, "screening/rules/ruleset_detail.html", context)


def _vocabulary() -> list[engine.FactSpec]:
    return sorted(engine.VOCABULARY.values(), key=lambda spec: spec.name)


@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest, pk: int) -> HttpResponse:
    draft = access.get_draft_for_user(request, pk, action=permissions.EDIT_RULES)
    form = RuleForm(request.POST or None, draft=draft, rule=None)
    if request.method == "POST" and form.is_valid():
        try:
            rule = drafts.do_add_rule(
                draft,
                form.rule_values(),
                revision=form.cleaned_data["revision"],
                by=request.user,
            )
        except drafts.RuleEditError as error:
            add_problems(form, error.errors)
        except drafts.StaleDraftError:
            form.add_error(None, STALE_DRAFT)
        else:
            messages.success(request, f"{rule.code} added to the draft.")
            return redirect("screening:ruleset-detail", pk=draft.pk)
    context = {"draft": draft, "form": form, "vocabulary": _vocabulary()}
    return render(request, "screening/rules/rule_form.html", context)


@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = access.get_rule_for_user(request, pk, action=permissions.EDIT_RULES)
    draft = access.get_draft_for_user(
        request, rule.ruleset_id, action=permissions.EDIT_RULES
    )
    form = RuleForm(request.POST or None, draft=draft, rule=rule)
    if request.method == "POST" and form.is_valid():
        try:
            drafts.do_update_rule(
                rule,
                form.rule_values(),
                revision=form.cleaned_data["revision"],
                by=request.user,
            )
        except drafts.RuleEditError as error:
            add_problems(form, error.errors)
        except drafts.StaleDraftError:
            form.add_error(None, STALE_DRAFT)
        else:
            messages.success(request, f"{rule.code} saved in the draft.")
            return redirect("screening:ruleset-detail", pk=draft.pk)
    context = {"draft": draft, "rule": rule, "form": form, "vocabulary": _vocabulary()}
    return render(request, "screening/rules/rule_form.html", context)


@require_POST
def rule_retire(request: HttpRequest, pk: int) -> HttpResponse:
    rule = access.get_rule_for_user(request, pk, action=permissions.EDIT_RULES)
    draft = access.get_draft_for_user(
        request, rule.ruleset_id, action=permissions.EDIT_RULES
    )
    form = RevisionForm(request.POST)
    revision = form.cleaned_data["revision"] if form.is_valid() else 0
    try:
        drafts.do_retire_rule(rule, revision=revision, by=request.user)
    except drafts.RuleEditError as error:
        messages.error(request, " ".join(error.errors.values()))
    except drafts.StaleDraftError:
        messages.error(request, STALE_DRAFT)
    else:
        messages.success(request, f"{rule.code} retired; its code is never reused.")
    return redirect("screening:ruleset-detail", pk=draft.pk)


@require_http_methods(["GET", "POST"])
def rule_tests_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = access.get_rule_for_user(request, pk, action=permissions.EDIT_RULES)
    draft = access.get_draft_for_user(
        request, rule.ruleset_id, action=permissions.EDIT_RULES
    )
    formset = RuleTestFormSet(request.POST or None, rule=rule, prefix="tests")
    revision = RevisionForm(request.POST or None, initial={"revision": draft.revision})
    if request.method == "POST" and formset.is_valid() and revision.is_valid():
        try:
            drafts.do_update_rule_tests(
                rule,
                formset.tests(),
                revision=revision.cleaned_data["revision"],
                by=request.user,
            )
        except drafts.StaleDraftError:
            messages.error(request, STALE_DRAFT)
        else:
            messages.success(request, f"Test cases of {rule.code} saved.")
            return redirect("screening:ruleset-detail", pk=draft.pk)
    context = {
        "draft": draft,
        "rule": rule,
        "formset": formset,
        "revision_form": revision,
        "vocabulary": _vocabulary(),
    }
    return render(request, "screening/rules/rule_tests.html", context)


@require_http_methods(["GET", "POST"])
def ruleset_settings_edit(request: HttpRequest, pk: int) -> HttpResponse:
    draft = access.get_draft_for_user(request, pk, action=permissions.EDIT_RULES)
    initial = settings_initial(draft)
    data = request.POST or None
    form = SettingsForm(data, draft=draft, initial=initial["settings"])
    doses = MinDoseFormSet(data, initial=initial["doses"], prefix="doses")
    diazepam = DiazepamFormSet(data, initial=initial["diazepam"], prefix="diazepam")
    if data and form.is_valid() and doses.is_valid() and diazepam.is_valid():
        values = {
            **{k: v for k, v in form.cleaned_data.items() if k != "revision"},
            "min_dose_table": doses.rows(),
            "diazepam_equivalents": diazepam.rows(),
        }
        try:
            drafts.do_update_settings(
                draft,
                values,
                revision=form.cleaned_data["revision"],
                by=request.user,
            )
        except drafts.RuleEditError as error:
            _attach_settings_error(form, doses, diazepam, error.errors[None])
        except drafts.StaleDraftError:
            form.add_error(None, STALE_DRAFT)
        else:
            messages.success(request, "Clinic settings saved in the draft.")
            return redirect("screening:ruleset-detail", pk=draft.pk)
    context = {"draft": draft, "form": form, "doses": doses, "diazepam": diazepam}
    return render(request, "screening/rules/settings.html", context)


def _attach_settings_error(
    form: SettingsForm, doses: MinDoseFormSet, diazepam: DiazepamFormSet, message: str
) -> None:
    """Put the engine's settings message beside the setting or table row it names."""
    for name, formset in (
        ("min_dose_table", doses),
        ("diazepam_equivalents", diazepam),
    ):
        if message.startswith(name):
            index = re.match(rf"{name}\[(\d+)\]", message)
            kept = formset.kept_forms()
            if index and int(index.group(1)) < len(kept):
                kept[int(index.group(1))].add_error(None, message)
            else:
                form.add_error(None, message)
            return
    named = next((field for field in form.fields if message.startswith(field)), None)
    form.add_error(named, message)


@require_GET
def ruleset_export(request: HttpRequest, pk: int) -> HttpResponse:
    ruleset = access.get_ruleset_for_user(request, pk, action=permissions.VIEW_RULES)
    document = rulesets.export_document(ruleset)
    response = HttpResponse(
        json.dumps(document, cls=AnswerEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    name = ruleset.label or f"draft-{ruleset.pk}"
    response["Content-Disposition"] = f'attachment; filename="ruleset-{name}.json"'
    return response


@require_http_methods(["GET", "POST"])
def ruleset_import(request: HttpRequest) -> HttpResponse:
    clinic = access.get_clinic_for_user(request, action=permissions.EDIT_RULES)
    if request.method == "POST" and uploads.upload_too_large(request):
        form = ImportForm()
        uploads.refuse(form, "document")
        return render(
            request, "screening/rules/import.html", {"form": form}, status=413
        )
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = drafts.do_import_ruleset(
                clinic, form.cleaned_data["document"], by=request.user
            )
        except drafts.DraftExistsError:
            form.add_error(
                "document", "Your clinic has a draft: publish or discard it first."
            )
        except drafts.RulesetImportError as error:
            form.add_error("document", str(error))
        else:
            messages.success(
                request, "Imported as a draft: test it and have it approved."
            )
            return redirect("screening:ruleset-detail", pk=draft.pk)
    return render(request, "screening/rules/import.html", {"form": form})


@require_GET
def ruleset_diff(request: HttpRequest) -> HttpResponse:
    clinic = access.get_clinic_for_user(request, action=permissions.VIEW_RULES)
    versions = rulesets.list_comparable_versions(clinic)
    form = DiffForm(request.GET or None, versions=versions)
    diff, added_rules = None, []
    if form.is_valid():
        old, new = form.cleaned_data["old"], form.cleaned_data["new"]
        diff = rulesets.diff_rulesets(old, new)
        added_rules = rulesets.list_added_rules(old, new)
    context = {"form": form, "diff": diff, "added_rules": added_rules}
    return render(request, "screening/rules/diff.html", context)


@require_GET
def rule_vocabulary(request: HttpRequest) -> HttpResponse:
    access.get_clinic_for_user(request, action=permissions.VIEW_RULES)
    context = {"vocabulary": _vocabulary()}
    return render(request, "screening/rules/vocabulary.html", context)
