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
from screening.models import Intake

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
START_FROM: Final = "start_from"
CARRIED, BLANK = "carried", "blank"


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

    def __init__(
        self,
        *args: Any,
        autofocus: bool = True,
        carry_source: Intake | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "initial", {"intake_on": timezone.localdate(), START_FROM: CARRIED}
        )
        super().__init__(*args, **kwargs)
        if not autofocus:  # on a page that is about more than starting an intake
            del self.fields["intake_on"].widget.attrs["autofocus"]
        self.carry_source = carry_source
        fields = ["intake_on", "primary_indication"]
        if carry_source is not None:
            # Offered only for a patient with a signed intake (#18).
            self.fields[START_FROM] = forms.ChoiceField(
                label="Start from",
                choices=[
                    (
                        CARRIED,
                        f"The intake of {carry_source.intake_on:%Y-%m-%d}: its history "
                        "is proposed, for you to confirm or edit",
                    ),
                    (BLANK, "Empty sections"),
                ],
                widget=forms.RadioSelect,
                error_messages={"required": "Choose what the intake starts from."},
            )
            fields.append(START_FROM)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(Fieldset("New intake", *fields))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day, source = data.get("intake_on"), self.carry_source
        if (
            data.get(START_FROM) == CARRIED
            and source is not None
            and day is not None
            and source.intake_on >= day
        ):
            self.add_error(
                START_FROM,
                f"The intake of {source.intake_on:%Y-%m-%d} is not before "
                f"{day:%Y-%m-%d}: choose empty sections, or a later intake date.",
            )
        return data

    @property
    def carry_from(self) -> Intake | None:
        """The signed intake to start from, if chosen (after is_valid())."""
        chosen = self.cleaned_data.get(START_FROM) == CARRIED
        return self.carry_source if chosen else None

    def clean_intake_on(self) -> date:
        day: date = self.cleaned_data["intake_on"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError(
                f"Enter today ({today:%Y-%m-%d}) or an earlier date: an intake records "
                "a day that has already come."
            )
        return day
