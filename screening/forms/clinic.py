"""The clinic admin's forms: a text pack upload, the patient settings (#17)."""

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings

from screening.models import PatientSettings
from screening.services import text_packs

MAX_PACK_BYTES = 256 * 1024


class TextPackUploadForm(forms.Form):
    file = forms.FileField(
        label="Text pack (JSON)",
        help_text="One instrument in one language, in the text-pack/1 format.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self) -> text_packs.CheckedPack:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_PACK_BYTES:
            raise forms.ValidationError(
                "A text pack is at most 256 KB. Check the file."
            )
        try:
            return text_packs.parse_pack(upload.read())
        except text_packs.TextPackError as refused:
            raise forms.ValidationError(refused.problems) from None


class PatientSettingsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    languages = forms.MultipleChoiceField(
        label="Languages offered to patients",
        choices=settings.PATIENT_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "A scored questionnaire is offered in a language only once a text pack "
            "for it is loaded."
        ),
    )

    def __init__(self, *args: Any, found: PatientSettings, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "version": found.version,
                "languages": found.languages,
                **{
                    f"crisis_{code}": (found.crisis_texts or {}).get(code, "")
                    for code, _ in settings.PATIENT_LANGUAGES
                },
            },
        )
        super().__init__(*args, **kwargs)
        for code, name in settings.PATIENT_LANGUAGES:
            self.fields[f"crisis_{code}"] = forms.CharField(
                label=f"Crisis text ({name})",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=(
                    "Shown to every patient on the finish page. Leave it empty for "
                    "the default, which names the 988 Suicide & Crisis Lifeline."
                ),
            )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def crisis_texts(self) -> dict[str, str]:
        return {
            code: self.cleaned_data.get(f"crisis_{code}", "")
            for code, _ in settings.PATIENT_LANGUAGES
        }
