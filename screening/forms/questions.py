"""The wording the intake forms add to the declaration: yes/no, reasons, event dates.

Questions, answer options and labels are declared once in screening/questionnaire/;
this module turns options into form choices and keeps the few words that belong to
the form widgets alone.
"""

from typing import Final

from screening.questionnaire import instrument, question
from screening.questionnaire.labels import NOT_ANSWERED, answer_text, question_label
from screening.questionnaire.model import Question

Choices = list[tuple[str, str]]

__all__ = [
    "DAST10_TOPICS",
    "EVENT_DATE",
    "NOT_ANSWERED",
    "PRIMARY_INDICATION",
    "REASONS",
    "SEX",
    "YES_NO",
    "Choices",
    "answer_text",
    "question_label",
]

YES_NO: Final[Choices] = [("yes", "Yes"), ("no", "No")]
REASONS: Final[Choices] = [
    ("declined", "Declined"),
    ("unknown", "Unknown"),
    ("not_asked", "Not asked"),
]
EVENT_DATE: Final[Choices] = [("never", "Never"), ("date", "Date:")]


def _choices(path: str) -> Choices:
    declared: Question | None = question(path)
    return [(str(o.value), o.label) for o in (declared.options if declared else ())]


SEX: Final = _choices("demographics.sex_for_scoring")
PRIMARY_INDICATION: Final = _choices("indication.primary")
# Topics only: the licensed item wording is never shown (rule book §8.5, §9).
DAST10_TOPICS: Final = tuple(
    item.label for item in instrument("substance_use.dast10_answers").items
)
