"""Section forms: the medical (21 items) and psychiatric (5 items) checklists.

Their items, notes, fieldsets and labels come from the declaration
(screening/questionnaire/sections/history.py).
"""

from typing import Any

from screening.forms.answers import EventDateField
from screening.forms.declared import DeclaredSectionForm, declare
from screening.intake_format.fields import checklist_answers

DETAIL = "_detail"


class ChecklistForm(DeclaredSectionForm):
    """A history checklist. Every item is written out: no `checklist_default` (2.3)."""

    @classmethod
    def items(cls) -> list[str]:
        """The checklist items, without their notes and the other conditions."""
        return [
            name for name in cls.base_fields if f"{name}{DETAIL}" in cls.base_fields
        ]

    @classmethod
    def initial_from(
        cls, value: Any, reasons: dict[str, str], base: str
    ) -> dict[str, Any]:
        # An imported `checklist_default: "all_false"` shows as the answers it means.
        expanded = {**(value or {}), **checklist_answers(cls.section, value or {})}
        return super().initial_from(expanded, reasons, base)

    def build(self) -> dict[str, Any]:
        value: dict[str, Any] = {}
        items = self.items()
        for item in items:
            if isinstance(self.fields[item], EventDateField):
                value[item] = self.event_date(item)
            else:
                value[item] = self.answer(item)
        for item in items:
            if self.answer(item + DETAIL):
                value[item + DETAIL] = self.answer(item + DETAIL)
        value["other_conditions"] = self.answer("other_conditions") or []
        return value


class MedicalHistoryForm(ChecklistForm):
    slug = "medical-history"


class PsychiatricHistoryForm(ChecklistForm):
    slug = "psychiatric-history"


declare(MedicalHistoryForm, "medical-history")
declare(PsychiatricHistoryForm, "psychiatric-history")
