"""Assemble an intake/1 document from stored sections, and split one into sections."""

from typing import Any

from screening import questionnaire
from screening.intake_format.fields import FORMAT, SECTIONS
from screening.models import Intake, IntakeSection
from screening.questionnaire.paths import section_of
from screening.questionnaire.schema import empty_value


def empty_section(kind: str, intake: Intake) -> Any:
    """The value of a section nobody has saved yet: every answer unanswered (null).

    Age and sex for scoring are pre-filled from the patient (intake-format.md 3.2).
    """
    value = empty_value(questionnaire.section(kind))
    if kind == "demographics":
        value["age"] = intake.patient.age_on(intake.intake_on)
        value["sex_for_scoring"] = intake.patient.sex_for_scoring
    return value


def section_value(section: IntakeSection, intake: Intake) -> Any:
    return section.data if section.is_saved else empty_section(section.kind, intake)


def intake_document(
    intake: Intake, sections: list[IntakeSection] | None = None
) -> dict[str, Any]:
    """The intake as an intake/1 document (sections in schema order)."""
    if sections is None:
        sections = list(intake.sections.all())
    by_kind = {section.kind: section for section in sections}
    document: dict[str, Any] = {"format": FORMAT}
    if intake.patient_id is not None:
        document["patient"] = {"mrn": intake.patient.mrn}
    document["intake_date"] = intake.intake_on.isoformat()
    missing_reasons: dict[str, str] = {}
    for kind in SECTIONS:
        section = by_kind.get(kind)
        if section is None:
            document[kind] = empty_section(kind, intake)
            continue
        document[kind] = section_value(section, intake)
        missing_reasons.update(section.missing_reasons or {})
    if missing_reasons:
        document["missing_reasons"] = missing_reasons
    return document


def section_of_path(path: str) -> str:
    """The section a missing_reasons path belongs to: "scales.phq9[8]" -> "scales"."""
    return section_of(path)


def split_missing_reasons(reasons: dict[str, str]) -> dict[str, dict[str, str]]:
    split: dict[str, dict[str, str]] = {}
    for path, reason in reasons.items():
        split.setdefault(section_of_path(path), {})[path] = reason
    return split
