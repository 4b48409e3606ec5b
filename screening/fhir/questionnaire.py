"""One FHIR Questionnaire generated from the declaration (screening/questionnaire/).

linkIds are the declaration's paths: `vitals.bp_systolic`; an instrument's items
`scales.phq9[8]` or `substance_use.audit_c.q2`; a list is a repeating group
(`medications`) whose columns are `medications[].name`. Every "asked only if" is an
`enableWhen` (with `enableBehavior` when it has several tests). Licensed instruments
keep the app's topic labels and carry their licence note (rule book §9).
"""

from typing import Any

from fhir.resources.R4B.questionnaire import Questionnaire

from screening import questionnaire as declared
from screening.fhir import codes
from screening.fhir.layout import entries
from screening.questionnaire.model import (
    CHOICE,
    DATE,
    DECIMAL,
    EVENT_DATE,
    INTEGER,
    LINES,
    TEXT,
    YES_NO,
    Condition,
    Instrument,
    Question,
    RowList,
    Section,
    When,
)
from screening.questionnaire.sections.basics import INTAKE_DATE

# The FHIR item type of each kind of answer. An event date (a date, or false for
# "never") is a date item; "never" is answered `valueBoolean: false` (docs/fhir.md).
ITEM_TYPES = {
    YES_NO: "boolean",
    INTEGER: "integer",
    DECIMAL: "decimal",
    CHOICE: "choice",
    DATE: "date",
    EVENT_DATE: "date",
    TEXT: "string",
    LINES: "string",
}


def questionnaire() -> Questionnaire:
    """The questionnaire, validated through the fhir.resources R4B model."""
    return Questionnaire.model_validate(questionnaire_json())


def questionnaire_json() -> dict[str, Any]:
    return {
        "resourceType": "Questionnaire",
        "meta": {"tag": [codes.VERSION_TAG]},
        "url": codes.QUESTIONNAIRE_URL,
        "version": "1",
        "name": "KetamineIntakeScreening",
        "title": "Ketamine-assisted therapy intake and screening (intake/1)",
        "status": "active",
        "subjectType": ["Patient"],
        "description": (
            "The intake the clinic's staff and clinicians record; generated from the "
            "app's declaration. It screens for contraindications; it never doses or "
            "prescribes."
        ),
        "copyright": "\n\n".join(
            f"{each.name}: {each.licence}" for each in declared.instruments()
        ),
        "item": [question_item(INTAKE_DATE, INTAKE_DATE.path)]
        + [_section(section) for section in declared.SECTIONS],
    }


def _section(section: Section) -> dict[str, Any]:
    if section.is_list:
        return {**_rows(section.lists[0]), "text": section.title}
    return {
        "linkId": section.name,
        "type": "group",
        "text": section.title,
        "item": [_entry(entry) for entry in entries(section)],
    }


def _entry(entry: Question | RowList | Instrument) -> dict[str, Any]:
    if isinstance(entry, RowList):
        return _rows(entry)
    if isinstance(entry, Instrument):
        return _instrument(entry)
    return question_item(entry, entry.path)


def _rows(rows: RowList) -> dict[str, Any]:
    return {
        "linkId": rows.path,
        "type": "group",
        "text": rows.label,
        "repeats": True,
        "extension": [_entered_by(rows.entry)],
        "item": [question_item(column, column.path) for column in rows.row],
    }


def _instrument(each: Instrument) -> dict[str, Any]:
    licence = {
        "linkId": f"{each.path}#licence",
        "type": "display",
        "text": f"Licence (rule book §9): {each.licence}",
    }
    if each.scoring.method == "total_only":
        # MADRS: the total is the one question; the items are never reproduced.
        item = question_item(each.items[0], each.path)
        return {**item, "item": [*item.get("item", []), licence]}
    extensions = [_entered_by(each.entry)]
    if each.topics_only:
        extensions.append({"url": codes.TOPICS_ONLY, "valueBoolean": True})
    group: dict[str, Any] = {
        "linkId": each.path,
        "type": "group",
        "text": each.title,
        "extension": extensions,
        "item": [licence]
        + [
            question_item(item, each.item_path(index), prefix=str(index + 1))
            for index, item in enumerate(each.items)
        ],
    }
    if each.panel_codes:
        group["code"] = [codes.coding(code) for code in each.panel_codes]
    return group


def question_item(
    question: Question, link_id: str, *, prefix: str = ""
) -> dict[str, Any]:
    """One question's item: type, options, unit, range, condition and who enters it."""
    item: dict[str, Any] = {
        "linkId": link_id,
        "type": ITEM_TYPES[question.kind],
        "text": question.label,
    }
    if question.number or prefix:
        item["prefix"] = question.number or prefix
    if question.codes:
        item["code"] = [codes.coding(code) for code in question.codes]
    if question.kind == LINES:
        item["repeats"] = True
    if question.kind == CHOICE:
        item["answerOption"] = [
            _option(question, option.value) for option in question.options
        ]
    item["extension"] = [_entered_by(question.entry), *_bounds(question)]
    if question.asked_if is not None:
        item |= enable_when(question.asked_if)
    if question.help:
        item["item"] = [_help(link_id, question.help)]
    return item


def _option(question: Question, value: Any) -> dict[str, Any]:
    option = next(o for o in question.options if o.value == value)
    coding = codes.option_coding(question, option)
    if isinstance(value, int) and not isinstance(value, bool):
        coding["extension"] = [{"url": codes.ORDINAL, "valueDecimal": value}]
    return {"valueCoding": coding}


def _bounds(question: Question) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if question.unit:
        found.append(
            {
                "url": codes.UNIT_EXTENSION,
                "valueCoding": codes.unit_coding(question.unit),
            }
        )
    if question.kind not in (INTEGER, DECIMAL):
        return found
    value = "valueInteger" if question.kind == INTEGER else "valueDecimal"
    # An exclusive minimum (a dose above 0) has no FHIR form: only the maximum.
    if question.minimum is not None and not question.exclusive_minimum:
        found.append({"url": codes.MIN_VALUE, value: question.minimum})
    if question.maximum is not None:
        found.append({"url": codes.MAX_VALUE, value: question.maximum})
    return found


def _entered_by(entry: str) -> dict[str, Any]:
    return {"url": codes.ENTERED_BY, "valueCode": entry}


def _help(link_id: str, text: str) -> dict[str, Any]:
    control = {
        "system": "http://hl7.org/fhir/questionnaire-item-control",
        "code": "help",
    }
    return {
        "linkId": f"{link_id}#help",
        "type": "display",
        "text": text,
        "extension": [
            {"url": codes.ITEM_CONTROL, "valueCodeableConcept": {"coding": [control]}}
        ],
    }


def enable_when(condition: Condition) -> dict[str, Any]:
    """The condition as FHIR: one enableWhen per test, combined by enableBehavior."""
    found: dict[str, Any] = {"enableWhen": [_when(when) for when in condition.whens]}
    if len(condition.whens) > 1:
        found["enableBehavior"] = condition.behavior
    return found


def _when(when: When) -> dict[str, Any]:
    if when.value is None:
        # `!= None`: the question has an answer; `= None`: it has none.
        return {
            "question": when.path,
            "operator": "exists",
            "answerBoolean": when.operator == "!=",
        }
    target = declared.question(when.path)
    if target is None:
        raise LookupError(f"an 'asked only if' reads an undeclared path: {when.path}")
    return {
        "question": when.path,
        "operator": when.operator,
        **_typed(target, when.value),
    }


def _typed(question: Question, value: Any) -> dict[str, Any]:
    if question.kind == CHOICE:
        return {"answerCoding": _option(question, value)["valueCoding"]}
    if isinstance(value, bool):
        return {"answerBoolean": value}
    if isinstance(value, int):
        return {"answerInteger": value}
    return {"answerString": str(value)}
