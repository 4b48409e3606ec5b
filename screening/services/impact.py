"""The impact preview: what publishing a draft would change for the clinic's intakes.

Counts and intake ids only (security.md §2.5: rule admins see no answers or names).
The intakes are the ones a publish re-screens: every open (unsigned) intake. Each is
screened under the draft and compared with its result under the published ruleset.
"""

from collections import defaultdict
from collections.abc import Iterator
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from screening import audit
from screening.models import ImpactPreview, Intake, RulesetVersion
from screening.services import documents, rescreen, rulesets, screenings

EXAMPLES: Final = 5
CHUNK: Final = 500


def _intakes(ruleset: RulesetVersion) -> Iterator[Intake]:
    """Open intakes in id order, a chunk at a time with their sections prefetched."""
    assert ruleset.clinic is not None  # noqa: S101 - only a clinic's draft is previewed
    queryset = (
        rescreen.open_intakes(ruleset.clinic)
        .select_related("patient", "current_screening")
        .prefetch_related("sections")
        .order_by("pk")
    )
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].pk


def _flag_codes(result: dict[str, Any]) -> dict[str, str]:
    return {flag["code"]: flag["severity"] for flag in result["flags"]}


def compute_impact(draft: RulesetVersion) -> dict[str, Any]:
    """How many open intakes would gain or lose each flag or change outcome (ids)."""
    assert draft.clinic is not None  # noqa: S101 - only a clinic's draft is previewed
    published = rulesets.get_active_ruleset(draft.clinic)
    before_engine = rulesets.get_engine_ruleset(published)
    after_engine = rulesets.get_engine_ruleset(draft)
    gained: dict[str, list[int]] = defaultdict(list)
    lost: dict[str, list[int]] = defaultdict(list)
    severity_changed: dict[str, list[int]] = defaultdict(list)
    outcomes: dict[tuple[str, str], list[int]] = defaultdict(list)
    changed: set[int] = set()
    total = 0
    for intake in _intakes(draft):
        total += 1
        document = documents.intake_document(intake, list(intake.sections.all()))
        stored = intake.current_screening
        if (
            stored is not None
            and stored.ruleset_id == published.pk
            and stored.intake_version == intake.version
        ):
            before = stored.result  # already screened under the published version
        else:
            before = screenings.run_engine(document, before_engine)[1]
        after = screenings.run_engine(document, after_engine)[1]
        old, new = _flag_codes(before), _flag_codes(after)
        for code in new.keys() - old.keys():
            gained[code].append(intake.pk)
        for code in old.keys() - new.keys():
            lost[code].append(intake.pk)
        for code in old.keys() & new.keys():
            if old[code] != new[code]:
                severity_changed[code].append(intake.pk)
        if before["outcome"] != after["outcome"]:
            outcomes[(before["outcome"], after["outcome"])].append(intake.pk)
        if old != new or before["outcome"] != after["outcome"]:
            changed.add(intake.pk)
    codes = sorted(gained.keys() | lost.keys() | severity_changed.keys())
    return {
        "ruleset_version": published.label,
        "intakes": total,
        "changed": len(changed),
        "signed_not_rescreened": Intake.objects.filter(clinic=draft.clinic)
        .exclude(status__in=rescreen.OPEN_STATUSES)
        .count(),
        "flags": [
            {
                "code": code,
                "gained": len(gained[code]),
                "lost": len(lost[code]),
                "severity_changed": len(severity_changed[code]),
                "gained_examples": gained[code][:EXAMPLES],
                "lost_examples": lost[code][:EXAMPLES],
                "severity_changed_examples": severity_changed[code][:EXAMPLES],
            }
            for code in codes
        ],
        "outcomes": [
            {"from": old, "to": new, "count": len(ids), "examples": ids[:EXAMPLES]}
            for (old, new), ids in sorted(outcomes.items())
        ],
    }


@transaction.atomic
def do_show_impact_preview(
    draft: RulesetVersion, *, by: Any, request: Any = None
) -> ImpactPreview:
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
        "ruleset.tested",
        actor=by,
        request=request,
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
