"""Patient forms: create and edit a patient record, and search (always POSTed)."""

from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.utils import timezone

from screening.forms.answers import DATE_FORMATS
from screening.forms.questions import SEX
from screening.models import Clinic, Patient


class PatientForm(forms.ModelForm):
    sex_for_scoring = forms.ChoiceField(
        choices=[*SEX, ("", "Not recorded")],
        required=False,
        widget=forms.RadioSelect,  # crispy's radio template adds the Bootstrap class
        label="Sex for scoring",
        help_text="Picks sex-specific cut-offs (AUDIT-C). Leave it not recorded when a "
        "clinician has yet to choose.",
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        input_formats=DATE_FORMATS,
        error_messages={
            "required": "Enter the date of birth as YYYY-MM-DD.",
            "invalid": "Enter a real date as YYYY-MM-DD, for example 1980-05-17.",
        },
        widget=forms.DateInput(
            format="%Y-%m-%d",
            attrs={"placeholder": "YYYY-MM-DD", "autocomplete": "off"},
        ),
    )

    class Meta:
        model = Patient
        fields = [
            "mrn",
            "family_name",
            "given_name",
            "date_of_birth",
            "sex_for_scoring",
        ]
        labels = {"mrn": "MRN (medical record number)"}
        error_messages = {
            "mrn": {"required": "Enter the patient's MRN."},
            "family_name": {"required": "Enter the family name."},
            "given_name": {"required": "Enter the given name."},
        }

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        for name in ("family_name", "given_name"):
            self.fields[name].required = True
        self.fields["mrn"].widget.attrs["autofocus"] = True
        for name in ("mrn", "family_name", "given_name"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                "Patient",
                "mrn",
                Div(
                    Div("family_name", css_class="col-md-6"),
                    Div("given_name", css_class="col-md-6"),
                    css_class="row",
                ),
                "date_of_birth",
                "sex_for_scoring",
            )
        )

    def clean_mrn(self) -> str:
        mrn: str = self.cleaned_data["mrn"].strip()
        taken = Patient.objects.filter(clinic=self.clinic, mrn=mrn)
        if self.instance.pk is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                "Another patient in this clinic has this MRN. Check the number, or "
                "find that patient in the list."
            )
        return mrn

    def clean_date_of_birth(self) -> date:
        born: date = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError(
                "The date of birth is in the future. Enter the date the patient was "
                "born."
            )
        return born

    def clean_sex_for_scoring(self) -> str | None:
        return self.cleaned_data.get("sex_for_scoring") or None

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PatientSearchForm(forms.Form):
    """Written by the patient list's `patient_search` tag, not crispy (#19)."""

    q = forms.CharField(
        label="Find a patient",
        max_length=200,
        help_text="MRN, family or given name, or date of birth (YYYY-MM-DD).",
        error_messages={
            "required": "Type an MRN, a name or a date of birth to search."
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "type": "search", "autofocus": True}
        ),
    )
