"""Which questions a page asks for a given value: what progress counts as unanswered.

A question counts when it is declared `counted` (not a note or an optional detail) and
its "asked only if" condition holds. A list counts as one question until it is asked,
then each row's counted columns; an instrument every intake expects counts as one
question until it is administered, then each item it asks.
"""

from collections.abc import Mapping
from typing import Any

from screening.questionnaire import asked, section
from screening.questionnaire.model import Instrument, Page, RowList

ALL_FALSE = "all_false"


def checklist_items(block_name: str) -> dict[str, Any]:
    """A checklist's items, each with the value `checklist_default` gives it."""
    return {
        item.name: item.no_value
        for item in section(block_name).questions
        if item.no_value is not None
    }


def checklist_answers(block_name: str, block: Mapping[str, Any]) -> dict[str, Any]:
    """Every checklist item of a history block, as the rules read it (section 2.3).

    A listed item keeps its value, an explicit null included. An unlisted item is its
    "no" value under `checklist_default: "all_false"`, and null otherwise.
    """
    all_false = block.get("checklist_default") == ALL_FALSE
    return {
        item: block.get(item, no if all_false else None)
        for item, no in checklist_items(block_name).items()
    }


def _key(page: Page, path: str) -> str:
    return path[len(page.section) + 1 :].split(".")[0].split("[")[0]


def _on_page(page: Page, path: str) -> bool:
    return page.keys is None or _key(page, path) in page.keys


def _rows(rows: RowList, value: Any) -> dict[str, Any]:
    if value is None:
        return {rows.path: None}
    return {
        f"{rows.path}[{index}].{column.name}": row.get(column.name)
        for index, row in enumerate(value)
        for column in rows.row
        if column.counted
    }


def _instrument(each: Instrument, value: Any) -> dict[str, Any]:
    if each.scoring.method == "total_only":
        total = each.items[0]
        return {each.path: value} if total.counted else {}
    if value is None:
        return {each.path: None} if each.expected else {}
    if each.is_list:
        return {f"{each.path}[{index}]": item for index, item in enumerate(value)}
    answers = {f"{each.path}.{key}": answer for key, answer in value.items()}
    return {
        item.path: value.get(item.name)
        for item in each.items
        if item.counted and asked(item, answers)
    }


def page_answers(page: Page, value: Any) -> dict[str, Any]:
    """The counted questions the page asks, full path -> answer (None: unanswered)."""
    declared = section(page.section)
    if declared.is_list:
        return _rows(declared.lists[0], value)
    value = value or {}
    if declared.is_checklist:
        value = {**value, **checklist_answers(declared.name, value)}
    answers = {f"{declared.name}.{key}": answer for key, answer in value.items()}
    found = {
        q.path: value.get(q.name)
        for q in declared.questions
        if q.counted and _on_page(page, q.path) and asked(q, answers)
    }
    for each in declared.instruments:
        if _on_page(page, each.path):
            found |= _instrument(each, value.get(_key(page, each.path)))
    for rows in declared.lists:
        found |= _rows(rows, value.get(_key(page, rows.path)))
    return found


def follow_ups(instrument: Instrument) -> dict[str, tuple[str, ...]]:
    """The items asked only after a "yes" to another: `{"q2": ("q3", "q4", "q5")}`."""
    found: dict[str, tuple[str, ...]] = {}
    for item in instrument.items:
        condition = item.asked_if
        if condition is None or len(condition.whens) != 1:
            continue
        when = condition.whens[0]
        if when.operator == "=" and when.value is True:
            parent = when.path.rsplit(".", 1)[1]
            found[parent] = (*found.get(parent, ()), item.name)
    return found
