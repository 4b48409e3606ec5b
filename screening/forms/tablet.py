"""The patient's forms on the clinic tablet (issue #17): the code, one answer.

Every word a patient reads is marked for translation (English, Spanish).
"""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from screening.services.self_reports import ALPHABET, CODE_LENGTH, normalise_code


class CodeForm(forms.Form):
    language = forms.ChoiceField(
        label="Language / Idioma",
        choices=settings.PATIENT_LANGUAGES,
        initial="en",
        widget=forms.RadioSelect,
    )
    code = forms.CharField(
        label=_("Code from staff"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "form-control form-control-lg tablet-code",
            }
        ),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
            raise forms.ValidationError(
                _("Type the 8 letters and numbers the staff gave you.")
            )
        return code


class AnswerForm(forms.Form):
    """One question: a choice among the options, or a few lines of text."""

    def __init__(
        self,
        *args: Any,
        choices: list[tuple[str, str]] | None,
        label: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if choices is None:
            self.fields["answer"] = forms.CharField(
                label=label,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 4, "class": "form-control-lg"}),
                error_messages={"required": _('Write your answer, or write "none".')},
            )
        else:
            self.fields["answer"] = forms.ChoiceField(
                label=label,
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose one answer.")},
            )


class ConsentForm(forms.Form):
    """The consent page: "I agree" and the patient's full name as their signature."""

    agree = forms.BooleanField(
        label=_("I have read this and I agree"),
        error_messages={
            "required": _(
                'Tick "I have read this and I agree", or choose to talk to staff first.'
            )
        },
    )
    typed_name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        error_messages={"required": _("Type your full name.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "name",
                "spellcheck": "false",
                "class": "form-control form-control-lg",
            }
        ),
    )

    def clean_typed_name(self) -> str:
        name = " ".join(self.cleaned_data["typed_name"].split())
        if not name:
            raise forms.ValidationError(_("Type your full name."))
        return name
