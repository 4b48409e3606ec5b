"""Section forms of the three lists: allergies, medications, antidepressant trials.

Each is "Was this asked?" plus rows (intake-format.md 2.1: null = not asked, [] = none).
"""

from typing import Any, ClassVar

from crispy_forms.layout import Fieldset, Layout

from screening.forms.answers import (
    ChoiceAnswerField,
    DecimalAnswerField,
    TextAnswerField,
    YesNoField,
)
from screening.forms.layout import Rows, grid_row, hidden_if, shown_if
from screening.forms.questions import (
    DOSE_OVERRIDE,
    LABELS,
    MEDICATION_CLASS,
    NO_OVERRIDE,
    ROW_NOUNS,
    TRIAL_OUTCOME,
    TRIAL_TARGET,
)
from screening.forms.sections import RowForm, RowsBlock, SectionForm, asked_field

TOP_DOSE_MG = 100_000  # intake.schema.json: 0 < dose <= 100000 mg/day


def _label(path: str) -> str:
    text = LABELS[path]
    return text[:1].upper() + text[1:]


def dose_field(path: str) -> DecimalAnswerField:
    return DecimalAnswerField(
        label=_label(path),
        min_value=0,
        max_value=TOP_DOSE_MG,
        exclusive_minimum=True,
        max_places=4,
        unit="mg/day",
        help_text="Convert micrograms to mg: 75 µg is 0.075.",
    )


class AllergyRow(RowForm):
    substance = TextAnswerField(
        label=_label("allergies[].substance"),
        required=True,
        required_message="Enter the allergen, or tick \u201cRemove\u201d.",
    )
    reaction = TextAnswerField(
        label=_label("allergies[].reaction"), help_text="For example: rash."
    )

    def row_layout(self) -> Layout:
        return Layout(grid_row(("substance", 6), ("reaction", 6)))


class MedicationRow(RowForm):
    paths: ClassVar = {"drug_class": "class"}

    name = TextAnswerField(
        label=_label("medications[].name"),
        required=True,
        required_message="Enter the medication's name, or tick \u201cRemove\u201d.",
        help_text="For a benzodiazepine, start with the drug: \u201clorazepam\u201d.",
    )
    drug_class = ChoiceAnswerField(
        choices=MEDICATION_CLASS,
        label=_label("medications[].class"),
        nullable=False,
        select=True,
        error_messages={"required": "Choose the medication's class (or Other)."},
    )
    daily_dose_mg = dose_field("medications[].daily_dose_mg")

    def row_layout(self) -> Layout:
        return Layout(grid_row(("name", 4), ("drug_class", 4), ("daily_dose_mg", 4)))


class TrialRow(RowForm):
    clinician_only: ClassVar = (
        "dose_adequate_override",
        "dose_adequate_override_reason",
    )
    drug = TextAnswerField(
        label=_label("antidepressant_trials[].drug"),
        required=True,
        required_message="Enter the drug, or tick \u201cRemove\u201d.",
        help_text="With its formulation, for example \u201cvenlafaxine XR\u201d.",
    )
    daily_dose_mg = dose_field("antidepressant_trials[].daily_dose_mg")
    weeks_at_dose = DecimalAnswerField(
        label=_label("antidepressant_trials[].weeks_at_dose"),
        min_value=0,
        max_value=520,
        unit="weeks",
    )
    adherence_pct = DecimalAnswerField(
        label=_label("antidepressant_trials[].adherence_pct"),
        min_value=0,
        max_value=100,
        unit="%",
    )
    outcome = ChoiceAnswerField(
        choices=TRIAL_OUTCOME, label=_label("antidepressant_trials[].outcome")
    )
    improvement_pct = DecimalAnswerField(
        label=_label("antidepressant_trials[].improvement_pct"),
        min_value=-100,
        max_value=100,
        unit="%",
    )
    current_episode = YesNoField(
        label=_label("antidepressant_trials[].current_episode")
    )
    ongoing = YesNoField(
        label=_label("antidepressant_trials[].ongoing"), nullable=False, initial="no"
    )
    stopped_reason = TextAnswerField(
        label=_label("antidepressant_trials[].stopped_reason")
    )
    target = ChoiceAnswerField(
        choices=TRIAL_TARGET, label=_label("antidepressant_trials[].target")
    )
    dose_adequate_override = ChoiceAnswerField(
        choices=DOSE_OVERRIDE,
        null_label=NO_OVERRIDE,
        reason=False,
        label=_label("antidepressant_trials[].dose_adequate_override"),
        help_text="Replaces the dose-table comparison for this trial.",
    )
    dose_adequate_override_reason = TextAnswerField(
        label=_label("antidepressant_trials[].dose_adequate_override_reason"),
        help_text="For example: older adult, or drug not in the table.",
    )

    def row_layout(self) -> Layout:
        return Layout(
            grid_row(("drug", 6), ("daily_dose_mg", 3), ("weeks_at_dose", 3)),
            grid_row(("adherence_pct", 3), ("improvement_pct", 3), ("outcome", 6)),
            "current_episode",
            "target",
            "ongoing",
            hidden_if("ongoing=yes", "stopped_reason"),
            *(
                [
                    "dose_adequate_override",
                    shown_if(
                        "dose_adequate_override=yes|no",
                        "dose_adequate_override_reason",
                    ),
                ]
                if self.may_enter_clinician_answers
                else []
            ),
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


class ListSectionForm(SectionForm):
    """A section that is one list."""

    row_form: ClassVar[type[RowForm]]
    legend: ClassVar[str]
    asked = asked_field("Was this asked?")

    def make_blocks(self) -> None:
        self.blocks["rows"] = RowsBlock(
            self,
            asked="asked",
            path=self.section,
            row_form=self.row_form,
            prefix="rows",
            noun=ROW_NOUNS[self.section],
        )

    @classmethod
    def path_of(cls, name: str) -> str:
        return "" if name == "asked" else super().path_of(name)

    def layout(self) -> Layout:
        return Layout(Fieldset(self.legend, "asked", Rows("rows")))

    def build(self) -> list[dict[str, Any]] | None:
        return self.blocks["rows"].build()


class AllergiesForm(ListSectionForm):
    section = "allergies"
    title = "Allergies"
    legend = (
        "Known allergies (ketamine or esketamine hypersensitivity is asked in the "
        "medical history)"
    )
    row_form = AllergyRow


class MedicationsForm(ListSectionForm):
    section = "medications"
    title = "Current medications"
    legend = "Medications taken now (past antidepressants go under trials)"
    row_form = MedicationRow


class TrialsForm(ListSectionForm):
    section = "antidepressant_trials"
    title = "Antidepressant trials"
    legend = "One row per trial of one drug, from any episode"
    row_form = TrialRow
