"""Section forms of the three lists: allergies, medications, antidepressant trials.

Each is "Was this asked?" plus rows (intake-format.md 2.1: null = not asked, [] = none).
"""

from typing import Any, ClassVar

from crispy_forms.layout import Fieldset, Layout

from screening import questionnaire
from screening.forms.declared import asked_name, row_fields, row_layout
from screening.forms.layout import Rows, grid_row
from screening.forms.sections import RowForm, RowsBlock, SectionForm, asked_field
from screening.questionnaire.model import CLINICIAN


class AllergyRow(RowForm):
    def row_layout(self) -> Layout:
        return Layout(grid_row(("substance", 6), ("reaction", 6)))


class MedicationRow(RowForm):
    paths: ClassVar = {"drug_class": "class"}

    def row_layout(self) -> Layout:
        return Layout(grid_row(("name", 4), ("drug_class", 4), ("daily_dose_mg", 4)))


_TRIALS = questionnaire.row_list("antidepressant_trials")


class TrialRow(RowForm):
    # The declaration's "who may enter it": the dose-adequacy override and its reason.
    clinician_only: ClassVar = tuple(
        question.name for question in _TRIALS.row if question.entry == CLINICIAN
    )

    def row_layout(self) -> Layout:
        names = [
            "current_episode",
            "target",
            "ongoing",
            "stopped_reason",
            "dose_adequate_override",
            "dose_adequate_override_reason",
        ]
        if not self.may_enter_clinician_answers:
            names = [name for name in names if name not in self.clinician_only]
        return Layout(
            grid_row(("drug", 6), ("daily_dose_mg", 3), ("weeks_at_dose", 3)),
            grid_row(("adherence_pct", 3), ("improvement_pct", 3), ("outcome", 6)),
            *row_layout(_TRIALS, *names),
        )

    def build_row(self) -> dict[str, Any]:
        ongoing = self.answer("ongoing") is True
        override = self.answer("dose_adequate_override")
        return {
            "drug": self.answer("drug"),
            "daily_dose_mg": self.answer("daily_dose_mg"),
            "weeks_at_dose": self.answer("weeks_at_dose"),
            "adherence_pct": self.answer("adherence_pct"),
            "outcome": self.answer("outcome"),
            "improvement_pct": self.answer("improvement_pct"),
            "current_episode": self.answer("current_episode"),
            "ongoing": ongoing,
            # A trial still taken was not stopped; a reason needs an override.
            "stopped_reason": None if ongoing else self.answer("stopped_reason"),
            "target": self.answer("target"),
            "dose_adequate_override": {"yes": True, "no": False}.get(override),
            "dose_adequate_override_reason": (
                None
                if override is None
                else self.answer("dose_adequate_override_reason")
            ),
        }

    @classmethod
    def initial_from(
        cls, value: Any, reasons: dict[str, str], base: str
    ) -> dict[str, Any]:
        initial = super().initial_from(value, reasons, base)
        override = (value or {}).get("dose_adequate_override")
        initial["dose_adequate_override"] = {True: "yes", False: "no"}.get(override, "")
        initial["ongoing"] = "yes" if (value or {}).get("ongoing") else "no"
        return initial


_REQUIRED = {
    "substance": "Enter the allergen, or tick \u201cRemove\u201d.",
    "name": "Enter the medication's name, or tick \u201cRemove\u201d.",
    "drug": "Enter the drug, or tick \u201cRemove\u201d.",
}
AllergyRow.base_fields.update(
    row_fields(
        questionnaire.row_list("allergies"),
        substance={"required_message": _REQUIRED["substance"]},
    )
)
MedicationRow.base_fields.update(
    row_fields(
        questionnaire.row_list("medications"),
        {"class": "drug_class"},
        name={"required_message": _REQUIRED["name"]},
        drug_class={
            "select": True,
            "error_messages": {"required": "Choose the medication's class (or Other)."},
        },
    )
)
TrialRow.base_fields.update(
    row_fields(
        questionnaire.row_list("antidepressant_trials"),
        # No initial "still taking it" answer, not even No on a new row (#16: nothing is
        # pre-set; a row typed without it says so beside the question).
        drug={"required_message": _REQUIRED["drug"]},
    )
)


class ListSectionForm(SectionForm):
    """A section that is one list: its legend, rows and labels from the declaration."""

    row_form: ClassVar[type[RowForm]]
    legend: ClassVar[str]

    def make_blocks(self) -> None:
        rows = questionnaire.row_list(self.section)
        self.blocks["rows"] = RowsBlock(
            self,
            asked=asked_name(rows),
            path=self.section,
            row_form=self.row_form,
            prefix=rows.form_prefix,
            noun=rows.noun,
        )

    @classmethod
    def path_of(cls, name: str) -> str:
        return "" if name == "asked" else super().path_of(name)

    def layout(self) -> Layout:
        return Layout(Fieldset(self.legend, "asked", Rows("rows")))

    def build(self) -> list[dict[str, Any]] | None:
        return self.blocks["rows"].build()


class AllergiesForm(ListSectionForm):
    row_form = AllergyRow


class MedicationsForm(ListSectionForm):
    row_form = MedicationRow


class TrialsForm(ListSectionForm):
    row_form = TrialRow


for _form, _slug in (
    (AllergiesForm, "allergies"),
    (MedicationsForm, "medications"),
    (TrialsForm, "antidepressant-trials"),
):
    _page = questionnaire.page(_slug)
    _form.section, _form.title = _page.section, _page.title
    _list = questionnaire.row_list(_page.section)
    _form.legend = _list.legend
    _form.base_fields = {
        "asked": asked_field(_list.asked_label, _list.none_label),
        **_form.base_fields,
    }
