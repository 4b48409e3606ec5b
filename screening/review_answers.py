"""Answers by field path: read one in a section, who entered it, diff two documents.

Paths are written as the rule book writes them ("antidepressant_trials[1].drug",
"scales.phq9[8]"); checklist items are read after `checklist_default` (rule book §1.2).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from screening.intake_format.fields import CHECKLIST_ITEMS, SECTIONS, checklist_answers
from screening.models import SectionRevision
from screening.questionnaire.labels import answer_text, question_label
from screening.questionnaire.paths import ABSENT, parse_path, value_at
from screening.questionnaire.paths import flatten as leaves


@dataclass
class Entry:
    """Who saved the value an answer holds now, and when."""

    by: str
    at: datetime
    # Where the value came from, when not typed here: "carried over from the intake
    # of 2026-03-02" (#18), "patient, self-report, started by front-desk" (#17).
    source: str = ""


def tokens(path: str) -> tuple[str, list[str | int]]:
    """Split a path: `trials[1].drug` -> ("trials", [1, "drug"])."""
    parts = parse_path(path)
    return str(parts[0]), parts[1:]


def value_in_section(kind: str, data: Any, steps: list[str | int]) -> Any:
    """The raw value at a path inside a section, or ABSENT; checklists as read."""
    is_checklist = kind in CHECKLIST_ITEMS and isinstance(data, dict)
    if is_checklist and len(steps) == 1 and steps[0] in CHECKLIST_ITEMS[kind]:
        # An unlisted item is "no" under checklist_default, unanswered otherwise.
        return checklist_answers(kind, data)[str(steps[0])]
    return value_at(data, steps)


def entry_of(
    path: str, revisions_by_kind: dict[str, list[SectionRevision]]
) -> Entry | None:
    """The save that put the current value at `path`: the oldest of the newest run of
    revisions that all hold that value."""
    kind, steps = tokens(path)
    revisions = revisions_by_kind.get(kind, [])
    if not revisions:
        return None
    current = value_in_section(kind, revisions[-1].data, steps)
    entering = revisions[-1]
    for revision in reversed(revisions):
        if value_in_section(kind, revision.data, steps) != current:
            break
        entering = revision
    source = ""
    if entering.origin == "carried" and entering.carried_from is not None:
        source = f"carried over from the intake of {entering.carried_from.intake_on}"
    elif entering.origin == "self_report":
        # Saved in the name of the staff member who started the tablet session (#17).
        source = f"patient, self-report, started by {entering.saved_by.get_username()}"
    return Entry(
        by=entering.saved_by.get_username(), at=entering.saved_at, source=source
    )


def flatten(document: dict[str, Any]) -> dict[str, Any]:
    """Every answer of an intake/1 document by field path (checklists expanded)."""
    flat: dict[str, Any] = {}
    for kind in SECTIONS:
        value = document.get(kind)
        if kind in CHECKLIST_ITEMS and isinstance(value, dict):
            extra = {k: v for k, v in value.items() if k not in CHECKLIST_ITEMS[kind]}
            extra.pop("checklist_default", None)
            value = {**checklist_answers(kind, value), **extra}
        flat.update(leaves(value, kind))
    return flat


def diff_answers(
    old: dict[str, Any], new: dict[str, Any]
) -> list[tuple[str, str, str]]:
    """(question, signed value, new value) for each answer that differs."""
    old_flat, new_flat = flatten(old), flatten(new)
    rows = []
    for path in sorted(old_flat.keys() | new_flat.keys()):
        before, after = old_flat.get(path, ABSENT), new_flat.get(path, ABSENT)
        if before != after:
            rows.append(
                (
                    question_label(path),
                    "(absent)" if before is ABSENT else answer_text(path, before),
                    "(absent)" if after is ABSENT else answer_text(path, after),
                )
            )
    return rows
