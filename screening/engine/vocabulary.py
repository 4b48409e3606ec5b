"""The declared, typed fact vocabulary that rule expressions read (§14)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from screening.engine.settings import MEDICATION_CLASSES
from screening.intake_format.fields import MEDICAL_ITEMS, PSYCHIATRIC_ITEMS

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

INDICATIONS: Final = (
    "major_depressive_disorder",
    "bipolar_depression",
    "ptsd",
    "anxiety_disorder",
    "other",
)
EPISODE_SEVERITIES: Final = (
    "subsyndromal",
    "mild",
    "moderate",
    "severe_without_psychosis",
    "severe_with_psychosis",
)
NON_MEDICAL_SUBSTANCES: Final = (
    "cannabis",
    "cocaine",
    "amphetamine",
    "methamphetamine",
    "ketamine",
    "esketamine",
    "pcp",
    "opioid",
    "sedative",
    "hallucinogen",
    "mdma",
    "inhalant",
    "other",
)
SUD_SUBSTANCES: Final = (
    "alcohol",
    "cannabis",
    "ketamine",
    "phencyclidine",
    "hallucinogen",
    "inhalant",
    "opioid",
    "sedative_hypnotic_anxiolytic",
    "stimulant",
    "other",
)
CSSRS_QUESTIONS: Final = ("q1", "q2", "q3", "q4", "q5", "q6", "q6_within_3_months")
BAND_EXTRAS: Final = ("incomplete", "not_administered")
PCL5_CLUSTER_NAMES: Final = ("B", "C", "D", "E")


def _spec(name: str, type_: str, meaning: str, example: Any, **extra: Any) -> FactSpec:
    return FactSpec(name, type_, meaning, example, **extra)


def _medical_spec(item: str, default: Any) -> FactSpec:
    path = f"medical_history.{item}"
    if item in ("mi_or_acs_date", "revascularization_date"):
        return _spec(
            path,
            EVENT_DATE,
            "Date of the most recent event, false = never (checklist item, §1.2)",
            "2025-12-10",
        )
    if item == "heart_failure_nyha_class":
        return _spec(path, INT, "NYHA class 1-4; 0 = no heart failure", 0)
    if item == "hepatic_impairment_child_pugh":
        return _spec(
            path, TEXT, "Child-Pugh class", "none", values=("none", "A", "B", "C")
        )
    if default is not False:
        # A checklist item of another type must be declared above, with its type.
        raise TypeError(f"{path}: undeclared checklist item type")
    return _spec(path, BOOL, "Medical checklist item, after checklist_default", False)


_INTAKE: Final = (
    _spec("intake_date", DATE, "The day the intake describes", "2026-09-15"),
    _spec("demographics.age", INT, "Age in whole years; never null", 52),
    _spec(
        "demographics.sex_for_scoring",
        TEXT,
        "Sex that picks sex-specific cut-offs",
        "male",
        values=("female", "male"),
    ),
    _spec(
        "demographics.reproductive_potential",
        BOOL,
        "Could become pregnant (null counts as possibly yes)",
        True,
    ),
    _spec(
        "demographics.pregnancy_status",
        TEXT,
        'Pregnancy status; "unknown" is read as null (§5.4)',
        "not_pregnant",
        values=("pregnant", "not_pregnant", "not_applicable"),
    ),
    _spec("demographics.breastfeeding", BOOL, "Currently breastfeeding", False),
    _spec(
        "indication.primary",
        TEXT,
        "The condition treatment is considered for; never null",
        "major_depressive_disorder",
        values=INDICATIONS,
    ),
    _spec(
        "indication.episode",
        TEXT,
        "Course of the depressive disorder",
        "recurrent",
        values=("single", "recurrent"),
    ),
    _spec(
        "indication.current_episode_start",
        DATE,
        "Start of the current episode",
        "2025-03-10",
    ),
    _spec(
        "indication.episode_severity_clinician",
        TEXT,
        "Clinician's rating of the current episode",
        "moderate",
        values=EPISODE_SEVERITIES,
    ),
    _spec("indication.augmentation_used", BOOL, "Augmentation in this episode", False),
    _spec("indication.ect_used", BOOL, "ECT in this episode", False),
    _spec("indication.index_trauma_year", INT, "Year of the index trauma", 2019),
    _spec("vitals.bp_systolic", INT, "Systolic BP, mmHg", 124),
    _spec("vitals.bp_diastolic", INT, "Diastolic BP, mmHg", 80),
    _spec("vitals.heart_rate", INT, "Resting heart rate, bpm", 72),
    _spec("vitals.bmi", NUMBER, "Body-mass index, kg/m2", 29.0),
    *(_medical_spec(item, default) for item, default in MEDICAL_ITEMS.items()),
    *(
        _spec(
            f"psychiatric_history.{item}",
            BOOL,
            "Psychiatric checklist item, after checklist_default",
            False,
        )
        for item in PSYCHIATRIC_ITEMS
    ),
    *(
        _spec(f"substance_use.audit_c.{q}", INT, f"AUDIT-C {q}, 0-4 points", 1)
        for q in ("q1", "q2", "q3")
    ),
    _spec(
        "substance_use.dast10_answers",
        BOOL_LIST,
        "DAST-10 answers, true = Yes; read one item, e.g. "
        "substance_use.dast10_answers[0]",
        False,
        length=10,
    ),
    _spec(
        "substance_use.dissociative_misuse_lifetime",
        BOOL,
        "Ever misused ketamine, esketamine, PCP or another dissociative",
        False,
    ),
    _spec(
        "scales.phq9",
        INT_LIST,
        "PHQ-9 item scores; item 9 is scales.phq9[8]",
        0,
        length=9,
    ),
    _spec(
        "scales.gad7", INT_LIST, "GAD-7 item scores, e.g. scales.gad7[0]", 1, length=7
    ),
    _spec(
        "scales.pcl5", INT_LIST, "PCL-5 item scores, e.g. scales.pcl5[0]", 2, length=20
    ),
    _spec("scales.madrs_total", INT, "MADRS total, clinician-entered", 28),
    *(
        _spec(
            f"scales.cssrs_screener.{q}",
            BOOL,
            f"C-SSRS screener answer {q}, as entered (not-asked questions are null)",
            False,
        )
        for q in CSSRS_QUESTIONS
    ),
)

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
    "phq9": ("minimal", "mild", "moderate", "moderately_severe", "severe"),
    "gad7": ("minimal", "mild", "moderate", "severe"),
    "pcl5": ("below_cutoff", "borderline", "probable_ptsd"),
    "dast10": ("none", "low", "moderate", "substantial", "severe"),
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
