"""Section 5 of intake-format.md: the normal form that export writes, and equality."""

import json
from collections.abc import Mapping
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any, Final

from screening.intake_format.decimals import as_decimal, is_integral, json_number_text
from screening.intake_format.fields import CHECKLIST_ITEMS, checklist_answers
from screening.intake_format.schema import (
    SCHEMA,
    items_schema,
    resolve,
    types_of,
)

# Dropped from its place: the marker once applied; missing_reasons is written last,
# and only when it holds a reason (section 5, rules 1 and 2).
_NEVER_HERE: Final = frozenset({"checklist_default", "missing_reasons"})
# Absent keys that cannot be null, and what they mean (section 2.2).
_ABSENT_MEANS: Final[dict[str, Any]] = {"other_conditions": [], "ongoing": False}
# Values that keep their value and type whatever their schema (an int is already an
# integer; text, booleans and null are never converted).
_KEPT_AS_THEY_ARE: Final = frozenset({str, bool, int})


def normal_form(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The normal form of a valid document (section 5).

    Every schema key in schema order, unanswered ones as null; both checklists expanded
    with checklist_default applied and the marker dropped; `patient` only when present,
    `*_detail` only when it holds text, `missing_reasons` only when it holds a reason;
    integral numbers in integer fields as int. Other values are kept as they are.
    """
    result = _object(doc, SCHEMA, block=None)
    reasons = doc.get("missing_reasons")
    if reasons:
        result["missing_reasons"] = dict(reasons)
    return result


def documents_equal(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two valid documents are equal: equal normal forms as JSON values."""
    return _json_equal(normal_form(a), normal_form(b))


def dumps(doc: Any, *, indent: int | None = None) -> str:
    """Strict JSON text (RFC 8259) for UTF-8, with each Decimal as an exact number.

    Keys keep their order. NaN, Infinity and unpaired surrogates raise ValueError.
    """
    return _dump(doc, indent, 0)


def _normal(value: Any, schema: Mapping[str, Any]) -> Any:
    if value is None or type(value) in _KEPT_AS_THEY_ARE:
        return value  # most values of a document: no schema to look at (#19)
    resolved = resolve(schema)
    if isinstance(value, Mapping) and "properties" in resolved:
        return _object(value, resolved, block=None)
    if isinstance(value, list):
        item_schema = items_schema(resolved)
        if item_schema is None:
            return list(value)
        return [_normal(item, item_schema) for item in value]
    if "integer" in types_of(resolved) and is_integral(value):
        return int(value)
    return value


def _object(
    value: Mapping[str, Any], schema: Mapping[str, Any], *, block: str | None
) -> dict[str, Any]:
    properties: Mapping[str, Any] = resolve(schema)["properties"]
    # In a history block every checklist item is written, with the default applied.
    answers = checklist_answers(block, value) if block is not None else {}
    result: dict[str, Any] = {}
    for key, sub in properties.items():
        if key in _NEVER_HERE:
            continue
        if key in answers:
            result[key] = _normal(answers[key], sub)
        elif key in CHECKLIST_ITEMS and key in value:
            result[key] = _object(value[key], sub, block=key)
        elif key in value:
            result[key] = _normal(value[key], sub)
        elif key != "patient":
            result[key] = _ABSENT_MEANS.get(key)
    for item in CHECKLIST_ITEMS.get(block or "", {}):
        detail = value.get(f"{item}_detail")
        if isinstance(detail, str):
            result[f"{item}_detail"] = detail
    return result


def _json_equal(a: Any, b: Any) -> bool:
    # Python says True == 1 and Decimal("0.1") != 0.1; JSON values say the opposite.
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float | Decimal) and isinstance(b, int | float | Decimal):
        return as_decimal(a) == as_decimal(b)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_json_equal, a, b))
    return type(a) is type(b) and a == b


def _dump(value: Any, indent: int | None, depth: int) -> str:
    # The common leaves first, written as json.dumps writes them but without an
    # encoder built for each (an import's fingerprint writes about 250 values, #19).
    kind = type(value)
    if kind is str:
        value.encode("utf-8")  # raises on an unpaired surrogate
        return encode_basestring(value)  # what json.dumps(ensure_ascii=False) writes
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a JSON number")
        return json_number_text(value)
    if isinstance(value, str):
        value.encode("utf-8")  # raises on an unpaired surrogate
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        parts = [f"{_key(k)}: {_dump(v, indent, depth + 1)}" for k, v in value.items()]
        return _join("{", parts, "}", indent, depth)
    if isinstance(value, list | tuple):
        parts = [_dump(item, indent, depth + 1) for item in value]
        return _join("[", parts, "]", indent, depth)
    return json.dumps(value, allow_nan=False)


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(f"keys must be str, not {type(key).__name__}")
    return _dump(key, None, 0)


def _join(
    open_: str, parts: list[str], close: str, indent: int | None, depth: int
) -> str:
    if not parts:
        return open_ + close
    if indent is None:
        return open_ + ", ".join(parts) + close
    inner = "\n" + " " * (indent * (depth + 1))
    outer = "\n" + " " * (indent * depth)
    return open_ + inner + ("," + inner).join(parts) + outer + close
