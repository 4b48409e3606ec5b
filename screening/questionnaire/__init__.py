"""The questionnaire, declared once: sections, questions, lists and instruments.

Plain Python with no Django import (`mypy --strict`), like the engine. The forms, the
progress count, the engine's facts and vocabulary, the labels of the summary, PDF,
diffs and conflict pages, and the intake/1 schema check all read it from here. See
docs/questionnaire.md for the recipe to add a question or an instrument.

The public API: `SECTIONS`, `section()`, `pages()`, `page()`, `questions()`,
`question()`, `row_lists()`, `row_list()`, `instruments()`, `instrument()`,
`asked()`, and the label functions of `screening.questionnaire.labels`.
"""

from collections.abc import Iterator, Mapping
from typing import Any, Final

from screening.questionnaire.model import (
    Instrument,
    Page,
    Question,
    RowList,
    Section,
)
from screening.questionnaire.paths import pattern_of
from screening.questionnaire.sections.basics import (
    DEMOGRAPHICS,
    INDICATION,
    INTAKE_DATE,
    VITALS,
)
from screening.questionnaire.sections.history import (
    MEDICAL_HISTORY,
    PSYCHIATRIC_HISTORY,
)
from screening.questionnaire.sections.lists import (
    ALLERGIES,
    ANTIDEPRESSANT_TRIALS,
    MEDICATIONS,
)
from screening.questionnaire.sections.scales import SCALES
from screening.questionnaire.sections.substance_use import SUBSTANCE_USE

# The sections in intake/1 schema order (intake-format.md 3.0).
SECTIONS: Final[tuple[Section, ...]] = (
    DEMOGRAPHICS,
    INDICATION,
    VITALS,
    MEDICAL_HISTORY,
    PSYCHIATRIC_HISTORY,
    ALLERGIES,
    MEDICATIONS,
    ANTIDEPRESSANT_TRIALS,
    SUBSTANCE_USE,
    SCALES,
)
_BY_NAME: Final = {s.name: s for s in SECTIONS}


def section(name: str) -> Section:
    return _BY_NAME[name]


def pages() -> Iterator[Page]:
    """Every form page, in the order of the paper form (the clinician page last)."""
    found = [p for s in SECTIONS for p in s.pages]
    yield from (p for p in found if p.slug)
    yield from (p for p in found if not p.slug)


def page(slug: str) -> Page:
    return next(p for p in pages() if p.slug == slug)


def row_lists() -> Iterator[RowList]:
    for s in SECTIONS:
        yield from s.lists


def instruments() -> Iterator[Instrument]:
    for s in SECTIONS:
        yield from s.instruments


def instrument(key_or_path: str) -> Instrument:
    """An instrument by its code (`PHQ9`) or path (`scales.phq9`)."""
    return next(i for i in instruments() if key_or_path in (i.key, i.path))


def row_list(path: str) -> RowList:
    return next(r for r in row_lists() if r.path == path)


def _section_questions(s: Section) -> Iterator[Question]:
    yield from s.questions
    for rows in s.lists:
        yield from rows.row
    for each in s.instruments:
        if each.is_list:
            # One question stands for every item of a list instrument: `<path>[]`.
            yield each.items[0]
        else:
            yield from each.items


def questions() -> Iterator[Question]:
    """Every declared question once, by pattern (`scales.phq9[]` for all PHQ-9 items),
    in schema order, starting with the intake date."""
    yield INTAKE_DATE
    for s in SECTIONS:
        yield from _section_questions(s)


_QUESTIONS: Final[Mapping[str, Question]] = {q.path: q for q in questions()}


def question(path: str) -> Question | None:
    """The question at a path (`antidepressant_trials[1].drug`), or None."""
    return _QUESTIONS.get(pattern_of(path))


def asked(conditioned: Question, answers: Mapping[str, Any]) -> bool:
    """Whether the question is asked, given the answers (full path -> value)."""
    return conditioned.asked_if is None or conditioned.asked_if.holds(answers)


def plausible(path: str) -> tuple[int, int]:
    """A question's plausible range (intake-format.md 4.2): outside it, a warning."""
    declared = question(path)
    if declared is None or declared.plausible is None:
        raise KeyError(f"{path} declares no plausible range")
    return declared.plausible
