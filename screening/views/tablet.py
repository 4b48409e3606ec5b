"""The patient's pages on the clinic tablet (issue #17): no staff session, no
navigation, one question per page (the GOV.UK pattern), in the patient's language.

Patient mode is a session holding a self-report id and the tablet's token; the
middleware refuses it every URL outside these pages.
"""

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from screening import audit
from screening.forms.tablet import AnswerForm, CodeForm, ConsentForm
from screening.models import SelfReport, SelfReportAnswer, TextPack
from screening.questionnaire.self_report import DECLINED, Step
from screening.services import patient_settings, self_reports
from screening.services.text_packs import DEMO_NOTICE

REPORT_KEY = "self_report_id"
TOKEN_KEY = "self_report_token"  # noqa: S105 - a session key's name
LANGUAGE_KEY = "self_report_language"


def is_patient_mode(request: HttpRequest) -> bool:
    return REPORT_KEY in request.session


def refused(request: HttpRequest) -> HttpResponse:
    """The page for anything patient mode may not reach, or a session that ended."""
    language = request.session.get(LANGUAGE_KEY, "en")
    with translation.override(language):
        return render(request, "screening/tablet/ended.html", status=403)


def _report(request: HttpRequest) -> SelfReport | None:
    return self_reports.get_for_tablet(
        request.session.get(REPORT_KEY), request.session.get(TOKEN_KEY)
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def tablet_entry(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST or None)
    language = request.POST.get("language", "en")
    status = 200
    with translation.override(language if language in ("en", "es") else "en"):
        if request.method == "POST" and form.is_valid():
            token = secrets.token_urlsafe(32)
            try:
                report = self_reports.do_open_on_tablet(
                    form.cleaned_data["code"],
                    address=audit.client_ip(request) or "",
                    token=token,
                    language=form.cleaned_data["language"],
                )
            except self_reports.LanguageNotOfferedError as error:
                form.add_error("language", str(error))
            except self_reports.RateLimitedError as error:
                form.add_error("code", str(error))
                status = 429
            except self_reports.CodeRefusedError as error:
                form.add_error("code", str(error))
            else:
                # No staff session on the tablet: whoever was logged in is not now.
                request.session.flush()
                request.session[REPORT_KEY] = report.pk
                request.session[TOKEN_KEY] = token
                request.session[LANGUAGE_KEY] = report.language
                if self_reports.consent_document(report) is not None:
                    return redirect("tablet:consent")
                return redirect("tablet:question", number=1)
        context = {"form": form, "language": translation.get_language()}
        return render(request, "screening/tablet/entry.html", context, status=status)


@login_not_required
@require_http_methods(["GET", "POST"])
def tablet_consent(request: HttpRequest) -> HttpResponse:
    """The clinic's consent document before the questions: agree by ticking and
    typing one's full name, or talk to staff first (the questions go on either way)."""
    report = _report(request)
    if report is None:
        return refused(request)
    document = self_reports.consent_document(report)
    if document is None:
        return redirect("tablet:question", number=1)
    with translation.override(report.language):
        if request.method == "POST" and "skip" in request.POST:
            self_reports.do_skip_consent(report, document)
            return redirect(_after_consent(request))
        initial = {}
        if report.consent_agreed_at is not None:
            initial = {"agree": True, "typed_name": report.consent_typed_name}
        form = ConsentForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            self_reports.do_agree_consent(
                report, document, typed_name=form.cleaned_data["typed_name"]
            )
            return redirect(_after_consent(request))
        context = {
            "form": form,
            "document": document,
            "from_check": request.GET.get("from") == "check"
            or bool(request.POST.get("from_check")),
        }
        return render(request, "screening/tablet/consent.html", context)


def _after_consent(request: HttpRequest) -> str:
    if request.POST.get("from_check"):
        return reverse("tablet:check")
    return reverse("tablet:question", args=[1])


@dataclass
class Shown:
    """One question as the patient sees it."""

    text: str
    stem: str
    choices: list[tuple[str, str]] | None  # None: a free-text answer
    pack: TextPack | None


def _shown(step: Step, packs: dict[str, TextPack]) -> Shown:
    if step.instrument:
        pack = packs[step.instrument]
        item = pack.items[step.index]
        choices = [(str(o["value"]), o["text"]) for o in item["options"]]
        text, stem = item["text"], pack.stem
    else:
        pack, stem, text = None, "", _(step.label)
        choices = [(str(o.value), _(o.label)) for o in step.options] or None
    if choices is not None and step.may_decline:
        choices.append((DECLINED, _("Prefer not to say")))
    return Shown(text, stem, choices, pack)


def _initial(answer: SelfReportAnswer | None) -> dict[str, Any]:
    if answer is None:
        return {}
    if answer.reason:
        return {"answer": answer.reason}
    return {"answer": str(answer.value)}


@login_not_required
@require_http_methods(["GET", "POST"])
def tablet_question(request: HttpRequest, number: int) -> HttpResponse:
    report = _report(request)
    if report is None:
        return refused(request)
    with translation.override(report.language):
        answers = self_reports.stored_answers(report)
        packs = self_reports.packs_for(report)
        steps = self_reports.plan(report, answers=answers, packs=packs)
        if not 1 <= number <= len(steps):
            return redirect("tablet:check")
        step = steps[number - 1]
        shown = _shown(step, packs)
        form = AnswerForm(
            request.POST or None,
            choices=shown.choices,
            label=shown.text,
            initial=_initial(answers.get(step.path)),
        )
        if request.method == "POST" and form.is_valid():
            self_reports.do_answer(
                report, step, choice=form.cleaned_data["answer"], pack=shown.pack
            )
            after = self_reports.plan(report, packs=packs)
            if request.POST.get("from_check") or number >= len(after):
                return redirect("tablet:check")
            return redirect("tablet:question", number=number + 1)
        context = {
            "form": form,
            "shown": shown,
            "number": number,
            "total": len(steps),
            "demo_notice": _(DEMO_NOTICE) if shown.pack and shown.pack.is_demo else "",
            "from_check": request.GET.get("from") == "check"
            or bool(request.POST.get("from_check")),
            "back_url": _back_url(report, number),
        }
        return render(request, "screening/tablet/question.html", context)


def _back_url(report: SelfReport, number: int) -> str:
    if number > 1:
        return reverse("tablet:question", args=[number - 1])
    if self_reports.consent_document(report) is not None:
        return reverse("tablet:consent")
    return ""


def _answer_text(shown: Shown, answer: SelfReportAnswer | None) -> str:
    if answer is None:
        return ""
    if shown.choices is None:
        return str(answer.value)
    chosen = answer.reason or str(answer.value)
    return next((text for value, text in shown.choices if value == chosen), "")


@login_not_required
@require_http_methods(["GET", "POST"])
def tablet_check(request: HttpRequest) -> HttpResponse:
    report = _report(request)
    if report is None:
        return refused(request)
    with translation.override(report.language):
        error = ""
        if request.method == "POST":
            try:
                self_reports.do_finish(report)
            except self_reports.SelfReportError as refusal:
                error = str(refusal)
            else:
                return redirect("tablet:done")
        answers = self_reports.stored_answers(report)
        packs = self_reports.packs_for(report)
        steps = self_reports.plan(report, answers=answers, packs=packs)
        rows = []
        for number, step in enumerate(steps, start=1):
            shown = _shown(step, packs)
            rows.append(
                {
                    "number": number,
                    "question": shown.text,
                    "answer": _answer_text(shown, answers.get(step.path)),
                    "is_answered": step.path in answers,
                }
            )
        demo = any(pack.is_demo for pack in packs.values())
        context = {
            "rows": rows,
            "consent_document": self_reports.consent_document(report),
            "report": report,
            "error": error,
            "demo_notice": _(DEMO_NOTICE) if demo else "",
        }
        return render(request, "screening/tablet/check.html", context)


@login_not_required
@require_GET
def tablet_done(request: HttpRequest) -> HttpResponse:
    report = self_reports.finished_for_tablet(
        request.session.get(REPORT_KEY), request.session.get(TOKEN_KEY)
    )
    if report is None:
        return refused(request)
    with translation.override(report.language):
        found = patient_settings.get_settings(report.clinic)
        context = {"crisis_text": patient_settings.crisis_text(found, report.language)}
        return render(request, "screening/tablet/done.html", context)
