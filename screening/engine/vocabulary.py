"""The declared, typed fact vocabulary that rule expressions read (§14)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from screening import questionnaire
from screening.engine.settings import MEDICATION_CLASSES
from screening.questionnaire.model import (
    CHOICE,
    DECIMAL,
    INTEGER,
    YES_NO,
    Fact,
    Instrument,
    Question,
    Section,
)
from screening.questionnaire.model import DATE as DATE_KIND
from screening.questionnaire.model import EVENT_DATE as EVENT_DATE_KIND
from screening.questionnaire.sections.basics import INTAKE_DATE

BOOL: Final = "bool"
INT: Final = "int"
NUMBER: Final = "number"
TEXT: Final = "text"
DATE: Final = "date"
EVENT_DATE: Final = "event_date"
TEXT_SET: Final = "text_set"
INT_LIST: Final = "int_list"
BOOL_LIST: Final = "bool_list"

TYPE_NAMES: Final = {
    BOOL: "a yes/no value",
    INT: "a whole number",
    NUMBER: "a number",
    TEXT: "a text value",
    DATE: "a date",
    EVENT_DATE: "an event date (a date, or false for never)",
    TEXT_SET: "a set of text values",
    INT_LIST: "a list of item scores",
    BOOL_LIST: "a list of yes/no answers",
}


@dataclass(frozen=True)
class FactSpec:
    """One fact an expression may read; any fact may be null (unknown) unless noted."""

    name: str
    type: str
    meaning: str
    example: Any
    values: tuple[str, ...] | None = None  # the allowed text values (or set members)
    length: int | None = None  # item count of a list fact, read as name[i]
    completions: bool = False  # may be decided over the completions of unanswered items

    def to_dict(self) -> dict[str, Any]:
        """The entry as an admin screen lists it."""
        return {
            "name": self.name,
            "type": self.type,
            "meaning": self.meaning,
            "example": self.example,
            "values": list(self.values) if self.values is not None else None,
        }


# Cross-rule facts (§14): the three-valued condition of another catalogue rule.
CROSS_RULE_FACTS: Final = MappingProxyType(
    {"bp_severe": "CI-BP-SEVERE", "recent_cv_event_42d": "CI-RECENT-CV-EVENT"}
)


def _spec(name: str, type_: str, meaning: str, example: Any, **extra: Any) -> FactSpec:
    return FactSpec(name, type_, meaning, example, **extra)


def _values(path: str, *, without: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The text options a declared question allows, as fact values."""
    declared = questionnaire.question(path)
    options = declared.options if declared is not None else ()
    return tuple(str(o.value) for o in options if o.value not in without)


NON_MEDICAL_SUBSTANCES: Final = _values("substance_use.non_medical_use[].substance")
# Tobacco entries are ignored by every SUD rule (§5.6).
SUD_SUBSTANCES: Final = _values(
    "substance_use.substance_use_disorders[].substance", without=("tobacco",)
)
CSSRS_QUESTIONS: Final = tuple(
    item.name for item in questionnaire.instrument("CSSRS").items
)
BAND_EXTRAS: Final = ("incomplete", "not_administered")
PCL5_CLUSTER_NAMES: Final = ("B", "C", "D", "E")


def _is_fact_section(section: Section) -> bool:
    return not section.is_list and not section.is_checklist


def plain_facts() -> Iterator[Question]:
    """The plain answers of dict sections that rules read as facts, by path."""
    for section in questionnaire.SECTIONS:
        if _is_fact_section(section):
            yield from (q for q in section.questions if q.fact is not None)


def summed_lists(section: str | None = None) -> Iterator[Instrument]:
    """The instruments summed over a list of items (PHQ-9, DAST-10, ...)."""
    for instrument in questionnaire.instruments():
        in_section = section is None or instrument.path.startswith(f"{section}.")
        if instrument.is_list and instrument.scoring.method == "sum" and in_section:
            yield instrument


def summed_name(instrument: Instrument) -> str:
    """The prefix of a summed instrument's facts: `phq9` for phq9_total."""
    return instrument.key.lower()


def _question_spec(question: Question, fact: Fact) -> FactSpec:
    """A declared question's fact: its type follows the question's kind."""
    numbered = bool(question.options) and all(
        isinstance(o.value, int) for o in question.options
    )
    if question.kind == CHOICE and not numbered:
        values = fact.values or tuple(str(o.value) for o in question.options)
        return _spec(question.path, TEXT, fact.meaning, fact.example, values=values)
    type_ = INT if numbered else _KIND_TYPES[question.kind]
    return _spec(question.path, type_, fact.meaning, fact.example, values=fact.values)


_KIND_TYPES: Final = {
    YES_NO: BOOL,
    INTEGER: INT,
    DECIMAL: NUMBER,
    DATE_KIND: DATE,
    EVENT_DATE_KIND: EVENT_DATE,
}


def _instrument_specs(instrument: Instrument) -> Iterator[FactSpec]:
    """A list instrument is one list fact; named items are a fact each."""
    if instrument.is_list and instrument.fact is not None:
        yes_no = instrument.items[0].kind == YES_NO
        yield _spec(
            instrument.path,
            BOOL_LIST if yes_no else INT_LIST,
            instrument.fact.meaning,
            instrument.fact.example,
            length=instrument.length,
        )
    elif not instrument.is_list:
        yield from (_question_spec(q, q.fact) for q in instrument.items if q.fact)


def _declared() -> Iterator[FactSpec]:
    """The intake fields rules read, from the declaration, in schema order."""
    if INTAKE_DATE.fact is not None:
        yield _question_spec(INTAKE_DATE, INTAKE_DATE.fact)
    for section in questionnaire.SECTIONS:
        for instrument in section.instruments:
            yield from _instrument_specs(instrument)
        if section.is_checklist or _is_fact_section(section):
            yield from (_question_spec(q, q.fact) for q in section.questions if q.fact)


_INTAKE: Final = tuple(_declared())

_LISTS: Final = (
    _spec(
        "medication_classes",
        TEXT_SET,
        "The classes of the current medications (medications[].class); null when "
        "medications is null",
        ["ssri", "maoi"],
        values=MEDICATION_CLASSES,
    ),
    _spec(
        "medication_names",
        TEXT_SET,
        "The normalised names of the current medications (medications[].name, §1.5)",
        ["sertraline"],
    ),
    _spec(
        "non_medical_use_substances",
        TEXT_SET,
        "Substances of substance_use.non_medical_use[].substance; null when not asked",
        ["cannabis"],
        values=NON_MEDICAL_SUBSTANCES,
    ),
    _spec(
        "sud_substances",
        TEXT_SET,
        "Substances of the non-tobacco substance_use_disorders entries",
        ["alcohol"],
        values=SUD_SUBSTANCES,
    ),
)

_BANDS = {
    summed_name(each): tuple(band for _upper, band in each.bands)
    for each in summed_lists()
}

_DERIVED: Final = (
    _spec(
        "trd_rule_applicable",
        BOOL,
        "TRD applies: indication.primary is major_depressive_disorder",
        True,
    ),
    _spec(
        "adequate_failed_trials",
        INT,
        "Distinct agents with an adequate failed trial (§7.4)",
        2,
    ),
    _spec(
        "trd_met",
        BOOL,
        "TRD met (§7.4); null when undecided or not applicable",
        True,
    ),
    _spec(
        "thase_rush_stage",
        TEXT,
        "Thase-Rush stage (§7.7)",
        "II",
        values=("0", "I", "II", "III", "IV"),
    ),
    *(
        _spec(f"maudsley.{part}", INT, f"Maudsley staging points: {part} (§7.6)", 1)
        for part in (
            "duration",
            "severity",
            "antidepressants",
            "augmentation",
            "ect",
            "total",
        )
    ),
    _spec(
        "maudsley.band",
        TEXT,
        "Maudsley band (§7.6)",
        "mild",
        values=("mild", "moderate", "severe"),
    ),
    _spec(
        "days_since_mi", INT, "Days from mi_or_acs_date to intake; null if never", 279
    ),
    _spec(
        "days_since_revascularization",
        INT,
        "Days from revascularization_date to intake; null if never",
        279,
    ),
    *(
        spec
        for name, bands in _BANDS.items()
        for spec in (
            _spec(
                f"{name}_total",
                INT,
                f"{name.upper()} total, decided over the completions of unanswered "
                "items",
                5,
                completions=True,
            ),
            _spec(
                f"{name}_band",
                TEXT,
                f"{name.upper()} band",
                bands[0],
                values=bands + BAND_EXTRAS,
            ),
        )
    ),
    _spec("phq9_item9", INT, "PHQ-9 item 9 (scales.phq9[8])", 0),
    *(
        _spec(f"pcl5_clusters.{c}", INT, f"PCL-5 cluster {c} sum (§8.3)", 4)
        for c in PCL5_CLUSTER_NAMES
    ),
    *(
        _spec(
            f"pcl5_endorsed_items_ge2.{c}",
            INT,
            f"PCL-5 cluster {c}: items scored 2 or more (§8.3)",
            1,
        )
        for c in PCL5_CLUSTER_NAMES
    ),
    _spec(
        "pcl5_dsm5_cluster_rule_met",
        BOOL,
        "At least 1 B, 1 C, 2 D and 2 E items endorsed (§8.3)",
        True,
    ),
    _spec(
        "audit_c_total",
        INT,
        "AUDIT-C total, decided over the completions of unanswered items",
        3,
        completions=True,
    ),
    _spec(
        "audit_c_positive",
        BOOL,
        "AUDIT-C positive: >= 4 for male, otherwise >= 3, over completions (§8.4)",
        False,
    ),
    _spec(
        "cssrs_risk",
        TEXT,
        "C-SSRS risk band; decided over the completions of unanswered answers (§8.6)",
        "none",
        values=("none", "low", "moderate", "high"),
        completions=True,
    ),
    _spec("madrs_total", INT, "MADRS total", 28),
    _spec(
        "madrs_band",
        TEXT,
        "MADRS band (Snaith)",
        "moderate",
        values=("normal", "mild", "moderate", "severe", "not_administered"),
    ),
    _spec(
        "months_since_sud_criteria_last_met",
        INT,
        "Months since the most recent dated non-tobacco SUD entry",
        6,
    ),
    _spec(
        "sud_any_active",
        BOOL,
        "Some non-tobacco SUD entry is ACTIVE (§5.6 table)",
        False,
    ),
    _spec(
        "sud_any_in_remission",
        BOOL,
        "Some non-tobacco SUD entry is IN REMISSION (§5.6 table)",
        False,
    ),
    _spec(
        "sud_entry_unclassified",
        BOOL,
        "A non-tobacco SUD entry has neither status nor last_met_criteria; never null",
        False,
    ),
    _spec(
        "nonmedical_stimulant_within_3_months",
        BOOL,
        "Non-medical cocaine, amphetamine or methamphetamine use within 3 months "
        "(§5.7)",
        False,
    ),
    _spec(
        "stimulant_last_use_missing",
        BOOL,
        "A non-medical stimulant entry has no last_use date; never null",
        False,
    ),
    _spec(
        "diazepam_equivalent_exact",
        NUMBER,
        "Exact diazepam-equivalent mg/day (§10.2); when a dose or table row is "
        "missing, only its known part is certain",
        "8",
        completions=True,
    ),
    _spec(
        "bp_severe",
        BOOL,
        "The condition of CI-BP-SEVERE (cross-rule fact)",
        False,
    ),
    _spec(
        "recent_cv_event_42d",
        BOOL,
        "The condition of CI-RECENT-CV-EVENT (cross-rule fact)",
        False,
    ),
)

_SETTINGS: Final = (
    _spec("settings.trd_min_weeks_at_dose", INT, "Clinic setting (§6); never null", 6),
    _spec(
        "settings.trd_failure_threshold",
        TEXT,
        "Clinic setting (§6); never null",
        "lt50",
        values=("lt50", "le25"),
    ),
    _spec("settings.trd_min_adherence_pct", INT, "Clinic setting (§6); never null", 80),
    _spec(
        "settings.bp_guide_age_banded", BOOL, "Clinic setting (§6); never null", False
    ),
    _spec(
        "settings.recent_cv_event_absolute",
        BOOL,
        "Clinic setting (§6); never null",
        True,
    ),
)

VOCABULARY: Final[Mapping[str, FactSpec]] = MappingProxyType(
    {spec.name: spec for spec in (*_INTAKE, *_LISTS, *_DERIVED, *_SETTINGS)}
)
"""Every fact a rule expression may read, by name."""

LIST_ITEM_TYPES: Final = {INT_LIST: INT, BOOL_LIST: BOOL}
NAMESPACES: Final = frozenset(
    name.split(".", 1)[0] for name in VOCABULARY if "." in name
)
