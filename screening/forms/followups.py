"""Forms of the follow-ups a clinician closes: an urgent marker, a re-review."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms

from screening.models import UrgentMarker
from screening.services.urgent import CLEARANCES


class UrgentClearForm(forms.Form):
    """Record what was done about one open trigger of the urgent marker."""

    trigger = forms.ChoiceField(
        choices=UrgentMarker.Trigger.choices, widget=forms.HiddenInput
    )
    resolution = forms.ChoiceField(label="What was done", widget=forms.RadioSelect)
    note = forms.CharField(
        label="Note",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A short note, kept with the intake: what was done, or what was "
        "wrong.",
    )

    def __init__(self, *args: Any, trigger: str = "", **kwargs: Any) -> None:
        data = args[0] if args else kwargs.get("data")
        if data is not None:
            trigger = data.get("trigger", "")
        if trigger not in UrgentMarker.Trigger.values:
            trigger = UrgentMarker.Trigger.URGENT_FLAG
        # One form per open trigger on the page: ids unique per trigger.
        kwargs.setdefault("auto_id", f"id_urgent_{trigger}_%s")
        kwargs.setdefault("initial", {"trigger": trigger})
        super().__init__(*args, **kwargs)
        labels = dict(UrgentMarker.Resolution.choices)
        self.fields["resolution"].choices = [
            (code, labels[code]) for code in CLEARANCES[trigger]
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout("trigger", "resolution", "note")


class ReReviewCloseForm(forms.Form):
    reason = forms.CharField(
        label="Why the signed result stands",
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="In a sentence: why the new rules change nothing for this patient.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout("reason")
