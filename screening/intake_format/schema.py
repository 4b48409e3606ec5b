"""Step 3 of intake-format.md 4.1: the intake/1 schema, its validator and its errors."""

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

from jsonschema import (  # type: ignore[import-untyped]
    Draft202012Validator,
    validators,
)

from screening.intake_format.decimals import is_integral, is_json_number
from screening.intake_format.issues import Issue, dedupe, describe, format_path

SCHEMA: Final[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "intake.schema.json").read_text(encoding="utf-8")
)

_DEFS_REF = "#/$defs/"
_DATE_SHAPE = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")
# Items 5 and 6 of the medical checklist: a date, false (never) or null (section 3.5).
_EVENT_DATE = "a date (YYYY-MM-DD), false (never had it) or null (not answered)"
_EVENT_DATE_NOTE = "an event date is a date, false for never, or null"
_TYPE_WORDS: Final = {
    "integer": ["an integer"],
    "number": ["a number"],
    "string": ["text"],
    "boolean": ["true", "false"],
    "null": ["null"],
    "array": ["a list"],
    "object": ["an object"],
}


def _is_integer(_checker: Any, instance: Any) -> bool:
    # Decimal("45.0") and 45.0 are integers, as JSON Schema counts 45.0 (section 2.5).
    return is_integral(instance)


def _is_number(_checker: Any, instance: Any) -> bool:
    # Finite only: NaN compares false with every bound and would pass them.
    return is_json_number(instance)


_Validator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"integer": _is_integer, "number": _is_number}
    ),
)


def make_validator(schema: Mapping[str, Any]) -> Any:
    """A Draft 2020-12 validator with format checking on and Decimal-aware types.

    The validator is given the schema with its local `$ref`s replaced by the schemas
    they name: following a reference (a registry look-up and a validator for the
    target) was about 40 % of a document's validation (#19). The errors are the
    same: every `$ref` of intake/1 stands alone in its object, none is recursive,
    and jsonschema leaves `$ref` out of an error's schema path.
    """
    defs: Mapping[str, Any] = schema.get("$defs", {})
    return _Validator(
        _inlined(schema, defs, {}),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _inlined(node: Any, defs: Mapping[str, Any], done: dict[str, Any]) -> Any:
    """The node with each lone `#/$defs/...` reference replaced by its (inlined)
    definition; one object per definition, however often it is referenced."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if len(node) == 1 and isinstance(ref, str) and ref.startswith(_DEFS_REF):
            name = ref.removeprefix(_DEFS_REF)
            if name not in done:
                done[name] = _inlined(defs[name], defs, done)
            return done[name]
        return {key: _inlined(value, defs, done) for key, value in node.items()}
    if isinstance(node, list):
        return [_inlined(item, defs, done) for item in node]
    return node


def schema_issues(validator: Any, instance: Any) -> list[Issue]:
    """Every schema error of the instance, as issues at rule-book paths."""
    issues: list[Issue] = []
    for error in validator.iter_errors(instance):
        issues.extend(_issues_of(error))
    return dedupe(issues)


# Walking the schema beside a document.


def resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow local `$ref`s to the schema they name."""
    while "$ref" in schema:
        ref: str = schema["$ref"]
        schema = SCHEMA["$defs"][ref.removeprefix(_DEFS_REF)]
    return schema


def types_of(schema: Mapping[str, Any]) -> frozenset[str]:
    """The JSON types the schema's `type` keyword allows (empty when it has none)."""
    declared = resolve(schema).get("type", [])
    return frozenset([declared] if isinstance(declared, str) else declared)


def allows_null(schema: Mapping[str, Any]) -> bool:
    """Whether `null` is a valid value under this schema."""
    resolved = resolve(schema)
    if "null" in types_of(resolved):
        return True
    if "enum" in resolved:
        return None in resolved["enum"]
    return any(allows_null(option) for option in resolved.get("anyOf", []))


def property_schema(schema: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    """The schema of `key` inside an object schema, or None if the key is unknown."""
    resolved = resolve(schema)
    properties: Mapping[str, Any] = resolved.get("properties", {})
    if key in properties:
        return properties[key]  # type: ignore[no-any-return]
    for pattern, sub in resolved.get("patternProperties", {}).items():
        if re.search(pattern, key):
            return sub  # type: ignore[no-any-return]
    return None


def items_schema(schema: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The schema of a list's items, or None if the schema is not a list's."""
    return resolve(schema).get("items")


def is_text_schema(schema: Mapping[str, Any]) -> bool:
    """A free-text field (`text`, `text_or_null`, `patient.mrn`)."""
    resolved = resolve(schema)
    return "string" in types_of(resolved) and "minLength" in resolved


# Schema errors as issues.


def _issues_of(error: Any, *, note: str | None = None) -> Iterator[Issue]:
    path: list[str | int] = list(error.absolute_path)
    kind: str = error.validator
    instance = error.instance
    schema: Mapping[str, Any] = error.schema
    if kind == "required":
        for key in error.validator_value:
            if key not in instance:
                yield Issue(format_path([*path, key]), _missing_message(schema, key))
    elif kind == "additionalProperties":
        for key in instance:
            if property_schema(schema, key) is None:
                yield Issue(format_path([*path, key]), _unknown_key_message(key))
    elif kind == "anyOf":
        # The event date (a date, false or null): explain the date alternative.
        in_date = [each for each in error.context if each.relative_schema_path[0] == 0]
        for each in in_date:
            yield from _issues_of(each, note=_EVENT_DATE_NOTE)
        if not in_date:
            yield Issue(format_path(path), error.message)
    elif kind == "pattern" and "propertyNames" in error.schema_path:
        yield Issue(
            format_path([*path, instance]),
            "is not a field path: write it as the rule book does, with the section "
            'names in full, e.g. "vitals.bp_systolic" or "scales.phq9[8]"',
        )
    else:
        yield Issue(format_path(path), _message(error, note))


def _message(error: Any, note: str | None) -> str:
    kind: str = error.validator
    value: Any = error.validator_value
    instance = error.instance
    shown = describe(instance)
    if kind == "type" and "then" in error.schema_path:
        return _branching_message(str(error.path[-1]), shown)
    if kind == "type" and note is not None:
        return f"expected {_EVENT_DATE}, got {shown}"
    messages = {
        "type": lambda: f"expected {_type_words(error.schema)}, got {shown}",
        "enum": lambda: f"{shown} is not one of {', '.join(map(describe, value))}",
        "const": lambda: f"must be {describe(value)}, got {shown}",
        "minimum": lambda: f"{shown} is less than the minimum of {value}",
        "maximum": lambda: f"{shown} is greater than the maximum of {value}",
        "exclusiveMinimum": lambda: f"{shown} must be greater than {value}",
        "exclusiveMaximum": lambda: f"{shown} must be less than {value}",
        "minLength": lambda: _empty_text_message(error.schema),
        "maxLength": lambda: (
            f"is {len(instance)} characters long; the most allowed is {value}"
        ),
        "minItems": lambda: _count_message(error.schema, instance),
        "maxItems": lambda: _count_message(error.schema, instance),
    }
    if kind in ("pattern", "format") and error.schema.get("format") == "date":
        return _date_message(instance, note)
    make = messages.get(kind)
    return make() if make is not None else str(error.message)


def _type_words(schema: Mapping[str, Any]) -> str:
    words: list[str] = []
    for name in sorted(types_of(schema), key=list(_TYPE_WORDS).index):
        is_date = name == "string" and schema.get("format") == "date"
        words += ["a date (YYYY-MM-DD)"] if is_date else _TYPE_WORDS[name]
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} or {words[-1]}"


def _missing_message(schema: Mapping[str, Any], key: str) -> str:
    sub = property_schema(schema, key)
    if sub is not None and allows_null(sub):
        return "is missing: the key is required (write null when it was not answered)"
    return "is missing: the key is required"


def _unknown_key_message(key: str) -> str:
    if key.endswith("_detail"):
        return (
            "is not a key of intake/1: a *_detail key must name a checklist item "
            "of this block"
        )
    return "is not a key of intake/1 (unknown keys are refused)"


def _empty_text_message(schema: Mapping[str, Any]) -> str:
    message = f"is empty: text has 1 to {schema.get('maxLength')} characters"
    return f"{message} (write null for no text)" if allows_null(schema) else message


def _count_message(schema: Mapping[str, Any], instance: list[Any]) -> str:
    low, high = schema.get("minItems"), schema.get("maxItems")
    if low == high:
        return f"has {len(instance)} items; it must have exactly {low}"
    if low is not None and len(instance) < low:
        return f"has {len(instance)} items; it must have at least {low}"
    # A list longer than intake/1 allows (intake-format.md §1's "at most 50
    # entries"); the section forms say the same beside the list.
    return f"has {len(instance)} entries; it may have at most {high} entries"


def _date_message(instance: Any, note: str | None) -> str:
    shown = describe(instance)
    if isinstance(instance, str) and _DATE_SHAPE.fullmatch(instance):
        message = f"{shown} is not a real calendar date"
    else:
        message = f"{shown} is not a date written YYYY-MM-DD"
    return f"{message} ({note})" if note is not None else message


def _branching_message(field: str, shown: str) -> str:
    # intake-format.md 3.11: a question that was not asked is stored as null.
    gate = "q6" if field == "q6_within_3_months" else "q2"
    return (
        f"must be null when {gate} is false or null ({field} is asked only after "
        f"a yes to {gate}), got {shown}"
    )
