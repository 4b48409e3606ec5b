"""Section forms: demographics, indication and current episode, vitals.

Their fields, fieldsets and branching come from the declaration
(screening/questionnaire/sections/basics.py); what stays here is particular to a page:
a default, a cross-field check.
"""

from typing import Any

from django import forms

from screening.forms.declared import DeclaredSectionForm, declare


class DemographicsForm(DeclaredSectionForm):
    slug = "demographics"


class IndicationForm(DeclaredSectionForm):
    slug = "indication"

    def clean_index_trauma_year(self) -> int | None:
        year = self.cleaned_data.get("index_trauma_year")
        if year is not None and year > self.intake.intake_on.year:
            raise forms.ValidationError(
                f"Enter a year no later than {self.intake.intake_on.year}, the year of "
                "the intake."
            )
        return year


class VitalsForm(DeclaredSectionForm):
    slug = "vitals"

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


declare(DemographicsForm, "demographics")
declare(
    IndicationForm,
    "indication",
    primary={"error_messages": {"required": "Choose the primary indication."}},
)
declare(VitalsForm, "vitals")
