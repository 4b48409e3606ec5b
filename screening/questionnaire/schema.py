"""The intake/1 JSON Schema each declared section implies.

intake.schema.json stays a shipped file (intake-format.md is its authority); a test
compares it with what this module derives, so the declaration and the format cannot
drift apart silently.
"""

from typing import Any, Final

from screening import questionnaire
from screening.questionnaire.model import (
    CHOICE,
    DATE,
    DECIMAL,
    EVENT_DATE,
    INTEGER,
    LINES,
    TEXT,
    YES_NO,
    Instrument,
    Question,
    RowList,
    Section,
)
from screening.questionnaire.sections.basics import INTAKE_DATE

_DEFS: Final = "#/$defs/"
# intake-format.md §1 erratum: every list holds at most 50 entries.
MAX_LIST_ITEMS: Final = 50


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"{_DEFS}{name}"}


def _typed(name: str, nullable: bool) -> dict[str, Any]:
    return {"type": [name, "null"] if nullable else name}


def question_schema(question: Question) -> dict[str, Any]:
    """The schema of one answer."""
    kind, nullable = question.kind, question.nullable
    if kind == YES_NO:
        return _ref("yes_no") if nullable else {"type": "boolean"}
    if kind == DATE:
        return _ref("date_or_null" if nullable else "date")
    if kind == EVENT_DATE:
        return _ref("event_date")
    if kind == TEXT:
        return _ref("text_or_null" if nullable else "text")
    if kind == LINES:
        return {"type": "array", "items": _ref("text")}
    numbered = kind == CHOICE and all(
        isinstance(o.value, int) for o in question.options
    )
    if kind in (INTEGER, DECIMAL) or numbered:
        found = _typed("number" if kind == DECIMAL else "integer", nullable)
        bound = "exclusiveMinimum" if question.exclusive_minimum else "minimum"
        if question.minimum is not None:
            found[bound] = question.minimum
        if question.maximum is not None:
            found["maximum"] = question.maximum
        return found
    values: list[Any] = [o.value for o in question.options]
    return {"enum": [*values, None] if nullable else values}


def _object(
    properties: dict[str, Any], required: list[str], *, nullable: bool = False
) -> dict[str, Any]:
    return {
        **_typed("object", nullable),
        "additionalProperties": False,
        "required": required,
        "properties": properties,
    }


def rows_schema(rows: RowList) -> dict[str, Any]:
    """A list answer: null = not asked, [] = none, at most 50 rows."""
    row = _object(
        {c.name: question_schema(c) for c in rows.row},
        [c.name for c in rows.row if c.required],
    )
    return {
        **_typed("array", True),
        "maxItems": rows.max_items,
        "items": row,
    }


def _skip_rules(instrument: Instrument) -> list[dict[str, Any]]:
    """An item not asked is null: `if` its condition fails, `then` it is null."""
    rules: dict[tuple[str, Any], list[str]] = {}
    for item in instrument.items:
        condition = item.asked_if
        if condition is None or item.not_asked_value is not None:
            continue
        when = condition.whens[0]
        rules.setdefault((when.path.rsplit(".", 1)[1], when.value), []).append(
            item.name
        )
    found = []
    for (name, value), skipped in rules.items():
        other = [o for o in (True, False) if o != value]
        found.append(
            {
                "if": {
                    "required": [name],
                    "properties": {name: {"enum": [*other, None]}},
                },
                "then": {"properties": {n: {"type": "null"} for n in skipped}},
            }
        )
    return found


def instrument_schema(instrument: Instrument) -> dict[str, Any]:
    """A list of item scores, an object of named items, or a total."""
    if instrument.scoring.method == "total_only":
        return question_schema(instrument.items[0])
    if instrument.is_list:
        item = question_schema(instrument.items[0])
        return {
            **_typed("array", True),
            "minItems": instrument.length,
            "maxItems": instrument.length,
            "items": item,
        }
    found = _object(
        {q.name: question_schema(q) for q in instrument.items},
        [q.name for q in instrument.items if q.required],
        nullable=True,
    )
    rules = _skip_rules(instrument)
    return {**found, "allOf": rules} if rules else found


def section_schema(section: Section) -> dict[str, Any]:
    """The schema of a whole section, as intake/1 nests it."""
    if section.is_list:
        return rows_schema(section.lists[0])
    entries: dict[str, tuple[Any, bool]] = {}
    for each in section.instruments:
        entries[each.path.split(".")[1]] = (instrument_schema(each), each.required)
    for rows in section.lists:
        entries[rows.path.split(".")[1]] = (rows_schema(rows), rows.required)
    for question in section.questions:
        entries[question.name] = (question_schema(question), question.required)
    properties = {name: schema for name, (schema, _required) in entries.items()}
    if section.is_checklist:
        return _checklist_schema(section, properties)
    return _object(properties, [n for n, (_s, required) in entries.items() if required])


def _checklist_schema(section: Section, properties: dict[str, Any]) -> dict[str, Any]:
    """A checklist: `checklist_default`, its items, and each item's optional note."""
    items = [q.name for q in section.questions if q.no_value is not None]
    notes = {f"{item}_detail" for item in items}
    note = next(q for q in section.questions if q.name in notes)
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "checklist_default": {"const": "all_false"},
            **{k: v for k, v in properties.items() if k not in notes},
        },
        "patternProperties": {
            f"^({'|'.join(items)})_detail$": question_schema(note),
        },
    }


def implied_schemas() -> dict[str, dict[str, Any]]:
    """The schema of the intake date and of each section, by top-level key."""
    found = {INTAKE_DATE.path: question_schema(INTAKE_DATE)}
    found |= {s.name: section_schema(s) for s in questionnaire.SECTIONS}
    return found


def empty_value(section: Section) -> Any:
    """A section nobody has answered yet: its required keys, each null.

    A list section is null (not asked); a checklist is {} (every item unanswered).
    """
    if section.is_list:
        return None
    schema = section_schema(section)
    return dict.fromkeys(schema.get("required", ()))
