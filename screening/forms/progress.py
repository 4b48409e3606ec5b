"""How far each section of an intake has been answered, for the intake overview.

A question counts as unanswered when its value is null and no reason (declined, unknown,
not asked) was recorded for it. Questions hidden by branching, notes and optional
details never count.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from screening.forms.intakes import CLINICIAN_FORM, SECTION_FORMS
from screening.forms.scales import (
    CLINICIAN_KEYS,
    PATIENT_KEYS,
    last_change,
    section_history,
)
from screening.intake_format.fields import checklist_answers
from screening.models import Intake, IntakeSection
from screening.services.documents import section_value

# The two pages that share the `scales` section, and the keys each records.
SCALES_PAGES = {"scales": PATIENT_KEYS, "clinician": CLINICIAN_KEYS}
ROW_QUESTIONS = {
    "medications": ("daily_dose_mg",),
    "antidepressant_trials": (
        "daily_dose_mg",
        "weeks_at_dose",
        "adherence_pct",
        "outcome",
        "current_episode",
    ),
    "substance_use.substance_use_disorders": ("status", "last_met_criteria"),
    "substance_use.non_medical_use": (),
    "allergies": (),
}


@dataclass(frozen=True)
class SectionProgress:
    started: bool
    unanswered: int

    @property
    def text(self) -> str:
        if not self.started:
            return "Not started"
        if not self.unanswered:
            return "Complete"
        plural = "s" if self.unanswered != 1 else ""
        return f"Saved \u2014 {self.unanswered} question{plural} unanswered"

    @property
    def css(self) -> str:
        if not self.started:
            return "section-status-empty"
        return (
            "section-status-complete"
            if not self.unanswered
            else "section-status-partial"
        )

    @property
    def is_complete(self) -> bool:
        return self.started and not self.unanswered


def _list(path: str, rows: Any) -> dict[str, Any]:
    if rows is None:
        return {path: None}
    return {
        f"{path}[{index}].{name}": row.get(name)
        for index, row in enumerate(rows)
        for name in ROW_QUESTIONS[path]
    }


def _instrument(path: str, items: Any, *, required: bool) -> dict[str, Any]:
    if items is None:
        return {path: None} if required else {}
    return {f"{path}[{index}]": item for index, item in enumerate(items)}


def questions(part: str, value: Any) -> dict[str, Any]:
    """The questions a section (or the clinician-entered part) asks, path -> answer."""
    if value is None and part not in ROW_QUESTIONS:
        value = {}
    if part == "demographics":
        asked = ["sex_for_scoring", "reproductive_potential", "breastfeeding"]
        if value.get("reproductive_potential") is not False:
            asked.append("pregnancy_status")
        return {f"demographics.{name}": value.get(name) for name in asked}
    if part == "indication":
        asked = [
            "episode",
            "current_episode_start",
            "episode_severity_clinician",
            "augmentation_used",
            "ect_used",
        ]
        if value.get("primary") == "ptsd":
            asked.append("index_trauma_year")
        return {f"indication.{name}": value.get(name) for name in asked}
    if part == "vitals":
        names = ("bp_systolic", "bp_diastolic", "heart_rate", "bmi")
        return {f"vitals.{name}": value.get(name) for name in names}
    if part in ("medical_history", "psychiatric_history"):
        answers = checklist_answers(part, value)
        return {f"{part}.{item}": answer for item, answer in answers.items()}
    if part in ("allergies", "medications", "antidepressant_trials"):
        return _list(part, value)
    if part == "substance_use":
        return _substance_use(value)
    if part == "scales":
        found: dict[str, Any] = {}
        for key in ("phq9", "gad7", "pcl5"):
            found |= _instrument(
                f"scales.{key}", value.get(key), required=key == "phq9"
            )
        return found
    return _clinician_entered(value)


def _substance_use(value: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    audit = value.get("audit_c")
    if audit is None:
        found["substance_use.audit_c"] = None
    else:
        asked = ["q1"] + (["q2", "q3"] if audit.get("q1") != 0 else [])
        found |= {f"substance_use.audit_c.{q}": audit.get(q) for q in asked}
    found |= _instrument(
        "substance_use.dast10_answers", value.get("dast10_answers"), required=True
    )
    for key in ("substance_use_disorders", "non_medical_use"):
        found |= _list(f"substance_use.{key}", value.get(key))
    found["substance_use.dissociative_misuse_lifetime"] = value.get(
        "dissociative_misuse_lifetime"
    )
    return found


def _clinician_entered(value: dict[str, Any]) -> dict[str, Any]:
    screener = value.get("cssrs_screener")
    if screener is None:
        return {"scales.cssrs_screener": None}
    asked = ["q1", "q2", "q6"]
    asked += ["q3", "q4", "q5"] if screener.get("q2") is True else []
    asked += ["q6_within_3_months"] if screener.get("q6") is True else []
    return {f"scales.cssrs_screener.{q}": screener.get(q) for q in asked}


def _touched(part: str, value: Any, reasons: dict[str, str]) -> bool:
    """Whether the page of this part of `scales` has recorded anything yet.

    Both pages save the one section, so its version alone cannot tell.
    """
    keys = SCALES_PAGES[part]
    answered = any((value or {}).get(key) is not None for key in keys)
    return answered or any(path.split("[")[0].split(".")[1] in keys for path in reasons)


def progress(section: IntakeSection, intake: Intake, part: str) -> SectionProgress:
    """Progress of a section; `part` is its kind, or "clinician" (C-SSRS, MADRS)."""
    reasons = section.missing_reasons or {}
    value = section_value(section, intake)
    if not section.is_saved or (
        part in SCALES_PAGES and not _touched(part, value, reasons)
    ):
        return SectionProgress(started=False, unanswered=0)
    asked = questions(part, value)
    count = sum(
        1 for path, answer in asked.items() if answer is None and path not in reasons
    )
    return SectionProgress(started=True, unanswered=count)


@dataclass(frozen=True)
class SectionRow:
    """One line of the intake overview: a page, how far it is, who saved it last."""

    title: str
    slug: str  # "" for the clinician-entered page
    progress: SectionProgress
    saved_by: Any
    saved_at: datetime | None


def section_rows(intake: Intake) -> list[SectionRow]:
    """Every page of the intake, in the order of the paper form."""
    sections = {s.kind: s for s in intake.sections.select_related("updated_by")}
    pages = [(slug, form.title, form.section) for slug, form in SECTION_FORMS.items()]
    pages.append(("", CLINICIAN_FORM.title, CLINICIAN_FORM.section))
    # Two pages share the scales section: its history is read once for both.
    history = section_history(sections["scales"])
    rows = []
    for slug, title, kind in pages:
        section = sections[kind]
        part = "clinician" if not slug else kind
        saved_by, saved_at = section.updated_by, section.updated_at
        if part in SCALES_PAGES:
            # Two pages share the section: name whoever last changed this page's keys.
            revision = last_change(section, SCALES_PAGES[part], history)
            saved_by = revision.saved_by if revision else None
            saved_at = revision.saved_at if revision else None
        rows.append(
            SectionRow(title, slug, progress(section, intake, part), saved_by, saved_at)
        )
    return rows
