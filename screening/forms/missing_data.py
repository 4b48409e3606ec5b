"""The form that accepts one missing answer as unknown, for every rule waiting on it."""

import re
from typing import Any

from django import forms

from screening.forms.reviews import NOTE_REQUIRED
from screening.models import MissingAnswerAcceptance

# An intake/1 field path as the rule book writes it: `mh.x`, `medications[1].name`.
_PATH = re.compile(r"^[a-z][a-z0-9_]*(?:\[[0-9]{1,3}\]|\.[a-z0-9_]+){0,6}$")


class MissingAnswerForm(forms.Form):
    path = forms.CharField(max_length=200, widget=forms.HiddenInput)
    reason_code = forms.ChoiceField(
        label="Accept as unknown because",
        choices=MissingAnswerAcceptance.Reason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        help_text="Required with 'other'.",
    )

    def __init__(self, *args: Any, path: str = "", **kwargs: Any) -> None:
        data = args[0] if args else kwargs.get("data")
        if data is not None:
            path = data.get("path", "")
        safe = re.sub(r"[^a-z0-9]+", "-", path) if _PATH.match(path or "") else "item"
        # One of these per missing answer on the page: ids unique per answer.
        kwargs.setdefault("auto_id", f"id_missing_{safe}_%s")
        kwargs.setdefault("initial", {"path": path})
        super().__init__(*args, **kwargs)

    def clean_path(self) -> str:
        path: str = self.cleaned_data["path"]
        if not _PATH.match(path):
            raise forms.ValidationError("This answer is not part of the screening.")
        return path

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason_code") == "other" and not data.get("note", "").strip():
            self.add_error("note", NOTE_REQUIRED)
        return data
