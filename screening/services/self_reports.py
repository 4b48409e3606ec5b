"""The tablet hand-off and the patient's answers (issue #17).

Staff start a session for an intake and get a short one-time code; the first tablet
session that types it is bound to it and alone may go on. Each answer is stored as it
is given (pending, not in the intake). Finishing lands the answers in the intake as
saved by the staff member who started the session, with origin `self_report`; a
section staff changed meanwhile is left to staff as a conflict.
"""

import copy
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from screening import audit, questionnaire
from screening.models import (
    CodeAttempt,
    ConsentDocument,
    ConsentRecord,
    Intake,
    IntakeSection,
    SelfReport,
    SelfReportAnswer,
    TextPack,
)
from screening.questionnaire import self_report as declared
from screening.questionnaire.self_report import Step
from screening.services import consent, intakes, patient_settings, text_packs, urgent
from screening.services.documents import section_value

Status = SelfReport.Status

# No 0/O, 1/I/L or U: read aloud or copied from a screen without doubt.
ALPHABET: Final = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH: Final = 8
# The same idle limit as staff sessions (security.md §2.1).
IDLE: Final = timedelta(seconds=settings.SESSION_COOKIE_AGE)
# Wrong codes from one address before it must wait (30^8 codes: guessing is hopeless).
MAX_FAILURES: Final = 5
FAILURE_WINDOW: Final = timedelta(minutes=15)
ITEM9: Final = "scales.phq9[8]"


class SelfReportError(Exception):
    """A refused step; the message says what to do."""


class CodeRefusedError(SelfReportError):
    pass


class RateLimitedError(SelfReportError):
    pass


class LanguageNotOfferedError(SelfReportError):
    pass


class UnansweredError(SelfReportError):
    def __init__(self, number: int) -> None:
        message = _("Question %(number)s has no answer yet.") % {"number": number}
        super().__init__(message)
        self.number = number


def _keyed(value: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def format_code(code: str) -> str:
    """`ABCD-EFGH`: two halves are easier to read out and type."""
    return f"{code[:4]}-{code[4:]}"


def _new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


# Staff


@transaction.atomic
def do_start(intake: Intake, *, by: User, include_pcl5: bool) -> tuple[SelfReport, str]:
    """Open a session for the intake (ending any open one) and return its code.

    The code is returned once, to be shown to staff; only its keyed hash is stored.
    """
    if intake.is_signed:
        raise SelfReportError(_("A signed intake takes no new answers."))
    for report in SelfReport.objects.filter(intake=intake, status=Status.OPEN):
        do_end(report, by=by)
    code = _new_code()
    while SelfReport.objects.filter(
        code_sha256=_keyed(code), status=Status.OPEN
    ).exists():
        code = _new_code()
    now = timezone.now()
    report = SelfReport.objects.create(
        clinic=intake.clinic,
        intake=intake,
        started_by=by,
        code_sha256=_keyed(code),
        include_pcl5=include_pcl5,
        section_versions={s.kind: s.version for s in intake.sections.all()},
        started_at=now,
        last_activity_at=now,
    )
    audit.record_for_intake(
        audit.Event.SELF_REPORT_STARTED,
        intake,
        actor=by,
        target=report,
        category="self_report",
        detail={"include_pcl5": include_pcl5},
    )
    return report, code


def do_end(report: SelfReport, *, by: User) -> None:
    """Staff end the session: the code and the tablet stop working at once."""
    changed = SelfReport.objects.filter(pk=report.pk, status=Status.OPEN).update(
        status=Status.ENDED, ended_by=by, finished_at=timezone.now()
    )
    if changed:
        report.status = Status.ENDED
        audit.record_for_intake(
            audit.Event.SELF_REPORT_ENDED,
            report.intake,
            actor=by,
            target=report,
            category="self_report",
        )


def expire_if_idle(report: SelfReport, *, now: datetime | None = None) -> bool:
    """Close an open session idle for the idle limit; whether it is closed now."""
    now = now or timezone.now()
    if report.is_open and now - report.last_activity_at >= IDLE:
        SelfReport.objects.filter(pk=report.pk, status=Status.OPEN).update(
            status=Status.EXPIRED, finished_at=now
        )
        report.status = Status.EXPIRED
    return not report.is_open


# The tablet


def _failures(source: str, now: datetime) -> int:
    return CodeAttempt.objects.filter(
        source_sha256=source, succeeded=False, attempted_at__gte=now - FAILURE_WINDOW
    ).count()


def do_open_on_tablet(
    code: str, *, address: str, token: str, language: str
) -> SelfReport:
    """Bind the session of this code to the tablet session holding `token`.

    Refused when the address typed too many wrong codes lately, when no open,
    unbound session has the code (wrong, used, ended or expired: one message), and
    when the clinic does not offer the language (the code stays usable).
    """
    now = timezone.now()
    source = _keyed(f"address:{address}")
    if _failures(source, now) >= MAX_FAILURES:
        raise RateLimitedError(
            _("Too many wrong codes. Wait 15 minutes, or ask staff.")
        )
    with transaction.atomic():
        report = (
            SelfReport.objects.select_for_update()
            .select_related("intake__patient", "clinic")
            .filter(
                code_sha256=_keyed(normalise_code(code)),
                status=Status.OPEN,
                tablet_sha256="",
            )
            .first()
        )
        if report is not None and not expire_if_idle(report, now=now):
            found = patient_settings.get_settings(report.clinic)
            if language not in found.languages:
                raise LanguageNotOfferedError(
                    _("This language is not offered here. Choose another.")
                )
            SelfReport.objects.filter(pk=report.pk).update(
                tablet_sha256=_keyed(f"tablet:{token}"),
                language=language,
                last_activity_at=now,
            )
            report.language, report.last_activity_at = language, now
            CodeAttempt.objects.create(
                source_sha256=source, succeeded=True, attempted_at=now
            )
            audit.record_for_intake(
                audit.Event.SELF_REPORT_OPENED,
                report.intake,
                target=report,
                category="self_report",
                detail={"language": language},
            )
            return report
    CodeAttempt.objects.create(source_sha256=source, succeeded=False, attempted_at=now)
    audit.record(
        audit.Event.SELF_REPORT_CODE_FAILED,
        category="self_report",
        outcome="denied",
    )
    raise CodeRefusedError(
        _("This code does not work. Check it, or ask staff for a new one.")
    )


def get_for_tablet(report_id: Any, token: Any) -> SelfReport | None:
    """The tablet's open session (renewing its idle timer), or None."""
    if not isinstance(report_id, int) or not isinstance(token, str):
        return None
    report = (
        SelfReport.objects.select_related("intake__patient", "clinic", "started_by")
        .filter(pk=report_id, tablet_sha256=_keyed(f"tablet:{token}"))
        .first()
    )
    if report is None or expire_if_idle(report):
        return None
    now = timezone.now()
    SelfReport.objects.filter(pk=report.pk).update(last_activity_at=now)
    report.last_activity_at = now
    return report


def finished_for_tablet(report_id: Any, token: Any) -> SelfReport | None:
    """The tablet's session once it is finished (for the finish page only)."""
    if not isinstance(report_id, int) or not isinstance(token, str):
        return None
    return (
        SelfReport.objects.select_related("clinic")
        .filter(
            pk=report_id,
            tablet_sha256=_keyed(f"tablet:{token}"),
            status=Status.FINISHED,
        )
        .first()
    )


# Consent (#18): a page before the questions, never a gate in front of them


def consent_document(report: SelfReport) -> ConsentDocument | None:
    """The consent document the tablet shows, or None: the clinic has none in
    effect, or the intake already has a consent record."""
    if consent.has_consent(report.intake):
        return None
    return consent.tablet_document(report.clinic)


def do_agree_consent(
    report: SelfReport, document: ConsentDocument, *, typed_name: str
) -> None:
    """Keep the patient's agreement (their typed name, now) until the finish, when
    it becomes the intake's consent record."""
    name = typed_name.strip()
    if not name:
        raise SelfReportError(_("Type your full name."))
    now = timezone.now()
    SelfReport.objects.filter(pk=report.pk).update(
        consent_document=document,
        consent_typed_name=name,
        consent_agreed_at=now,
        consent_skipped=False,
    )
    report.consent_document, report.consent_typed_name = document, name
    report.consent_agreed_at, report.consent_skipped = now, False


def do_skip_consent(report: SelfReport, document: ConsentDocument) -> None:
    """ "I'd like to talk to staff first": nothing is recorded, the questions go on."""
    SelfReport.objects.filter(pk=report.pk).update(
        consent_document=document,
        consent_typed_name="",
        consent_agreed_at=None,
        consent_skipped=True,
    )
    report.consent_document, report.consent_typed_name = document, ""
    report.consent_agreed_at, report.consent_skipped = None, True


def consent_answered(report: SelfReport) -> bool:
    return report.consent_agreed_at is not None or report.consent_skipped


def _record_consent(report: SelfReport) -> None:
    """The agreement becomes the consent record, recorded by the staff member who
    started the session (unless staff recorded one meanwhile)."""
    document = report.consent_document
    if report.consent_agreed_at is None or document is None:
        return
    if consent.has_consent(report.intake):
        return
    consent.do_record_consent(
        report.intake,
        document=document,
        method=ConsentRecord.Method.TABLET_TYPED_NAME,
        consented_at=report.consent_agreed_at,
        typed_name=report.consent_typed_name,
        by=report.started_by,
    )


# The questions


def intake_answers(intake: Intake) -> dict[str, Any]:
    """The intake's plain answers by path (`indication.primary`), for conditions."""
    found: dict[str, Any] = {}
    for section in intake.sections.all():
        value = section_value(section, intake)
        if isinstance(value, dict):
            for key, answer in value.items():
                found[f"{section.kind}.{key}"] = answer
    return found


def packs_for(report: SelfReport) -> dict[str, TextPack]:
    """The newest pack of each self-reported instrument in the session's language."""
    packs = text_packs.current_packs(report.clinic)
    return {
        key: pack
        for (key, language), pack in packs.items()
        if language == report.language
    }


def stored_answers(report: SelfReport) -> dict[str, SelfReportAnswer]:
    return {answer.path: answer for answer in report.answers.all()}


def plan(
    report: SelfReport,
    *,
    answers: Mapping[str, SelfReportAnswer] | None = None,
    packs: Mapping[str, TextPack] | None = None,
) -> list[Step]:
    """The patient's pages now: the instruments with a pack in their language (and
    their patient-only condition or the staff tick), then the history check."""
    answers = stored_answers(report) if answers is None else answers
    packs = packs_for(report) if packs is None else packs
    on_intake = intake_answers(report.intake)

    def include(instrument: Any) -> bool:
        if instrument.key not in packs:
            return False
        if declared.offered_by_condition(instrument, on_intake):
            return True
        return report.include_pcl5 and instrument.patient_asked_if is not None

    pregnancy = questionnaire.question("demographics.pregnancy_status")
    return declared.steps(
        text_packs.self_reported_instruments(),
        {path: answer.value for path, answer in answers.items()},
        include=include,
        pregnancy_asked=pregnancy is not None
        and questionnaire.asked(pregnancy, on_intake),
    )


def _value_of(step: Step, choice: str) -> tuple[Any, str]:
    """(value, missing reason) of a posted choice of a choice step."""
    if choice == declared.DECLINED and step.may_decline:
        return None, declared.DECLINED
    if step.instrument:
        return int(choice), ""
    for option in step.options:
        if str(option.value) == choice:
            if option.value == "unknown" and step.kind == "yes_no":
                return None, "unknown"
            return option.value, ""
    raise SelfReportError(_("Choose one answer."))


@transaction.atomic
def do_answer(
    report: SelfReport, step: Step, *, choice: str, pack: TextPack | None
) -> SelfReportAnswer:
    """Store one answer as given; PHQ-9 item 9 >= 1 raises the urgent marker now."""
    if step.kind == "text":
        value, reason = choice.strip(), ""
    else:
        value, reason = _value_of(step, choice)
    answer, _ = SelfReportAnswer.objects.update_or_create(
        report=report,
        path=step.path,
        defaults={
            "value": value,
            "reason": reason,
            "text_pack": pack,
            "answered_at": timezone.now(),
        },
    )
    if step.path == ITEM9 and isinstance(value, int) and value >= 1:
        urgent.do_raise_for_self_report(
            report.intake, item9=value, by=report.started_by
        )
    return answer


# Finish


def _set(value: dict[str, Any], path: str, answer: Any) -> None:
    """Set `scales.phq9[8]` or `substance_use.audit_c.q2` in a section value."""
    rest = path.split(".", 1)[1]
    if "[" in rest:
        key, index = rest.rstrip("]").split("[")
        instrument = questionnaire.instrument(path.split("[", 1)[0])
        if not isinstance(value.get(key), list):
            value[key] = [None] * instrument.length
        value[key][int(index)] = answer
        return
    *parents, name = rest.split(".")
    target = value
    for parent in parents:
        if not isinstance(target.get(parent), dict):
            target[parent] = {}
        target = target[parent]
    target[name] = answer


def _section_changes(
    steps: list[Step], answers: Mapping[str, SelfReportAnswer]
) -> dict[str, list[tuple[str, Any, str]]]:
    """(path, value, missing reason) of every answer, by section."""
    changes: dict[str, list[tuple[str, Any, str]]] = {}
    for step in steps:
        if not step.is_note:
            answer = answers[step.path]
            changes.setdefault(step.section, []).append(
                (step.path, answer.value, answer.reason)
            )
    asked = {step.path for step in steps}
    for instrument in text_packs.self_reported_instruments():
        if not any(step.instrument == instrument.key for step in steps):
            continue
        for n, item in enumerate(instrument.items):
            path = instrument.item_path(n)
            if path not in asked:
                # AUDIT-C q2, q3 after "never": their named skip value (2.1).
                changes[instrument.path.split(".")[0]].append(
                    (path, item.not_asked_value, "")
                )
    return changes


def do_finish(report: SelfReport) -> SelfReport:
    """Land the answers in the intake, section by section; conflicts go to staff."""
    with transaction.atomic():
        locked = SelfReport.objects.select_for_update().get(pk=report.pk)
        if locked.status != Status.OPEN:
            raise SelfReportError(_("This session has ended."))
        answers = stored_answers(report)
        steps = plan(report, answers=answers)
        for number, step in enumerate(steps, start=1):
            if step.path not in answers:
                raise UnansweredError(number)
        intake = report.intake
        by = report.started_by
        sections = {s.kind: s for s in intake.sections.select_related("intake")}
        conflicts = []
        for kind, changes in _section_changes(steps, answers).items():
            section = sections[kind]
            if section.version != report.section_versions.get(kind):
                conflicts.append(kind)  # staff saved it since: theirs to resolve
                continue
            _save(section, intake, changes, by=by)
        _record_consent(locked)
        now = timezone.now()
        SelfReport.objects.filter(pk=report.pk).update(
            status=Status.FINISHED, finished_at=now, conflicts=conflicts
        )
        report.status, report.finished_at, report.conflicts = (
            Status.FINISHED,
            now,
            conflicts,
        )
        audit.record_for_intake(
            audit.Event.SELF_REPORT_FINISHED,
            intake,
            actor=by,
            target=report,
            category="self_report",
            detail={"source": "self_report", "conflicts": conflicts},
        )
    return report


def _save(
    section: IntakeSection,
    intake: Intake,
    changes: list[tuple[str, Any, str]],
    *,
    by: User,
) -> None:
    value = copy.deepcopy(section_value(section, intake))
    reasons = dict(section.missing_reasons or {})
    for path, answer, reason in changes:
        _set(value, path, answer)
        reasons.pop(path, None)
        if reason:
            reasons[path] = reason
    intakes.do_save_section(
        section,
        value,
        missing_reasons=reasons,
        confirmed_warnings=section.confirmed_warnings,
        version=section.version,
        by=by,
        origin="self_report",
    )


def notes_of(report: SelfReport) -> list[tuple[str, str]]:
    """The patient's own words for staff to reconcile: (what, text)."""
    labels = {
        declared.ALLERGIES.path: "Allergies",
        declared.MEDICINES.path: "Medicines",
    }
    return [
        (labels[a.path], str(a.value))
        for a in report.answers.filter(path__startswith=declared.NOTE_PREFIX)
        if a.path in labels
    ]


# The intake overview


@dataclass(frozen=True)
class OverviewState:
    """What the intake overview says of the tablet: a session running now, the
    newest finished one, and the sections whose tablet answers still wait for staff."""

    running: SelfReport | None
    finished: SelfReport | None
    conflicts: list[str]


def overview_state(intake: Intake, *, now: datetime | None = None) -> OverviewState:
    """Read only (the overview is a GET): an open session idle past the limit is not
    running, whether or not it was closed yet. A conflict is still waiting until staff
    save its section after the session finished (entering the patient's answers or
    deciding they no longer apply)."""
    now = now or timezone.now()
    reports = list(
        SelfReport.objects.filter(intake=intake)
        .select_related("started_by")
        .order_by("-started_at", "-pk")
    )
    running = next(
        (r for r in reports if r.is_open and now - r.last_activity_at < IDLE), None
    )
    finished = [r for r in reports if r.status == Status.FINISHED]
    waiting: list[str] = []
    if not any(report.conflicts for report in finished):
        return OverviewState(running, finished[0] if finished else None, waiting)
    saved_at = {s.kind: s.updated_at for s in intake.sections.all()}
    for report in finished:
        for kind in report.conflicts or ():
            at = saved_at.get(kind)
            still = at is None or report.finished_at is None or at <= report.finished_at
            if still and kind not in waiting:
                waiting.append(kind)
    titles = [IntakeSection.Kind(kind).label for kind in waiting]
    return OverviewState(running, finished[0] if finished else None, titles)
