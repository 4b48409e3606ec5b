"""intake/1 test documents for import and export, the vignettes, and row counts."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from screening.intake_format import parse_json

HERE = Path(__file__).resolve().parent
# /work/shared/vignettes beside the repository; a fresh clone has none, so those skip.
VIGNETTES = Path(__file__).resolve().parents[2].parent / "shared" / "vignettes"
# Every document here has an intake_date on or before this day.
TODAY = date(2026, 11, 25)

DOCUMENT_NAMES = sorted(path.name for path in HERE.glob("*.json"))


def read(name: str) -> bytes:
    return (HERE / name).read_bytes()


def loads(raw: bytes) -> dict[str, Any]:
    """Parse a file the way the importer does (decimals exact), without validating."""
    document: dict[str, Any] = parse_json(raw)
    return document


def vignette_params() -> list[Any]:
    """One pytest param per vignette, or one skipped param when the folder is absent."""
    files = sorted(VIGNETTES.glob("V*.json")) if VIGNETTES.is_dir() else []
    if not files:
        reason = f"no shared vignettes at {VIGNETTES} (a fresh clone has none)"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="none")]
    return [pytest.param(path, id=path.name.split("-")[0]) for path in files]


def with_patient(path: Path) -> bytes:
    """A vignette (anonymous) with a patient MRN named after its case id, as bytes."""
    text = path.read_text(encoding="utf-8")
    # Insert the key textually so the numbers keep their exact JSON text.
    case_id = path.name.split("-")[0]
    head, brace, rest = text.partition("{")
    return f'{head}{brace}"patient": {json.dumps({"mrn": case_id})}, {rest}'.encode()


def row_counts() -> dict[str, int]:
    """Rows in every table an import could touch: all screening models and users."""
    models = [*apps.get_app_config("screening").get_models(), get_user_model()]
    return {model._meta.label: model.objects.count() for model in models}
