"""The audit report's filter: date range, user, patient id, action and sort column."""

from datetime import UTC, datetime, time
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.db.models import Q, QuerySet

from screening.audit import Event
from screening.models import AuditEvent

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


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="First day included.",
    )
    date_to = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Last day included.",
    )
    user = forms.CharField(required=False, max_length=150, label="Username")
    patient = forms.IntegerField(
        required=False, min_value=1, label="Patient id", help_text="The number only."
    )
    action = forms.ChoiceField(
        required=False, choices=[("", "Any action"), *Event.choices]
    )
    sort = forms.ChoiceField(
        required=False, choices=SORTS, widget=forms.HiddenInput, initial=DEFAULT_SORT
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                "Filter",
                Div(
                    Div("date_from", css_class="col-sm-6 col-lg-2"),
                    Div("date_to", css_class="col-sm-6 col-lg-2"),
                    Div("user", css_class="col-sm-6 col-lg-3"),
                    Div("patient", css_class="col-sm-6 col-lg-2"),
                    Div("action", css_class="col-sm-12 col-lg-3"),
                    css_class="row",
                ),
                "sort",
            )
        )

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
