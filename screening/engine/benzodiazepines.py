"""The diazepam-equivalent total of clinical-reference.md §10.2, computed exactly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final

from screening.engine.exact import json_number, round_half_up, to_exact, to_fraction
from screening.engine.names import first_word
from screening.engine.settings import ClinicSettings

MEDICATIONS_PATH: Final = "medications"
OUTPUT_PLACES: Final = 6


@dataclass(frozen=True)
class DiazepamTotal:
    """The exact total, or its known part when a dose or table row is missing."""

    known: Fraction | None
    complete: bool
    answers: dict[str, Any]
    missing: dict[str, Any]
    rows_used: dict[str, int | float]

    @property
    def exact(self) -> Fraction | None:
        """The exact total; None when any part is unknown."""
        return self.known if self.complete else None

    def printed(self) -> int | float | None:
        """Rounded once, after summing, to 6 places, half up; an int when whole."""
        exact = self.exact
        return None if exact is None else round_half_up(exact, OUTPUT_PLACES)


def diazepam_total(
    medications: Sequence[Mapping[str, Any]] | None, settings: ClinicSettings
) -> DiazepamTotal:
    """Sum daily_dose_mg x factor over benzodiazepine medications, as a Fraction."""
    if medications is None:
        return DiazepamTotal(None, False, {}, {MEDICATIONS_PATH: None}, {})
    known = Fraction(0)
    answers: dict[str, Any] = {}
    missing: dict[str, Any] = {}
    rows_used: dict[str, int | float] = {}
    for index, medication in enumerate(medications):
        if medication.get("class") != "benzodiazepine":
            continue
        prefix = f"{MEDICATIONS_PATH}[{index}]"
        row = settings.diazepam_row(first_word(medication["name"]))
        dose = to_exact(medication.get("daily_dose_mg"))
        if row is None:
            # An unmatched name is listed as written (§5.9).
            missing[f"{prefix}.name"] = medication["name"]
        if dose is None:
            missing[f"{prefix}.daily_dose_mg"] = None
        if row is None or dose is None:
            continue
        answers[f"{prefix}.name"] = medication["name"]
        answers[f"{prefix}.daily_dose_mg"] = dose
        rows_used[row.name] = json_number(row.mg_equivalent_to_10mg_diazepam)
        known += to_fraction(dose) * row.factor
    return DiazepamTotal(known, not missing, answers, missing, rows_used)
