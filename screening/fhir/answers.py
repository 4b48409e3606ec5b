"""An intake/1 document as QuestionnaireResponse items, shaped like the Questionnaire.

A question not asked (its "asked only if" fails) has no item, as FHIR's enableWhen
requires; an unanswered one has an item only when intake/1 records why (its
`missing_reasons` entry, as a data-absent-reason). A list's rows are repeats of its
group, in order; an instrument not administered has no group.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from screening import questionnaire as declared
from screening.fhir import codes
from screening.fhir.layout import entries
from screening.questionnaire.branching import checklist_answers
from screening.questionnaire.model import (
    CHOICE,
    DATE,
    DECIMAL,
    EVENT_DATE,
    INTEGER,
    LINES,
    YES_NO,
    Instrument,
    Question,
    RowList,
    Section,
)
from screening.questionnaire.paths import flatten, relative_to_section
from screening.questionnaire.sections.basics import INTAKE_DATE

Item = dict[str, Any]


def response_items(document: Mapping[str, Any]) -> list[Item]:
    """The document's answers as items (linkId = the declared path)."""
    reasons: Mapping[str, str] = document.get("missing_reasons") or {}
    found = _question(INTAKE_DATE, INTAKE_DATE.path, document.get("intake_date"), {})
    items = [found] if found else []
    for section in declared.SECTIONS:
        items += _section(section, document.get(section.name), reasons)
    return items


def _section(section: Section, value: Any, reasons: Mapping[str, str]) -> list[Item]:
    if section.is_list:
        return _rows(section.lists[0], value, reasons)
    value = dict(value or {})
    if section.is_checklist:
        # Rules read an unlisted item as `checklist_default` gives it: so does FHIR.
        value |= checklist_answers(section.name, value)
    answers = dict(flatten(value, section.name))
    children: list[Item] = []
    for entry in entries(section):
        key = relative_to_section(section.name, entry.path)[0]
        if isinstance(entry, RowList):
            children += _rows(entry, value.get(str(key)), reasons)
        elif isinstance(entry, Instrument):
            children += _instrument(entry, value.get(str(key)), answers, reasons)
        else:
            found = _question(entry, entry.path, value.get(str(key)), reasons, answers)
            children += [found] if found else []
    if not children:
        return []
    return [{"linkId": section.name, "text": section.title, "item": children}]


def _rows(rows: RowList, value: Any, reasons: Mapping[str, str]) -> list[Item]:
    """One repeat of the list's group per row; none for "not asked" or no rows."""
    found = []
    for index, row in enumerate(value or []):
        answers = {column.path: row.get(column.name) for column in rows.row}
        items = []
        for column in rows.row:
            full = f"{rows.path}[{index}].{column.name}"
            item = _question(
                column, column.path, row.get(column.name), reasons, answers, full
            )
            items += [item] if item else []
        found.append({"linkId": rows.path, "text": rows.label, "item": items})
    return found


def _instrument(
    each: Instrument,
    value: Any,
    answers: Mapping[str, Any],
    reasons: Mapping[str, str],
) -> list[Item]:
    if each.scoring.method == "total_only":
        found = _question(each.items[0], each.path, value, reasons)
        return [found] if found else []
    if value is None:  # not administered
        return []
    items = []
    for index, item in enumerate(each.items):
        path = each.item_path(index)
        answer = value[index] if each.is_list else value.get(item.name)
        asked = _question(item, path, answer, reasons, answers)
        items += [asked] if asked else []
    return [{"linkId": each.path, "text": each.title, "item": items}]


def _question(
    question: Question,
    link_id: str,
    value: Any,
    reasons: Mapping[str, str],
    answers: Mapping[str, Any] | None = None,
    full_path: str = "",
) -> Item | None:
    if answers is not None and not declared.asked(question, answers):
        return None
    item: Item = {"linkId": link_id, "text": question.label}
    found = answer_values(question, value)
    if found:
        item["answer"] = found
        return item
    reason = reasons.get(full_path or link_id)
    if reason is None:
        return None
    code = codes.ABSENT_CODES.get(reason, "unknown")
    item["extension"] = [{"url": codes.DATA_ABSENT, "valueCode": code}]
    return item


def answer_values(question: Question, value: Any) -> list[dict[str, Any]]:
    """The stored answer as FHIR answer values; [] when unanswered."""
    if value is None or value == "" or value == []:
        return []
    if question.kind == LINES:
        return [{"valueString": line} for line in value if line]
    return [_value(question, value)]


def _value(question: Question, value: Any) -> dict[str, Any]:
    if question.kind == CHOICE:
        return {"valueCoding": codes.value_coding(question, value)}
    if question.kind == YES_NO or isinstance(value, bool):
        # An event date's `false` is "never": FHIR has no date-or-never type.
        return {"valueBoolean": bool(value)}
    if question.kind == INTEGER:
        return {"valueInteger": int(value)}
    if question.kind == DECIMAL:
        return {"valueDecimal": Decimal(str(value))}
    if question.kind in (DATE, EVENT_DATE):
        return {"valueDate": str(value)}
    return {"valueString": str(value)}
