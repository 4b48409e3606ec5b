"""How far each section of an intake has been answered, for the intake overview.

A question counts as unanswered when its value is null and no reason (declined, unknown,
not asked) was recorded for it. Questions hidden by branching, notes and optional
details never count.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from screening import questionnaire
from screening.forms.intakes import CLINICIAN_FORM, SECTION_FORMS
from screening.forms.scales import (
    CLINICIAN_KEYS,
    PATIENT_KEYS,
    last_change,
    section_history,
)
from screening.models import Intake, IntakeSection
from screening.questionnaire.branching import page_answers
from screening.services.documents import section_value

# The two pages that share the `scales` section, and the keys each records.
SCALES_PAGES = {"scales": PATIENT_KEYS, "clinician": CLINICIAN_KEYS}


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


def questions(part: str, value: Any) -> dict[str, Any]:
    """The questions a section (or the clinician-entered part) asks, path -> answer.

    What is asked, and what counts, is declared in screening/questionnaire/.
    """
    slug = "" if part == "clinician" else questionnaire.section(part).pages[0].slug
    return page_answers(questionnaire.page(slug), value)


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
    # Carried over from the last intake (#18): from which date, and whether staff
    # have still to confirm or edit it.
    carried_on: date | None = None
    carry_pending: bool = False


def section_rows(intake: Intake) -> list[SectionRow]:
    """Every page of the intake, in the order of the paper form."""
    sections = {
        s.kind: s for s in intake.sections.select_related("updated_by", "carried_from")
    }
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
        carried = section.carried_from if slug else None
        rows.append(
            SectionRow(
                title,
                slug,
                progress(section, intake, part),
                saved_by,
                saved_at,
                carried_on=carried.intake_on if carried else None,
                carry_pending=bool(slug) and section.is_carried_proposal,
            )
        )
    return rows
