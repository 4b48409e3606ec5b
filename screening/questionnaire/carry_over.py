"""What the next intake starts from: stable history, read from the declaration (#18).

A section, or a list within one, declared `carried_over` is proposed to the next intake
from the last signed one. Within it, a question is asked afresh (left unanswered) when
its declaration says so (the seven items of rule book §5.9 DATA-MISSING-CI-CHECKLIST,
a trial's `current_episode` and `ongoing`) or when its name says it describes the
present: `*_current`, `*_untreated`, `uncontrolled_*`. A note (`<item>_detail`) goes
with its item. Vitals, the scales and everything else are never carried.
"""

from collections.abc import Iterator
from typing import Any

from screening.questionnaire import SECTIONS, section
from screening.questionnaire.model import Question, RowList, Section
from screening.questionnaire.schema import empty_value

# Words in a name that make the answer a statement about now, not history.
_PRESENT_TENSE = ("_current", "_untreated")
_PRESENT_PREFIX = "uncontrolled_"
_NOTE = "_detail"


def _describes_the_present(name: str) -> bool:
    return name.startswith(_PRESENT_PREFIX) or any(
        word in name for word in _PRESENT_TENSE
    )


def is_asked_afresh(question: Question, within: tuple[Question, ...] = ()) -> bool:
    """Whether a question of a carried section starts unanswered at the next intake.

    `within` holds the section's (or the row's) questions, so that a note follows
    its item.
    """
    if question.asked_afresh or _describes_the_present(question.name):
        return True
    if question.name.endswith(_NOTE):
        item_path = question.path[: -len(_NOTE)]
        item = next((q for q in within if q.path == item_path), None)
        return item is not None and is_asked_afresh(item, within)
    return False


def carried_sections() -> Iterator[Section]:
    """The sections any part of which the next intake starts from."""
    for each in SECTIONS:
        if each.carried_over or any(rows.carried_over for rows in each.lists):
            yield each


def is_carried(name: str) -> bool:
    return any(each.name == name for each in carried_sections())


def _reset(question: Question) -> Any:
    # A question intake/1 never lets be null (a trial's `ongoing`) starts at the value
    # its absence means (intake-format.md 3.9: absent = false).
    return None if question.nullable else False


def _carry_rows(rows: RowList, value: Any) -> Any:
    if not isinstance(value, list):
        return value  # null: not asked, and so not asked now either
    carried = []
    for row in value:
        copy = dict(row)
        for question in rows.row:
            if is_asked_afresh(question, rows.row):
                copy[question.name] = _reset(question)
        carried.append(copy)
    return carried


def _key(path: str) -> str:
    """The key of a path within its section's object: `substance_use.x[]` -> `x`."""
    return path.split(".", 1)[1].split("[", 1)[0]


def carry(name: str, value: Any) -> Any:
    """The proposal for section `name` of the next intake, from its signed `value`.

    Unanswered (the section's empty value) wherever nothing is carried.
    """
    declared = section(name)
    if declared.is_list:
        (rows,) = declared.lists
        return _carry_rows(rows, value) if rows.carried_over else None
    proposal = empty_value(declared)
    value = value or {}
    if declared.carried_over:
        # An unlisted checklist item under `checklist_default: "all_false"` was
        # answered no (rule book §1.2): the proposal lists it as such.
        all_false = value.get("checklist_default") == "all_false"
        for question in declared.questions:
            if is_asked_afresh(question, declared.questions):
                continue
            if question.name in value:
                proposal[question.name] = value[question.name]
            elif all_false and question.no_value is not None:
                proposal[question.name] = question.no_value
    for rows in declared.lists:
        if rows.carried_over and _key(rows.path) in value:
            proposal[_key(rows.path)] = _carry_rows(rows, value[_key(rows.path)])
    return proposal


def afresh_labels(name: str) -> list[str]:
    """The questions of a carried section asked again, in words, for its banner."""
    declared = section(name)
    found = []
    if declared.carried_over:
        found += [
            q.label
            for q in declared.questions
            if is_asked_afresh(q, declared.questions) and not q.name.endswith(_NOTE)
        ]
    for rows in declared.lists:
        if rows.carried_over:
            found += [f"{rows.noun}: {q.label}" for q in rows.row if q.asked_afresh]
    return found
