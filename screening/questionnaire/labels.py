"""Questions and answers in words, by intake/1 path, for every page that shows them.

One vocabulary for the forms, the section status, the conflict view, the summary, its
PDF, the diffs and the screening panel ("needs: <question label>"). Instrument items
are labelled by short topic only; DAST-10 and the C-SSRS screener never show their
licensed wording (rule book §9).
"""

from typing import Any, Final

from screening.questionnaire import (
    SECTIONS,
    instruments,
    questions,
    row_lists,
)
from screening.questionnaire.model import EVENT_DATE, Question
from screening.questionnaire.paths import parse_path, pattern_of
from screening.questionnaire.sections.basics import INTAKE_DATE
from screening.questionnaire.text import _

NOT_ANSWERED: Final = _("Not answered")


def _labels() -> dict[str, str]:
    labels = {INTAKE_DATE.path: INTAKE_DATE.label}
    for section in SECTIONS:
        labels |= {q.path: q.label for q in section.questions}
    for rows in row_lists():
        labels[rows.path] = rows.label
        labels |= {q.path: q.label for q in rows.row}
    for each in instruments():
        labels[each.path] = each.title
        if not each.is_list:
            labels |= {
                q.path: f"{each.name} {q.number}: {q.label}"
                for q in each.items
                if q.path != each.path
            }
    return labels


# Full path pattern -> the question in words.
LABELS: Final[dict[str, str]] = _labels()
# What one row of each list is called ("Trial 2: weeks at dose").
ROW_NOUNS: Final = {rows.path: rows.noun for rows in row_lists()}
# Questions whose stored value is shown by its option's words.
_WITH_OPTIONS: Final[dict[str, Question]] = {
    q.path: q for q in questions() if q.options
}
_EVENT_DATES: Final = frozenset(q.path for q in questions() if q.kind == EVENT_DATE)


def question_label(path: str) -> str:
    """The question a full intake/1 path stands for, in words; the path if unknown."""
    pattern = pattern_of(path)
    for list_path, noun in ROW_NOUNS.items():
        index = _row_index(path, list_path)
        if index is not None:
            field = LABELS.get(pattern)
            return f"{noun} {index + 1}: {field}" if field else f"{noun} {index + 1}"
    for each in instruments():
        index = _row_index(path, each.path) if each.is_list else None
        if index is not None and index < each.length:
            return f"{each.name} {_('item')} {index + 1}: {each.items[index].label}"
    return LABELS.get(pattern, path)


def _row_index(path: str, list_path: str) -> int | None:
    """The index right after list_path in path: 1 for `medications[1].name`."""
    if not path.startswith(f"{list_path}["):
        return None
    parts = parse_path(path[len(list_path) :])
    return parts[0] if parts and isinstance(parts[0], int) else None


def answer_text(path: str, value: Any) -> str:
    """A stored answer as the form words it: Yes, No, Never, Not answered, a label."""
    if value is None:
        return NOT_ANSWERED
    pattern = pattern_of(path)
    if value is False and pattern in _EVENT_DATES:
        return _("Never")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return _("None") if not value else f"{len(value)} {_('entries')}"
    asked = _WITH_OPTIONS.get(pattern)
    if asked is not None:
        words = {str(option.value): option.label for option in asked.options}
        return words.get(str(value), str(value))
    return str(value)
