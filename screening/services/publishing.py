"""The publish gate, two-person approval and publishing a draft (rule book §6.1).

A draft is published only when (a) every rule's own test cases pass, (b) every clinic
test case gives its approved expectation, and (c) the impact preview was shown for this
exact revision; and only by someone who neither drafted nor edited it, with the right to
approve (security.md §2.5). The approver re-authenticates in the same POST (the view
runs screening.reauth before calling this).
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from screening import audit, engine, permissions
from screening.models import ImpactPreview, Rule, RulesetVersion
from screening.services import (
    clinic_tests,
    drafts,
    impact,
    rescreen,
    rule_locks,
    rulesets,
)


class PublishRefusedError(Exception):
    """The gate or the two-person rule refuses; `reasons` are whole sentences."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


@dataclass
class GateReport:
    """Each gate of §6.1 for one draft revision."""

    rule_tests: list[engine.RuleTestResult]
    cases: list[clinic_tests.CaseResult]
    preview: ImpactPreview | None
    # Locked rules whose plain threshold line states other numbers than their
    # condition: (rule, message), the message as the rule form shows it.
    threshold_lines: list[tuple[Rule, str]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def failing_rule_tests(self) -> list[engine.RuleTestResult]:
        return [result for result in self.rule_tests if not result.passed]

    @property
    def failing_cases(self) -> list[clinic_tests.CaseResult]:
        return [case for case in self.cases if not case.passed]

    @property
    def passed(self) -> bool:
        return not self.reasons


def threshold_line_problems(draft: RulesetVersion) -> list[tuple[Rule, str]]:
    """The draft's locked rules whose threshold line and condition differ in numbers."""
    found = []
    for rule in draft.rules.filter(is_retired=False):
        problem = rule_locks.threshold_line_problem(rule.code, rule.threshold_text)
        if problem:
            found.append((rule, problem))
    return found


def check_gate(draft: RulesetVersion) -> GateReport:
    """Run the three gates of §6.1, and the threshold-line check, on the draft."""
    report = GateReport(
        rule_tests=engine.run_rule_tests(rulesets.get_engine_ruleset(draft)),
        cases=clinic_tests.run_clinic_tests(draft),
        preview=impact.get_current_preview(draft),
        threshold_lines=threshold_line_problems(draft),
    )
    if report.failing_rule_tests:
        report.reasons.append(
            f"{len(report.failing_rule_tests)} rule test case(s) fail: fix the rules "
            "or their test cases."
        )
    if report.failing_cases:
        report.reasons.append(
            f"{len(report.failing_cases)} clinic test case(s) differ from their "
            "approved expectation: approve the new results with a reason, or change "
            "the rules."
        )
    if report.threshold_lines:
        codes = ", ".join(rule.code for rule, _ in report.threshold_lines)
        report.reasons.append(
            f"The threshold line of {codes} states other numbers than the rule's "
            "locked condition (rule book §6.1): correct the line in the rule's form."
        )
    if report.preview is None:
        report.reasons.append(
            f"The impact preview has not been shown for revision {draft.revision} of "
            "this draft: open it before publishing."
        )
    return report


def approval_problem(draft: RulesetVersion, user: User) -> str | None:
    """Why this user may not approve the draft (two-person rule), or None."""
    assert draft.clinic is not None  # noqa: S101 - only a clinic's draft is published
    if not permissions.can(user, permissions.APPROVE_RULESET, clinic=draft.clinic):
        return (
            "Approving a ruleset needs a second rule admin, or a clinician granted "
            "the approval."
        )
    if draft.created_by_id == user.pk or draft.contributors.filter(pk=user.pk).exists():
        return (
            "You drafted or edited this draft, so someone else must approve and "
            "publish it (two-person rule)."
        )
    return None


@transaction.atomic
def do_publish_ruleset(
    draft: RulesetVersion,
    *,
    by: User,
    reason: str,
    revision: int,
) -> RulesetVersion:
    """Approve and publish the draft as "<clinic-slug>-<n>", then re-screen."""
    drafts.refuse_unless_draft(draft)
    clinic = draft.clinic
    assert clinic is not None  # noqa: S101 - only a clinic's draft is published
    problem = approval_problem(draft, by)
    if problem:
        raise PublishRefusedError([problem])
    if draft.revision != revision:
        raise drafts.StaleDraftError
    report = check_gate(draft)
    if not report.passed:
        raise PublishRefusedError(report.reasons)
    # Claim the draft: of two approvers publishing at once only one gets it.
    claimed = RulesetVersion.objects.filter(
        pk=draft.pk, status=RulesetVersion.Status.DRAFT, revision=revision
    ).update(approved_by=by, publish_reason=reason)
    if not claimed:
        raise drafts.StaleDraftError
    # The reason is free text: it stays on the version (publish_reason), and the
    # audit rows name that record (F6).
    reference = f"publish:{draft.pk}"
    audit.record(
        audit.Event.RULESET_APPROVED,
        actor=by,
        clinic=clinic,
        target=draft,
        category="ruleset",
        object_version=revision,
        reason=reference,
        detail={"revision": revision, "preview": report.preview.pk},
    )
    previous = rulesets.get_active_ruleset(clinic)
    RulesetVersion.objects.filter(
        clinic=clinic, status=RulesetVersion.Status.PUBLISHED
    ).update(status=RulesetVersion.Status.SUPERSEDED)
    last = RulesetVersion.objects.filter(clinic=clinic).aggregate(n=Max("number"))["n"]
    draft.refresh_from_db()
    draft.number = (last or 0) + 1
    draft.label = f"{clinic.slug}-{draft.number}"
    draft.status = RulesetVersion.Status.PUBLISHED
    draft.published_at = timezone.now()
    draft.save(update_fields=["number", "label", "status", "published_at"])
    audit.record(
        audit.Event.RULESET_PUBLISHED,
        actor=by,
        clinic=clinic,
        target=draft,
        category="ruleset",
        object_version=draft.label,
        reason=reference,
        detail={"ruleset_version": draft.label, "previous": previous.label},
    )
    rescreen.do_start_rescreen(draft, by=by)
    return draft
