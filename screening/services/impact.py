"""The impact preview: what publishing a draft would change for the clinic's intakes.

Counts and intake ids only (security.md §2.5: rule admins see no answers or names).
The open (unsigned) intakes are the ones a publish re-screens: each is screened under
the draft and compared with its result under the published ruleset. Signed intakes keep
the screening they were signed with; those signed within the clinic's re-review window
are listed one by one with what the draft would change in their signed result, since
publishing sends each of them back to a clinician (services/rereview.py).
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from screening import audit
from screening.models import ImpactPreview, Intake, RulesetVersion, Screening
from screening.services import rereview, rescreen, rulesets, screenings

EXAMPLES: Final = 5
CHUNK: Final = 500
# Signed intakes listed one by one; beyond this the preview gives the count.
SIGNED_LISTED: Final = 200


def _batches(
    ruleset: RulesetVersion, published: RulesetVersion
) -> Iterator[list[tuple[Intake, dict[str, Any], dict[str, Any] | None]]]:
    """Open intakes a chunk at a time: intake, document, and the stored result under
    the published version when it is for the intake's present version."""
    assert ruleset.clinic is not None  # noqa: S101 - only a clinic's draft is previewed
    last = 0
    while batch := rescreen.load_batch(ruleset.clinic, after=last, size=CHUNK):
        stored = {
            (screening.intake_id, screening.intake_version): screening.result
            for screening in Screening.objects.filter(
                pk__in=[intake.current_screening_id for intake, _ in batch],
                ruleset=published,
            ).only("intake_id", "intake_version", "result")
        }
        yield [
            (intake, document, stored.get((intake.pk, intake.version)))
            for intake, document in batch
        ]
        last = batch[-1][0].pk


def _flag_codes(result: dict[str, Any]) -> dict[str, str]:
    return {flag["code"]: flag["severity"] for flag in result["flags"]}


@dataclass
class _Changes:
    """Intake ids by what changes for them, gathered one intake at a time."""

    gained: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    lost: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    severity: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    outcomes: dict[tuple[str, str], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )
    changed: int = 0

    def add(self, pk: int, before: dict[str, Any], after: dict[str, Any]) -> None:
        old, new = _flag_codes(before), _flag_codes(after)
        for code in new.keys() - old.keys():
            self.gained[code].append(pk)
        for code in old.keys() - new.keys():
            self.lost[code].append(pk)
        for code in old.keys() & new.keys():
            if old[code] != new[code]:
                self.severity[code].append(pk)
        if before["outcome"] != after["outcome"]:
            self.outcomes[(before["outcome"], after["outcome"])].append(pk)
        if old != new or before["outcome"] != after["outcome"]:
            self.changed += 1

    def flags(self) -> list[dict[str, Any]]:
        codes = sorted(self.gained.keys() | self.lost.keys() | self.severity.keys())
        return [
            {
                "code": code,
                "gained": len(self.gained[code]),
                "lost": len(self.lost[code]),
                "severity_changed": len(self.severity[code]),
                "gained_examples": self.gained[code][:EXAMPLES],
                "lost_examples": self.lost[code][:EXAMPLES],
                "severity_changed_examples": self.severity[code][:EXAMPLES],
            }
            for code in codes
        ]


def compute_impact(draft: RulesetVersion) -> dict[str, Any]:
    """How many open intakes would gain or lose each flag or change outcome (ids)."""
    assert draft.clinic is not None  # noqa: S101 - only a clinic's draft is previewed
    published = rulesets.get_active_ruleset(draft.clinic)
    before_engine = rulesets.get_engine_ruleset(published)
    after_engine = rulesets.get_engine_ruleset(draft)
    changes = _Changes()
    total = 0
    for batch in _batches(draft, published):
        for intake, document, stored in batch:
            total += 1
            # Already screened under the published version: no need to do it again.
            before = stored or screenings.run_engine(document, before_engine)[1]
            after = screenings.run_engine(document, after_engine)[1]
            changes.add(intake.pk, before, after)
    return {
        "ruleset_version": published.label,
        "intakes": total,
        "changed": changes.changed,
        "signed_not_rescreened": Intake.objects.filter(clinic=draft.clinic)
        .exclude(status__in=rescreen.OPEN_STATUSES)
        .count(),
        "flags": changes.flags(),
        "outcomes": [
            {"from": old, "to": new, "count": len(ids), "examples": ids[:EXAMPLES]}
            for (old, new), ids in sorted(changes.outcomes.items())
        ],
        "signed": _signed_impact(draft.clinic, after_engine),
    }


def _signed_impact(clinic: Any, draft_engine: Any) -> dict[str, Any]:
    """Per signed intake in the re-review window: what the draft would change in the
    result that was signed (the publish queues each of these for re-review)."""
    now = timezone.now()
    checked, rows, changed = 0, [], 0
    for signoff, comparison in rereview.signed_changes(
        clinic, draft_engine, since=rereview.window_start(clinic, at=now)
    ):
        checked += 1
        if comparison is None:
            continue
        changed += 1
        if len(rows) < SIGNED_LISTED:
            rows.append(rereview.preview_row(signoff, comparison))
    return {
        "window_months": clinic.rereview_months,
        "checked": checked,
        "changed": changed,
        "rows": rows,
    }


@transaction.atomic
def do_show_impact_preview(draft: RulesetVersion, *, by: User) -> ImpactPreview:
    """Compute the preview for the draft as it is now and record that it was shown."""
    summary = compute_impact(draft)
    preview = ImpactPreview.objects.create(
        ruleset=draft,
        revision=draft.revision,
        shown_to=by,
        shown_at=timezone.now(),
        summary=summary,
    )
    audit.record(
        audit.Event.RULESET_TESTED,
        actor=by,
        clinic=draft.clinic,
        target=preview,
        category="ruleset",
        object_version=draft.revision,
        detail={
            "check": "impact_preview",
            "count": summary["intakes"],
            "changed": summary["changed"],
        },
    )
    return preview


def get_current_preview(draft: RulesetVersion) -> ImpactPreview | None:
    """The newest preview shown for the draft's present revision, if any."""
    return draft.impact_previews.filter(revision=draft.revision).first()
