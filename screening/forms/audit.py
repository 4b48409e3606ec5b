"""The audit report's filter (date range, user, patient id, action, sort column) and
the lookup that turns a patient's MRN into the id the filter takes."""

from datetime import UTC, datetime, time
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.forms import BoundField

from screening.audit import Event
from screening.forms import inputs
from screening.forms.answers import Select, SharedChoicesField
from screening.models import AuditEvent, Clinic, Patient
from screening.services import patients

# The report's dates read like every other date in the app (intake-format.md).
DATE_FORMATS = ["%Y-%m-%d"]

# Columns the report shows and sorts by (model field names).
COLUMNS = (
    ("seq", "#"),
    ("occurred_at", "Time (UTC)"),
    ("actor_username", "User"),
    ("actor_role", "Role"),
    ("clinic_id", "Clinic"),
    ("patient_id", "Patient"),
    ("action", "Action"),
    ("data_category", "Category"),
    ("object_type", "Object"),
    ("object_id", "Object id"),
    ("outcome", "Outcome"),
    ("source_ip", "Address"),
    ("request_id", "Request"),
)
SORTS = [(name, label) for name, label in COLUMNS] + [
    (f"-{name}", f"{label} (descending)") for name, label in COLUMNS
]
DEFAULT_SORT = "-seq"

# The filter's columns: Bootstrap grid classes by field, in the order shown.
FILTER_COLUMNS = {
    "date_from": "col-sm-6 col-lg-2",
    "date_to": "col-sm-6 col-lg-2",
    "user": "col-sm-6 col-lg-3",
    "patient": "col-sm-6 col-lg-2",
    "action": "col-sm-12 col-lg-3",
}


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(
        required=False,
        label="From",
        input_formats=DATE_FORMATS,
        error_messages={"invalid": "Enter the first day as YYYY-MM-DD."},
        widget=inputs.DateInput(
            format="%Y-%m-%d",
            attrs={
                "placeholder": "YYYY-MM-DD",
                "size": 11,
                "class": "dateinput form-control",
            },
        ),
        help_text="First day included, YYYY-MM-DD.",
    )
    date_to = forms.DateField(
        required=False,
        label="To",
        input_formats=DATE_FORMATS,
        error_messages={"invalid": "Enter the last day as YYYY-MM-DD."},
        widget=inputs.DateInput(
            format="%Y-%m-%d",
            attrs={
                "placeholder": "YYYY-MM-DD",
                "size": 11,
                "class": "dateinput form-control",
            },
        ),
        help_text="Last day included, YYYY-MM-DD.",
    )
    user = forms.CharField(
        required=False,
        max_length=150,
        label="Username",
        widget=inputs.TextInput(attrs={"class": "textinput form-control"}),
    )
    patient = forms.IntegerField(
        required=False,
        min_value=1,
        label="Patient id",
        widget=inputs.NumberInput(attrs={"class": "numberinput form-control"}),
        help_text="The number only; find it by MRN below.",
        error_messages={
            "invalid": "Enter the patient id, a number; to use an MRN, find it below."
        },
    )
    # Options written in Python, not one template each (the action list is long),
    # and kept from request to request: the choices are shared by every form (#19).
    # The inputs too are written in Python, not through input.html (#19).
    action = SharedChoicesField(
        required=False,
        choices=[("", "Any action"), *Event.choices],
        widget=Select(attrs={"class": "select form-select"}),
    )
    sort = forms.ChoiceField(
        required=False, choices=SORTS, widget=inputs.HiddenInput, initial=DEFAULT_SORT
    )

    def columns(self) -> list[tuple[BoundField, str]]:
        """The visible fields with their grid columns. The template writes the markup
        crispy-forms wrote: its layout cost the report more than its table (#19)."""
        return [(marked(self[name]), column) for name, column in FILTER_COLUMNS.items()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "Choose a last day on or after the first day.")
        return data

    def filter(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """Apply the cleaned filters and sort to a clinic-scoped queryset."""
        data = self.cleaned_data
        conditions = Q()
        if data.get("date_from"):
            start = datetime.combine(data["date_from"], time.min, tzinfo=UTC)
            conditions &= Q(occurred_at__gte=start)
        if data.get("date_to"):
            end = datetime.combine(data["date_to"], time.max, tzinfo=UTC)
            conditions &= Q(occurred_at__lte=end)
        if data.get("user"):
            conditions &= Q(actor_username=data["user"])
        if data.get("patient"):
            conditions &= Q(patient_id=data["patient"])
        if data.get("action"):
            conditions &= Q(action=data["action"])
        sort = data.get("sort") or DEFAULT_SORT
        # seq breaks ties, so pages never overlap.
        return events.filter(conditions).order_by(sort, "-seq")


def marked(field: BoundField) -> BoundField:
    """The field, its widget marked invalid and linked to its error when it has one,
    as crispy-forms marked it (the report's forms are written out in its template)."""
    if field.errors:
        widget = field.field.widget
        described = [f"{field.auto_id}_error"]
        if field.help_text:
            described.insert(0, f"{field.auto_id}_helptext")
        widget.attrs = {
            **widget.attrs,
            "class": f"{widget.attrs['class'].removesuffix(' is-invalid')} is-invalid",
            # The error is read with the field.
            "aria-describedby": " ".join(described),
        }
    return field


class PatientLookupForm(forms.Form):
    """An exact MRN, resolved to the patient's id in the auditor's clinics.

    Posted, never in a URL: the MRN identifies a person. The report then filters by
    the id, and the page never shows the patient's name.
    """

    mrn = forms.CharField(
        label="Patient MRN",
        max_length=64,
        widget=inputs.TextInput(attrs={"class": "textinput form-control"}),
        help_text="The exact MRN; the log is then shown for that patient.",
        error_messages={"required": "Enter the patient's MRN."},
    )

    def __init__(self, *args: Any, clinics: QuerySet[Clinic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinics = clinics
        self.patient: Patient | None = None

    def shown_mrn(self) -> BoundField:
        return marked(self["mrn"])

    def clean_mrn(self) -> str:
        mrn = self.cleaned_data["mrn"].strip()
        found = list(patients.list_patients_by_mrn(self.clinics, mrn)[:2])
        if not found:
            raise forms.ValidationError("No patient in your clinics has this MRN.")
        if len(found) > 1:
            raise forms.ValidationError(
                "This MRN is in more than one of your clinics: filter by the "
                "patient id instead."
            )
        self.patient = found[0]
        return mrn
