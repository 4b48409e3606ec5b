"""Section form: substance use (AUDIT-C, DAST-10 by topic, disorders, drug use).

Its instruments, lists, fields, fieldsets and branching come from the declaration
(screening/questionnaire/sections/substance_use.py); the rows keep their grid layout.
"""

from typing import Any

from crispy_forms.layout import Layout

from screening import questionnaire
from screening.forms.declared import (
    InstrumentsForm,
    asked_name,
    declare,
    row_fields,
)
from screening.forms.layout import grid_row
from screening.forms.sections import RowForm, RowsBlock, asked_field

SUD = "substance_use.substance_use_disorders"
NMU = "substance_use.non_medical_use"
_REMOVE = {
    "select": True,
    "error_messages": {"required": "Choose the substance, or tick \u201cRemove\u201d."},
}
_SELECT = {"select": True}


class DisorderRow(RowForm):
    def row_layout(self) -> Layout:
        return Layout(
            grid_row(("substance", 4), ("severity", 4), ("status", 4)),
            grid_row(("last_met_criteria", 4), ("detail", 8)),
        )


class NonMedicalUseRow(RowForm):
    def row_layout(self) -> Layout:
        return Layout(
            grid_row(("substance", 4), ("route", 4), ("pattern", 4)),
            grid_row(("last_use", 4), ("detail", 8)),
        )


DisorderRow.base_fields.update(
    row_fields(
        questionnaire.row_list(SUD),
        substance=_REMOVE,
        severity=_SELECT,
        status=_SELECT,
    )
)
NonMedicalUseRow.base_fields.update(
    row_fields(questionnaire.row_list(NMU), substance=_REMOVE, pattern=_SELECT)
)
ROW_FORMS: dict[str, type[RowForm]] = {SUD: DisorderRow, NMU: NonMedicalUseRow}


class SubstanceUseForm(InstrumentsForm):
    slug = "substance-use"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Both screeners belong to every intake: offered as given on a new section.
        self.offer_expected(first_time=not self.section_row.is_saved)

    def make_blocks(self) -> None:
        for rows in questionnaire.section(self.section).lists:
            self.blocks[rows.form_prefix] = RowsBlock(
                self,
                asked=asked_name(rows),
                path=rows.path,
                row_form=ROW_FORMS[rows.path],
                prefix=rows.form_prefix,
                noun=rows.noun,
            )

    def build(self) -> dict[str, Any]:
        value = self.instrument_values()
        for rows in questionnaire.section(self.section).lists:
            value[rows.path.split(".")[1]] = self.blocks[rows.form_prefix].build()
        for asked in questionnaire.section(self.section).questions:
            value[asked.name] = self.answer(asked.name)
        return value


declare(SubstanceUseForm, "substance-use")
SubstanceUseForm.declare_paths()
for _rows in questionnaire.section("substance_use").lists:
    SubstanceUseForm.base_fields[asked_name(_rows)] = asked_field(
        _rows.asked_label, _rows.none_label
    )
    SubstanceUseForm.paths = {
        **SubstanceUseForm.paths,
        asked_name(_rows): _rows.path.split(".")[1],
    }
