"""The intake/1 document: schema, parsing, validation, warnings, normal form.

Pure Python (no Django), shared by the importer, the exporter and the data-entry forms.
"""

from datetime import date
from typing import Any

from screening.intake_format.issues import DocumentInvalid, Issue
from screening.intake_format.normal_form import documents_equal, dumps, normal_form
from screening.intake_format.parse import parse_json
from screening.intake_format.schema import SCHEMA
from screening.intake_format.validate import (
    section_warnings,
    validate_document,
    validate_section,
    warnings_for,
)

__all__ = [
    "SCHEMA",
    "DocumentInvalid",
    "Issue",
    "documents_equal",
    "dumps",
    "load_document",
    "normal_form",
    "parse_json",
    "section_warnings",
    "validate_document",
    "validate_section",
    "warnings_for",
]


def load_document(raw: bytes | str, *, today: date | None) -> dict[str, Any]:
    """Parse and validate one intake/1 file; return the parsed document unchanged.

    Raises DocumentInvalid listing every issue. The document is never repaired.
    """
    doc: dict[str, Any] = parse_json(raw)
    issues = validate_document(doc, today=today)
    if issues:
        raise DocumentInvalid(issues)
    return doc
