"""Every declared question is found where it must be: in a form, the schema, the fact
vocabulary (when rules read it), the progress count and the summary labels; and
nothing is in one of those places without being declared."""

import re
from typing import Any

import pytest

from screening import questionnaire
from screening.engine import VOCABULARY
from screening.forms.answers import AnswerField
from screening.forms.intakes import CLINICIAN_FORM, SECTION_FORMS
from screening.forms.progress import questions as progress_questions
from screening.forms.substance import ROW_FORMS, SubstanceUseForm
from screening.intake_format.schema import SCHEMA
from screening.questionnaire.labels import LABELS, question_label
from screening.questionnaire.model import Instrument, Question
from screening.questionnaire.paths import join_path, parse_path, pattern_of, section_of
from screening.questionnaire.schema import section_schema
from tests.questionnaire.test_schema import _normal


def _declared() -> list[tuple[str, Question, Instrument | None]]:
    """(concrete path, question, its instrument) for every declared answer: row
    columns at row 0, every item of a list instrument at its index."""
    found: list[tuple[str, Question, Instrument | None]] = []
    for section in questionnaire.SECTIONS:
        found += [(q.path, q, None) for q in section.questions]
        for rows in section.lists:
            found += [(c.path.replace("[]", "[0]"), c, None) for c in rows.row]
        for each in section.instruments:
            found += [
                (each.item_path(index), item, each)
                for index, item in enumerate(each.items)
            ]
    return found


DECLARED = _declared()
IDS = [path for path, _question, _instrument in DECLARED]
PAGES = {**SECTION_FORMS, "": CLINICIAN_FORM}


def _form_paths() -> dict[str, str]:
    """Full path pattern -> page slug, for every answer field of every page."""
    found: dict[str, str] = {}
    for slug, form_class in PAGES.items():
        parts: list[tuple[Any, str]] = [(form_class, form_class.section)]
        if hasattr(form_class, "row_form"):
            parts.append((form_class.row_form, f"{form_class.section}[0]"))
        if form_class is SubstanceUseForm:
            parts += [(row, f"{path}[0]") for path, row in ROW_FORMS.items()]
        for owner, base in parts:
            for name, field in owner.base_fields.items():
                if isinstance(field, AnswerField):
                    path = join_path(
                        [*parse_path(base), *parse_path(owner.path_of(name))]
                    )
                    found[pattern_of(path)] = slug
    return found


FORM_PATHS = _form_paths()


def _schema_at(path: str) -> Any:
    """The shipped schema of a concrete path, following $refs; None if it has none."""
    node: Any = SCHEMA
    for part in parse_path(path):
        node = _normal(node)
        if isinstance(part, int):
            node = node.get("items")
        elif part in node.get("properties", {}):
            node = node["properties"][part]
        else:
            patterns = node.get("patternProperties", {})
            node = next((v for k, v in patterns.items() if re.match(k, part)), None)
        if node is None:
            return None
    return _normal(node)


def _asking(question: Question, instrument: Instrument | None) -> tuple[str, Any]:
    """A section value in which `question` is asked and unanswered, and its page."""
    section = questionnaire.section(section_of(question.path))
    value: dict[str, Any] = {q.name: None for q in section.questions}
    for each in section.instruments:
        key = each.path.split(".")[1]
        if each.scoring.method == "total_only":
            value[key] = None
        elif each.is_list:
            value[key] = [None] * each.length
        else:
            value[key] = {item.name: None for item in each.items}
    for rows in section.lists:
        value[rows.path.split(".")[-1]] = [{c.name: None for c in rows.row}]
    condition = question.asked_if
    for when in condition.whens if condition else ():
        holder, name = value, when.path.rsplit(".", 1)[1]
        if instrument is not None and not instrument.is_list:
            holder = value[instrument.path.split(".")[1]]
        if when.operator == "=":
            holder[name] = when.value
    if section.is_list:
        return section.pages[0].slug, value[section.lists[0].path]
    page = next(p for p in section.pages if _page_has(p, question, instrument))
    return page.slug, value


def _page_has(page: questionnaire.Page, question: Question, each: Any) -> bool:
    path = each.path if each else question.path
    key = path[len(page.section) + 1 :].split(".")[0].split("[")[0]
    return page.keys is None or key in page.keys


@pytest.mark.parametrize(("path", "question", "instrument"), DECLARED, ids=IDS)
def test_it_puts_every_declared_question_on_a_form(path, question, instrument):
    assert pattern_of(path) in FORM_PATHS


@pytest.mark.parametrize(("path", "question", "instrument"), DECLARED, ids=IDS)
def test_it_finds_every_declared_question_in_the_schema(path, question, instrument):
    assert _schema_at(path) is not None


@pytest.mark.parametrize(("path", "question", "instrument"), DECLARED, ids=IDS)
def test_it_lists_every_declared_fact_in_the_vocabulary(path, question, instrument):
    if instrument is not None and instrument.is_list:
        assert (instrument.fact is not None) == (instrument.path in VOCABULARY)
    else:
        assert (question.fact is not None) == (question.path in VOCABULARY)


@pytest.mark.parametrize(("path", "question", "instrument"), DECLARED, ids=IDS)
def test_it_counts_every_asked_question_in_the_progress(path, question, instrument):
    slug, value = _asking(question, instrument)
    part = "clinician" if slug == "" else questionnaire.page(slug).section
    asked = progress_questions(part, value)
    assert (path in asked) == question.counted


@pytest.mark.parametrize(("path", "question", "instrument"), DECLARED, ids=IDS)
def test_it_labels_every_declared_question_for_the_summary(path, question, instrument):
    label = question_label(path)
    assert label != path
    assert question.label in label


def test_it_declares_every_answer_field_of_every_form():
    declared = {pattern_of(path) for path in IDS}
    declared |= {i.path for i in questionnaire.instruments()}
    declared |= {r.path for r in questionnaire.row_lists()}
    assert set(FORM_PATHS) <= declared


def test_it_declares_every_labelled_path():
    declared = {pattern_of(path) for path in IDS} | {
        *(i.path for i in questionnaire.instruments()),
        *(r.path for r in questionnaire.row_lists()),
    }
    assert set(LABELS) <= declared | {"intake_date"}


def test_it_declares_every_intake_field_the_rules_read():
    fields = {
        name
        for name in VOCABULARY
        if name.split(".")[0] in {s.name for s in questionnaire.SECTIONS}
    }
    declared = {q.path for q in questionnaire.questions() if q.fact} | {
        i.path for i in questionnaire.instruments() if i.fact
    }
    assert fields == declared - {"intake_date"}


def test_it_refuses_a_question_declared_only_in_the_declaration():
    vitals = questionnaire.section("vitals")
    extra = Question("vitals.temperature", "decimal", "Temperature")
    widened = type(vitals)(
        vitals.name, vitals.title, questions=(*vitals.questions, extra)
    )
    assert _normal(section_schema(widened)) != _normal(SCHEMA["properties"]["vitals"])


def test_it_refuses_a_question_shipped_only_in_the_schema():
    shipped = _normal(SCHEMA["properties"]["vitals"])
    shipped["properties"]["temperature"] = {"type": ["number", "null"]}
    assert _normal(section_schema(questionnaire.section("vitals"))) != shipped
