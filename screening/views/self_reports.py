"""Staff side of the tablet hand-off (issue #17): start a session, see its code once,
end it, and read what the patient left for staff (notes, conflicts)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from screening import access, permissions, questionnaire
from screening.models import SelfReport
from screening.questionnaire import labels
from screening.services import self_reports

# Staff session key: {report id: code}, so the code shows until the tablet takes it
# and never travels in a URL.
CODES_KEY = "self_report_codes"


@require_GET
def self_report_page(request: HttpRequest, pk: int) -> HttpResponse:
    intake = access.get_intake_for_user(request, pk, action=permissions.EDIT_INTAKE)
    reports = list(
        SelfReport.objects.filter(intake=intake)
        .select_related("started_by", "ended_by")
        .order_by("-started_at")
    )
    for report in reports:
        self_reports.expire_if_idle(report)
    current = next((r for r in reports if r.is_open), None)
    codes = request.session.get(CODES_KEY, {})
    code = ""
    if current is not None and not current.tablet_sha256:
        code = codes.get(str(current.pk), "")
    finished = [r for r in reports if r.status == SelfReport.Status.FINISHED]
    context = {
        "intake": intake,
        "patient": intake.patient,
        "current": current,
        "code": self_reports.format_code(code) if code else "",
        "finished": [
            {
                "report": report,
                "notes": self_reports.notes_of(report),
                "conflicts": _conflict_rows(report),
            }
            for report in finished[:5]
        ],
        "pcl5_by_indication": questionnaire.instrument("PCL5").patient_asked_if,
        "is_signed": intake.is_signed,
    }
    return render(request, "screening/self_reports/page.html", context)


def _conflict_rows(report: SelfReport) -> list[dict[str, str]]:
    """The patient's answers to sections staff changed meanwhile, for staff to enter."""
    if not report.conflicts:
        return []
    rows = []
    for answer in report.answers.exclude(path__startswith="notes.").order_by("path"):
        kind = answer.path.split(".", 1)[0].split("[", 1)[0]
        if kind in report.conflicts:
            value = answer.reason or labels.answer_text(answer.path, answer.value)
            rows.append(
                {
                    "section": kind,
                    "question": labels.question_label(answer.path),
                    "answer": value,
                }
            )
    return rows


@require_POST
def self_report_start(request: HttpRequest, pk: int) -> HttpResponse:
    intake = access.get_intake_for_user(request, pk, action=permissions.EDIT_INTAKE)
    try:
        report, code = self_reports.do_start(
            intake, by=request.user, include_pcl5=bool(request.POST.get("include_pcl5"))
        )
    except self_reports.SelfReportError as refusal:
        messages.error(request, str(refusal))
    else:
        # Only the newest code is kept: starting again ends the earlier session.
        request.session[CODES_KEY] = {str(report.pk): code}
    return redirect("screening:intake-self-report", pk=intake.pk)


@require_POST
def self_report_end(request: HttpRequest, pk: int) -> HttpResponse:
    intake = access.get_intake_for_user(request, pk, action=permissions.EDIT_INTAKE)
    for report in SelfReport.objects.filter(
        intake=intake, status=SelfReport.Status.OPEN
    ):
        self_reports.do_end(report, by=request.user)
    request.session.pop(CODES_KEY, None)
    messages.success(request, "The self-report session is ended; its code is dead.")
    return redirect("screening:intake-self-report", pk=intake.pk)
