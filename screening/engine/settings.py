"""Clinic settings of clinical-reference.md §6, with the admin tables (§7.5, §10.2)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Final

from screening.engine.exact import (
    MAX_DECIMAL_PLACES,
    MAX_WHOLE_DIGITS,
    Exact,
    is_bounded,
    json_number,
    to_exact,
)
from screening.engine.names import normalise_name

RAISABLE_TO_ABSOLUTE: Final = (
    "REPRO-PREGNANT",
    "PSY-PSYCHOSIS",
    "SUB-SUD-ACTIVE",
    "MED-HYPERTHYROID",
)
MEDICATION_CLASSES: Final = (
    "ssri",
    "snri",
    "ndri",
    "nassa",
    "serotonin_modulator",
    "tca",
    "maoi",
    "psychostimulant",
    "xanthine",
    "benzodiazepine",
    "z_drug",
    "opioid",
    "barbiturate",
    "gabapentinoid",
    "sedating_antipsychotic",
    "naltrexone",
    "lamotrigine",
    "nmda_antagonist",
    "other",
)


# The antidepressant classes of the dose table (§7.5). A clinic may add a class as a
# new lower-case word (e.g. "melatonergic" for agomelatine), which §7.7 counts as a
# class of its own; the medication classes of §10.1 are another vocabulary (§6).
ANTIDEPRESSANT_CLASSES: Final = (
    "ssri",
    "snri",
    "nassa",
    "ndri",
    "serotonin_modulator",
    "tca",
    "maoi",
)
_CLASS_WORD: Final = re.compile(r"[a-z]+(?:_[a-z]+)*")
MAX_CLASS_LENGTH: Final = 40


def antidepressant_class_problem(value: object) -> str | None:
    """Why a dose-table class is not an antidepressant class word, or None."""
    if (
        isinstance(value, str)
        and len(value) <= MAX_CLASS_LENGTH
        and _CLASS_WORD.fullmatch(value)
    ):
        return None
    return (
        "class must be an antidepressant class: one of "
        f"{', '.join(ANTIDEPRESSANT_CLASSES)}, or a new lower-case word such as "
        "melatonergic"
    )


class SettingsError(ValueError):
    """A clinic setting that is missing, unknown or out of its allowed range."""


@dataclass(frozen=True)
class MinDoseRow:
    """One row of the minimum adequate daily dose table (§7.5)."""

    names: tuple[str, ...]
    agent: str
    drug_class: str
    min_mg_per_day: Exact

    def to_dict(self) -> dict[str, Any]:
        """The row as the admin table stores it."""
        return {
            "names": list(self.names),
            "agent": self.agent,
            "class": self.drug_class,
            "min_mg_per_day": json_number(self.min_mg_per_day),
        }


@dataclass(frozen=True)
class DiazepamRow:
    """One row of the diazepam-equivalent table (§10.2)."""

    name: str
    mg_equivalent_to_10mg_diazepam: Exact

    @property
    def factor(self) -> Fraction:
        """Diazepam mg per mg: 10 / the dose equal to diazepam 10 mg, kept exact."""
        return Fraction(10) / Fraction(self.mg_equivalent_to_10mg_diazepam)

    def to_dict(self) -> dict[str, Any]:
        """The row as the admin table stores it."""
        return {
            "name": self.name,
            "mg_equivalent_to_10mg_diazepam": json_number(
                self.mg_equivalent_to_10mg_diazepam
            ),
        }


def _dose_row(names: tuple[str, ...], agent: str, cls: str, mg: int) -> MinDoseRow:
    return MinDoseRow(names, agent, cls, mg)


# §7.5: the lower bound of the usual therapeutic dose (McMaster; SSRIs as DOSES).
DEFAULT_MIN_DOSE_TABLE: Final = (
    _dose_row(("citalopram",), "citalopram", "ssri", 20),
    _dose_row(("escitalopram",), "escitalopram", "ssri", 10),
    _dose_row(("fluoxetine",), "fluoxetine", "ssri", 20),
    _dose_row(("paroxetine", "paroxetine ir"), "paroxetine", "ssri", 20),
    _dose_row(("paroxetine cr",), "paroxetine", "ssri", 25),
    _dose_row(("sertraline",), "sertraline", "ssri", 50),
    _dose_row(("fluvoxamine",), "fluvoxamine", "ssri", 50),
    _dose_row(
        ("venlafaxine", "venlafaxine ir", "venlafaxine xr", "venlafaxine er"),
        "venlafaxine",
        "snri",
        75,
    ),
    _dose_row(("desvenlafaxine",), "desvenlafaxine", "snri", 50),
    _dose_row(("duloxetine",), "duloxetine", "snri", 60),
    _dose_row(("levomilnacipran",), "levomilnacipran", "snri", 40),
    _dose_row(("mirtazapine",), "mirtazapine", "nassa", 15),
    _dose_row(("bupropion sr", "bupropion xl"), "bupropion", "ndri", 300),
    _dose_row(("vilazodone",), "vilazodone", "serotonin_modulator", 20),
    _dose_row(("vortioxetine",), "vortioxetine", "serotonin_modulator", 10),
    _dose_row(("trazodone",), "trazodone", "serotonin_modulator", 150),
    _dose_row(("amitriptyline",), "amitriptyline", "tca", 150),
    _dose_row(("imipramine",), "imipramine", "tca", 150),
    _dose_row(("nortriptyline",), "nortriptyline", "tca", 75),
    _dose_row(("phenelzine",), "phenelzine", "maoi", 45),
    _dose_row(("tranylcypromine",), "tranylcypromine", "maoi", 30),
)

# §10.2: the Ashton-manual convention (U); a pharmacist adds rows.
DEFAULT_DIAZEPAM_EQUIVALENTS: Final = (
    DiazepamRow("diazepam", 10),
    DiazepamRow("lorazepam", 1),
    DiazepamRow("clonazepam", Decimal("0.5")),
    DiazepamRow("alprazolam", Decimal("0.5")),
)


@dataclass(frozen=True)
class ClinicSettings:
    """Every §6 setting; the defaults are the rule book's."""

    trd_min_weeks_at_dose: int = 6
    trd_failure_threshold: str = "lt50"
    trd_min_adherence_pct: int = 80
    bp_guide_age_banded: bool = False
    recent_cv_event_absolute: bool = True
    severity_raised_to_absolute: tuple[str, ...] = ()
    min_dose_table: tuple[MinDoseRow, ...] = DEFAULT_MIN_DOSE_TABLE
    diazepam_equivalents: tuple[DiazepamRow, ...] = DEFAULT_DIAZEPAM_EQUIVALENTS
    _doses_by_name: dict[str, MinDoseRow] = field(init=False, repr=False, compare=False)
    _diazepam_by_name: dict[str, DiazepamRow] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        _validate_scalars(self)
        doses: dict[str, MinDoseRow] = {}
        for row in self.min_dose_table:
            for name in row.names:
                if name in doses:
                    raise SettingsError(
                        f"min_dose_table: the name {name!r} is listed twice"
                    )
                doses[name] = row
        diazepam: dict[str, DiazepamRow] = {}
        for entry in self.diazepam_equivalents:
            if entry.name in diazepam:
                raise SettingsError(
                    f"diazepam_equivalents: the name {entry.name!r} is listed twice"
                )
            diazepam[entry.name] = entry
        # Frozen: the lookups are derived once, here.
        object.__setattr__(self, "_doses_by_name", doses)
        object.__setattr__(self, "_diazepam_by_name", diazepam)

    def min_dose_row(self, normalised_name: str) -> MinDoseRow | None:
        """The §7.5 row for a normalised drug name, or None."""
        return self._doses_by_name.get(normalised_name)

    def diazepam_row(self, first_word: str) -> DiazepamRow | None:
        """The §10.2 row for the first word of a normalised benzodiazepine name."""
        return self._diazepam_by_name.get(first_word)

    def scalar_settings(self) -> dict[str, Any]:
        """The settings an expression may read as `settings.<name>` facts."""
        return {
            "trd_min_weeks_at_dose": self.trd_min_weeks_at_dose,
            "trd_failure_threshold": self.trd_failure_threshold,
            "trd_min_adherence_pct": self.trd_min_adherence_pct,
            "bp_guide_age_banded": self.bp_guide_age_banded,
            "recent_cv_event_absolute": self.recent_cv_event_absolute,
        }

    def to_dict(self) -> dict[str, Any]:
        """All settings as JSON-ready values."""
        return {
            **self.scalar_settings(),
            "severity_raised_to_absolute": list(self.severity_raised_to_absolute),
            "min_dose_table": [row.to_dict() for row in self.min_dose_table],
            "diazepam_equivalents": [
                row.to_dict() for row in self.diazepam_equivalents
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ClinicSettings:
        """Settings from their stored form; absent keys take the rule-book default."""
        if not isinstance(data, Mapping):
            raise SettingsError("settings must be an object")
        known = {
            "trd_min_weeks_at_dose",
            "trd_failure_threshold",
            "trd_min_adherence_pct",
            "bp_guide_age_banded",
            "recent_cv_event_absolute",
            "severity_raised_to_absolute",
            "min_dose_table",
            "diazepam_equivalents",
        }
        unknown = sorted(set(data) - known)
        if unknown:
            raise SettingsError(f"unknown setting {unknown[0]!r}")
        values: dict[str, Any] = {
            key: data[key]
            for key in known - {"min_dose_table", "diazepam_equivalents"}
            if key in data
        }
        if "severity_raised_to_absolute" in values:
            raised = values["severity_raised_to_absolute"]
            if not isinstance(raised, list | tuple):
                raise SettingsError(
                    "severity_raised_to_absolute must be a list of codes"
                )
            values["severity_raised_to_absolute"] = tuple(raised)
        if "min_dose_table" in data:
            values["min_dose_table"] = _dose_rows(data["min_dose_table"])
        if "diazepam_equivalents" in data:
            values["diazepam_equivalents"] = _diazepam_rows(
                data["diazepam_equivalents"]
            )
        return cls(**values)


def _validate_scalars(settings: ClinicSettings) -> None:
    weeks = settings.trd_min_weeks_at_dose
    if _is_bool(weeks) or weeks not in (4, 6, 8):
        raise SettingsError(f"trd_min_weeks_at_dose must be 4, 6 or 8 (got {weeks!r})")
    if settings.trd_failure_threshold not in ("lt50", "le25"):
        raise SettingsError(
            'trd_failure_threshold must be "lt50" or "le25" '
            f"(got {settings.trd_failure_threshold!r})"
        )
    adherence = settings.trd_min_adherence_pct
    if (
        not isinstance(adherence, int)
        or _is_bool(adherence)
        or not 50 <= adherence <= 100
    ):
        raise SettingsError(
            "trd_min_adherence_pct must be a whole number from 50 to 100 "
            f"(got {adherence!r})"
        )
    for name in ("bp_guide_age_banded", "recent_cv_event_absolute"):
        if not _is_bool(getattr(settings, name)):
            raise SettingsError(f"{name} must be true or false")
    for code in settings.severity_raised_to_absolute:
        if code not in RAISABLE_TO_ABSOLUTE:
            raise SettingsError(
                "severity_raised_to_absolute may list only "
                f"{', '.join(RAISABLE_TO_ABSOLUTE)}"
                f" (got {code!r})"
            )


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


def _positive_mg(value: object, where: str) -> Exact:
    try:
        number = to_exact(Decimal(value) if isinstance(value, str) else value)
    except (TypeError, InvalidOperation):
        number = None
    if number is None or not is_bounded(number) or number <= 0:
        raise SettingsError(
            f"{where} must be a number above 0, at most {MAX_WHOLE_DIGITS} digits "
            f"before the decimal point and {MAX_DECIMAL_PLACES} after it "
            f"(got {value!r})"
        )
    return number


def _dose_rows(rows: object) -> tuple[MinDoseRow, ...]:
    if not isinstance(rows, list | tuple):
        raise SettingsError("min_dose_table must be a list of rows")
    parsed = []
    for index, row in enumerate(rows):
        where = f"min_dose_table[{index}]"
        if not isinstance(row, Mapping) or set(row) != {
            "names",
            "agent",
            "class",
            "min_mg_per_day",
        }:
            raise SettingsError(
                f"{where} must have exactly names, agent, class and min_mg_per_day"
            )
        names = row["names"]
        if not isinstance(names, list | tuple) or not names:
            raise SettingsError(f"{where}.names must be a non-empty list of names")
        if not all(isinstance(name, str) and normalise_name(name) for name in names):
            raise SettingsError(f"{where}.names must hold non-empty text")
        agent, drug_class = row["agent"], row["class"]
        if not isinstance(agent, str) or not normalise_name(agent):
            raise SettingsError(f"{where}.agent must be non-empty text")
        problem = antidepressant_class_problem(drug_class)
        if problem:
            raise SettingsError(f"{where}.{problem}")
        parsed.append(
            MinDoseRow(
                tuple(normalise_name(name) for name in names),
                normalise_name(agent),
                drug_class,
                _positive_mg(row["min_mg_per_day"], f"{where}.min_mg_per_day"),
            )
        )
    return tuple(parsed)


def _diazepam_rows(rows: object) -> tuple[DiazepamRow, ...]:
    if not isinstance(rows, list | tuple):
        raise SettingsError("diazepam_equivalents must be a list of rows")
    parsed = []
    for index, row in enumerate(rows):
        where = f"diazepam_equivalents[{index}]"
        if not isinstance(row, Mapping) or set(row) != {
            "name",
            "mg_equivalent_to_10mg_diazepam",
        }:
            raise SettingsError(
                f"{where} must have exactly name and mg_equivalent_to_10mg_diazepam"
            )
        name = row["name"]
        if not isinstance(name, str) or not normalise_name(name):
            raise SettingsError(f"{where}.name must be non-empty text")
        if " " in normalise_name(name):
            raise SettingsError(
                f"{where}.name must be one word: the table matches the first word "
                f"of a medication's name (got {name!r})"
            )
        parsed.append(
            DiazepamRow(
                normalise_name(name),
                _positive_mg(
                    row["mg_equivalent_to_10mg_diazepam"],
                    f"{where}.mg_equivalent_to_10mg_diazepam",
                ),
            )
        )
    return tuple(parsed)
