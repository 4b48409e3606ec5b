"""Intake forms: start an intake, and which form edits which section page."""

from datetime import date
from typing import Any, Final

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils import timezone

from screening.forms.answers import DATE_FORMATS
from screening.forms.basics import DemographicsForm, IndicationForm, VitalsForm
from screening.forms.history import MedicalHistoryForm, PsychiatricHistoryForm
from screening.forms.lists import AllergiesForm, MedicationsForm, TrialsForm
from screening.forms.questions import PRIMARY_INDICATION
from screening.forms.scales import ClinicianScalesForm, ScalesForm
from screening.forms.sections import SectionForm
from screening.forms.substance import SubstanceUseForm

# URL slug -> the form of that page. A fixed list: the slug never carries PHI.
SECTION_FORMS: Final[dict[str, type[SectionForm]]] = {
    "demographics": DemographicsForm,
    "indication": IndicationForm,
    "vitals": VitalsForm,
    "medical-history": MedicalHistoryForm,
    "psychiatric-history": PsychiatricHistoryForm,
    "allergies": AllergiesForm,
    "medications": MedicationsForm,
    "antidepressant-trials": TrialsForm,
    "substance-use": SubstanceUseForm,
    "scales": ScalesForm,
}
CLINICIAN_FORM: Final = ClinicianScalesForm


class IntakeCreateForm(forms.Form):
    intake_on = forms.DateField(
        label="Intake date",
        input_formats=DATE_FORMATS,
        help_text="The day the answers describe, as YYYY-MM-DD.",
        error_messages={
            "required": "Enter the intake date as YYYY-MM-DD.",
            "invalid": "Enter a real date as YYYY-MM-DD, for example 2025-03-14.",
        },
        widget=forms.DateInput(
            format="%Y-%m-%d",
            attrs={
                "class": "form-control",
                "placeholder": "YYYY-MM-DD",
                "autofocus": True,
            },
        ),
    )
    primary_indication = forms.ChoiceField(
        choices=PRIMARY_INDICATION,
        widget=forms.RadioSelect,  # crispy's radio template adds the Bootstrap class
        label="Primary indication",
        error_messages={"required": "Choose the primary indication."},
    )

    def __init__(self, *args: Any, autofocus: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"intake_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if not autofocus:  # on a page that is about more than starting an intake
            del self.fields["intake_on"].widget.attrs["autofocus"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset("New intake", "intake_on", "primary_indication")
        )

    def clean_intake_on(self) -> date:
        day: date = self.cleaned_data["intake_on"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError(
                f"Enter today ({today:%Y-%m-%d}) or an earlier date: an intake records "
                "a day that has already come."
            )
        return day
