"""Intakes imported from the vignette copies in tests/vignettes/, and their bundles."""

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from screening.models import Intake
from screening.services import fhir_exports, imports

VIGNETTES = Path(__file__).resolve().parents[1] / "vignettes"
CASES = sorted(path.name for path in VIGNETTES.glob("V*.json"))
# On or after every vignette's intake date.
TODAY = date(2026, 11, 25)


def expected(name: str) -> dict[str, Any]:
    return json.loads((VIGNETTES / "expected" / name).read_text(encoding="utf-8"))


def import_case(name: str, clinic, by) -> Intake:
    raw = (VIGNETTES / name).read_bytes()
    report = imports.do_import_documents(
        [(name, raw)], clinic=clinic, by=by, today=TODAY
    )
    assert not report.is_refused, report.errors
    return Intake.objects.select_related("clinic", "patient", "current_screening").get(
        pk=report.imported[0].intake.pk
    )


def bundle_of(intake: Intake, by) -> dict[str, Any]:
    return json.loads(fhir_exports.do_export_fhir(intake, by=by).text)


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == kind
    ]


def link_ids(items: list[dict[str, Any]]) -> Iterator[str]:
    """Every linkId of the items and the items below them (and below answers)."""
    for item in items:
        yield item["linkId"]
        yield from link_ids(item.get("item", []))
        for answer in item.get("answer", []):
            yield from link_ids(answer.get("item", []))


@pytest.fixture
def imported(clinic, intake_staff):
    def make(name: str) -> Intake:
        return import_case(name, clinic, intake_staff)

    return make
