"""Consent forms (#18): a consent document version, and a patient's consent."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils import timezone

from screening.forms.answers import DATE_FORMATS
from screening.models import ConsentDocument, ConsentRecord

DATETIME_FORMATS = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]


def _helper(legend: str, *fields: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(Fieldset(legend, *fields))
    return helper


class ConsentDocumentForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        error_messages={"required": "Give the document's title."},
    )
    version = forms.CharField(
        max_length=20,
        help_text="For example 2 or 2026-1. A new wording is a new version.",
        error_messages={"required": "Give the version."},
    )
    effective_on = forms.DateField(
        label="Effective date",
        input_formats=DATE_FORMATS,
        help_text="As YYYY-MM-DD.",
        error_messages={
            "required": "Enter the effective date as YYYY-MM-DD.",
            "invalid": "Enter a real date as YYYY-MM-DD, for example 2027-01-01.",
        },
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="The full wording the patient reads.",
        error_messages={"required": "Give the text the patient consents to."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "Title, version and wording", "title", "version", "effective_on", "text"
        )


class ConsentRecordForm(forms.Form):
    document = forms.ModelChoiceField(
        queryset=ConsentDocument.objects.none(),
        label="Consent document",
        empty_label=None,
        error_messages={"required": "Choose the document the patient consented to."},
    )
    method = forms.ChoiceField(
        choices=ConsentRecord.Method.choices,
        widget=forms.RadioSelect,
        label="How the patient consented",
        error_messages={"required": "Choose how the patient consented."},
    )
    consented_at = forms.DateTimeField(
        label="When (UTC)",
        input_formats=DATETIME_FORMATS,
        help_text="As YYYY-MM-DD HH:MM.",
        error_messages={
            "required": "Enter when the patient consented, as YYYY-MM-DD HH:MM.",
            "invalid": "Enter a real date and time as YYYY-MM-DD HH:MM.",
        },
        widget=forms.DateTimeInput(format="%Y-%m-%d %H:%M"),
    )
    witness = forms.CharField(
        max_length=200,
        required=False,
        label="Witness (verbal consent)",
        help_text="Name and role of the member of staff who witnessed it.",
    )
    reference = forms.CharField(
        max_length=200,
        required=False,
        label="Reference",
        help_text="Where the scanned paper is filed, for example its scan number.",
    )

    def __init__(self, *args: Any, documents: list[ConsentDocument], **kwargs: Any):
        kwargs.setdefault("initial", {"consented_at": timezone.now()})
        super().__init__(*args, **kwargs)
        field = self.fields["document"]
        field.queryset = ConsentDocument.objects.filter(  # type: ignore[attr-defined]
            pk__in=[d.pk for d in documents]
        )
        if documents:
            field.initial = documents[0].pk
        field.label_from_instance = lambda d: (  # type: ignore[attr-defined]
            f"{d.title}, version {d.version} (effective {d.effective_on:%Y-%m-%d})"
        )
        self.helper = _helper(
            "Which version, how and when",
            "document",
            "method",
            "consented_at",
            "witness",
            "reference",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        verbal = data.get("method") == ConsentRecord.Method.VERBAL_WITNESSED
        if verbal and not data.get("witness", "").strip():
            self.add_error(
                "witness", "Verbal consent needs its witness: give their name and role."
            )
        when = data.get("consented_at")
        if when is not None and when > timezone.now():
            self.add_error(
                "consented_at", "Consent cannot be given in the future: check the time."
            )
        return data
