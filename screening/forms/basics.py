"""Section forms: demographics, indication and current episode, vitals."""

from typing import Any

from crispy_forms.layout import Fieldset, Layout
from django import forms

from screening.forms.answers import (
    ChoiceAnswerField,
    DateAnswerField,
    DecimalAnswerField,
    IntegerAnswerField,
    TextAnswerField,
    YesNoField,
)
from screening.forms.layout import hidden_if, shown_if
from screening.forms.questions import (
    EPISODE,
    EPISODE_SEVERITY,
    LABELS,
    PREGNANCY_STATUS,
    PRIMARY_INDICATION,
    SEX,
)
from screening.forms.sections import SectionForm


class DemographicsForm(SectionForm):
    section = "demographics"
    title = "Demographics and reproductive status"

    age = IntegerAnswerField(
        label=LABELS["demographics.age"],
        min_value=0,
        max_value=120,
        unit="years",
        nullable=False,
        help_text="Filled in from the date of birth; correct it if it is wrong.",
    )
    sex_for_scoring = ChoiceAnswerField(
        choices=SEX,
        null_label="Not recorded",
        label=LABELS["demographics.sex_for_scoring"],
        help_text="Picks the AUDIT-C cut-off. Leave it not recorded when a clinician "
        "has yet to choose.",
    )
    reproductive_potential = YesNoField(
        label=LABELS["demographics.reproductive_potential"]
    )
    pregnancy_status = ChoiceAnswerField(
        choices=PREGNANCY_STATUS, label=LABELS["demographics.pregnancy_status"]
    )
    pregnancy_status_basis = TextAnswerField(
        label=LABELS["demographics.pregnancy_status_basis"],
        help_text="For example: urine hCG negative on the intake day.",
    )
    breastfeeding = YesNoField(label=LABELS["demographics.breastfeeding"])

    def layout(self) -> Layout:
        return Layout(
            Fieldset("Patient", "age", "sex_for_scoring"),
            Fieldset(
                "Reproductive status",
                "reproductive_potential",
                hidden_if(
                    "reproductive_potential=no",
                    "pregnancy_status",
                    "pregnancy_status_basis",
                ),
                "breastfeeding",
            ),
        )

    def build(self) -> dict[str, Any]:
        potential = self.answer("reproductive_potential")
        status = self.answer("pregnancy_status")
        basis = self.answer("pregnancy_status_basis")
        if potential is False:
            # Not asked without reproductive potential: its named skip value (2.1).
            status, basis = "not_applicable", None
        return {
            "age": self.answer("age"),
            "sex_for_scoring": self.answer("sex_for_scoring"),
            "reproductive_potential": potential,
            "pregnancy_status": status,
            "pregnancy_status_basis": basis,
            "breastfeeding": self.answer("breastfeeding"),
        }


class IndicationForm(SectionForm):
    section = "indication"
    title = "Indication and current episode"

    primary = ChoiceAnswerField(
        choices=PRIMARY_INDICATION,
        nullable=False,
        label=LABELS["indication.primary"],
        error_messages={"required": "Choose the primary indication."},
    )
    detail = TextAnswerField(
        label=LABELS["indication.detail"],
        help_text="For example what \u201cOther\u201d is.",
    )
    episode = ChoiceAnswerField(choices=EPISODE, label=LABELS["indication.episode"])
    current_episode_start = DateAnswerField(
        label=LABELS["indication.current_episode_start"]
    )
    episode_severity_clinician = ChoiceAnswerField(
        choices=EPISODE_SEVERITY, label=LABELS["indication.episode_severity_clinician"]
    )
    augmentation_used = YesNoField(label=LABELS["indication.augmentation_used"])
    ect_used = YesNoField(label=LABELS["indication.ect_used"])
    index_trauma_year = IntegerAnswerField(
        label=LABELS["indication.index_trauma_year"],
        min_value=1900,
        max_value=2100,
    )

    def layout(self) -> Layout:
        return Layout(
            Fieldset("Indication", "primary", "detail"),
            Fieldset(
                "Current episode",
                "episode",
                "current_episode_start",
                "episode_severity_clinician",
                "augmentation_used",
                "ect_used",
            ),
            shown_if(
                "primary=ptsd", Fieldset("Post-traumatic stress", "index_trauma_year")
            ),
        )

    def clean_index_trauma_year(self) -> int | None:
        year = self.cleaned_data.get("index_trauma_year")
        if year is not None and year > self.intake.intake_on.year:
            raise forms.ValidationError(
                f"Enter a year no later than {self.intake.intake_on.year}, the year of "
                "the intake."
            )
        return year

    def build(self) -> dict[str, Any]:
        value = {
            name: self.answer(name)
            for name in (
                "primary",
                "detail",
                "episode",
                "current_episode_start",
                "episode_severity_clinician",
                "augmentation_used",
                "ect_used",
                "index_trauma_year",
            )
        }
        if value["primary"] != "ptsd":
            value["index_trauma_year"] = None  # asked only for PTSD
        return value

    def hidden_not_asked(self, value: Any) -> list[str]:
        return ["index_trauma_year"] if value.get("primary") != "ptsd" else []


class VitalsForm(SectionForm):
    section = "vitals"
    title = "Vital signs"

    bp_systolic = IntegerAnswerField(
        label=LABELS["vitals.bp_systolic"], min_value=50, max_value=300, unit="mmHg"
    )
    bp_diastolic = IntegerAnswerField(
        label=LABELS["vitals.bp_diastolic"], min_value=20, max_value=200, unit="mmHg"
    )
    heart_rate = IntegerAnswerField(
        label=LABELS["vitals.heart_rate"], min_value=20, max_value=250, unit="bpm"
    )
    bmi = DecimalAnswerField(
        label=LABELS["vitals.bmi"],
        min_value=10,
        max_value=100,
        unit="kg/m²",
        max_places=1,
    )

    def layout(self) -> Layout:
        return Layout(
            Fieldset(
                "Blood pressure (one seated reading at rest)",
                "bp_systolic",
                "bp_diastolic",
            ),
            Fieldset("Heart rate and body-mass index", "heart_rate", "bmi"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        systolic, diastolic = data.get("bp_systolic"), data.get("bp_diastolic")
        if systolic is None or diastolic is None:
            return data
        if diastolic >= systolic:
            self.add_error(
                "bp_diastolic",
                "Diastolic pressure must be lower than systolic pressure. Check both "
                "numbers of the reading and enter them again.",
            )
        elif systolic - diastolic > 200:
            # intake-format.md 4.1: a pulse pressure above 200 mmHg is a mis-entry.
            self.add_error(
                "bp_diastolic",
                "Systolic minus diastolic is more than 200 mmHg, which cannot be one "
                "reading. Check both numbers for a typing error.",
            )
        return data

    def build(self) -> dict[str, Any]:
        return {
            name: self.answer(name)
            for name in ("bp_systolic", "bp_diastolic", "heart_rate", "bmi")
        }
