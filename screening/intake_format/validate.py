"""Validation of intake/1 documents and of their sections (intake-format.md 4.1, 4.2).

The importer validates a whole document; the data-entry forms validate one section at
a time. Both run the same schema and the same semantic checks, so they refuse exactly
the same input.
"""

from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any, Final

from screening.intake_format.fields import FORMAT, SECTIONS
from screening.intake_format.issues import ROOT, Issue, describe
from screening.intake_format.plausibility import section_warnings as _warnings_of
from screening.intake_format.schema import SCHEMA, make_validator, schema_issues
from screening.intake_format.semantics import (
    intake_date_issues,
    missing_reason_issues,
    section_issues,
    section_of,
)

# What validate_section accepts: the sections, plus the two top-level fields a form
# edits (intake_date needs `today`; patient holds the MRN).
SECTION_NAMES: Final = ("intake_date", "patient", *SECTIONS)

_DOCUMENT_VALIDATOR: Final = make_validator(SCHEMA)


def validate_document(doc: Any, *, today: date | None) -> list[Issue]:
    """Every reason to refuse the parsed document; [] when it is valid.

    Runs steps 2-4 of section 4.1 in order and stops at the first that fails: the
    format marker, the schema (format checking on), the semantic checks. `today` is
    the day of import or entry; None skips the intake_date-after-today check, for a
    document imported earlier.
    """
    refused = _format_issues(doc)
    if refused:
        return refused
    refused = schema_issues(_DOCUMENT_VALIDATOR, doc)
    if refused:
        return refused
    intake_date = date.fromisoformat(doc["intake_date"])
    refused = intake_date_issues(intake_date, today)
    for name in SECTIONS:
        refused += section_issues(name, doc[name], intake_date=intake_date)
    return refused + missing_reason_issues(doc, doc.get("missing_reasons", {}))


def validate_section(
    name: str,
    value: Any,
    *,
    intake_date: date,
    today: date | None,
    age: int | None = None,
    missing_reasons: Mapping[str, str] | None = None,
) -> list[Issue]:
    """Every reason to refuse one section, with full paths (`vitals.bp_diastolic`).

    `name` is a key of fields.SECTIONS, or "intake_date" (`value` is the date text,
    checked against `today`) or "patient". `missing_reasons` is the document's
    reasons; those for this section's fields are checked against `value`. `age` is
    taken for symmetry with section_warnings: no refusal depends on it.
    """
    del age
    reasons = {
        key: reason
        for key, reason in (missing_reasons or {}).items()
        if section_of(key) == name
    }
    refused = schema_issues(
        _section_validator(name), {name: value, "missing_reasons": reasons}
    )
    if refused:
        return refused
    if name == "intake_date":
        refused = intake_date_issues(date.fromisoformat(value), today)
    else:
        refused = section_issues(name, value, intake_date=intake_date)
    return refused + missing_reason_issues({name: value}, reasons)


def warnings_for(doc: Mapping[str, Any]) -> list[Issue]:
    """Every section 4.2 warning of a document that validate_document accepted."""
    intake_date = date.fromisoformat(doc["intake_date"])
    age = int(doc["demographics"]["age"])
    names = [name for name in SECTION_NAMES if name in doc]
    warnings: list[Issue] = []
    for name in names:
        warnings += section_warnings(
            name,
            doc[name],
            intake_date=intake_date,
            age=age,
            medical_history=doc["medical_history"],
        )
    return warnings


def section_warnings(
    name: str,
    value: Any,
    *,
    intake_date: date,
    age: int | None,
    medical_history: Mapping[str, Any] | None = None,
) -> list[Issue]:
    """The section 4.2 warnings of one section that validate_section accepted.

    `age` (demographics.age) dates the birth year; `medical_history` is needed only
    for the allergies section (an allergy to ketamine with the checklist item false).
    Without them, the checks that need them are skipped.
    """
    _check_name(name)
    return _warnings_of(
        name, value, intake_date=intake_date, age=age, medical_history=medical_history
    )


def _format_issues(doc: Any) -> list[Issue]:
    # Step 2: the format marker is checked before anything else (section 1).
    if not isinstance(doc, dict):
        return [Issue(ROOT, "the document must be a JSON object")]
    if "format" not in doc:
        return [Issue("format", f'is missing (this app reads "{FORMAT}" documents)')]
    if doc["format"] != FORMAT or not isinstance(doc["format"], str):
        shown = describe(doc["format"])
        return [
            Issue("format", f"unsupported format {shown} (this app reads {FORMAT})")
        ]
    return []


@cache
def _section_validator(name: str) -> Any:
    _check_name(name)
    properties = SCHEMA["properties"]
    schema = {
        "$schema": SCHEMA["$schema"],
        "$defs": SCHEMA["$defs"],
        "type": "object",
        "properties": {
            name: properties[name],
            "missing_reasons": properties["missing_reasons"],
        },
    }
    return make_validator(schema)


def _check_name(name: str) -> None:
    if name not in SECTION_NAMES:
        allowed = ", ".join(SECTION_NAMES)
        raise ValueError(f"unknown section {name!r}; expected one of {allowed}")
