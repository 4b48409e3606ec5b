"""Review forms: acknowledge a flag or accept an item as unknown, decide, sign, amend.

Each acknowledgement form is one small form per flag (reason as radio buttons, a
one-line note, Enter submits) inside the flag's details, so a clinician can work down
the summary with the keyboard alone: Enter opens a flag, arrows pick the reason, Tab
reaches the note, Enter acknowledges.
"""

import re
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms

from screening.forms.answers import Select, SharedChoicesField
from screening.models import Acknowledgement, Disposition, Intake, Screening
from screening.reauth import ReauthenticationFields
from screening.services.missing_data import is_missing_data_flag
from screening.worklist import NEEDS_CLINICIAN

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,59}$")
NOTE_REQUIRED = "Say why in the note: it is required when the reason is 'other'."


class AcknowledgementForm(forms.Form):
    """Written by review_tags.ack_form (crispy's markup for its fields, the reasons
    inline), not by crispy: it has no helper to build for each flag (#19)."""

    kind = forms.ChoiceField(
        choices=Acknowledgement.Kind.choices, widget=forms.HiddenInput
    )
    code = forms.CharField(max_length=60, widget=forms.HiddenInput)
    reason_code = forms.ChoiceField(
        label="Acknowledge because", widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        help_text="Required with 'other'.",
    )

    def __init__(
        self,
        *args: Any,
        kind: str = "",
        code: str = "",
        **kwargs: Any,
    ) -> None:
        data = args[0] if args else kwargs.get("data")
        if data is not None:
            kind, code = data.get("kind", ""), data.get("code", "")
        if kind not in Acknowledgement.Kind.values:
            kind = Acknowledgement.Kind.FLAG
        safe_code = code if _CODE.match(code or "") else "item"
        # Many of these forms share a page: ids unique per item keep labels right.
        kwargs.setdefault("auto_id", f"id_{kind}_{safe_code}_%s")
        kwargs.setdefault("initial", {"kind": kind, "code": code})
        super().__init__(*args, **kwargs)
        reasons = (
            Acknowledgement.FlagReason
            if kind == Acknowledgement.Kind.FLAG
            else Acknowledgement.UnknownReason
        )
        reason_field: Any = self.fields["reason_code"]
        reason_field.choices = reasons.choices
        if kind == Acknowledgement.Kind.NOT_EVALUABLE:
            reason_field.label = "Accept as unknown because"

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if not _CODE.match(code):
            raise forms.ValidationError("This item is not part of the screening.")
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason_code") == "other" and not data.get("note", "").strip():
            self.add_error("note", NOTE_REQUIRED)
        is_flag = data.get("kind") == Acknowledgement.Kind.FLAG
        if is_flag and is_missing_data_flag(data.get("code", "")):
            # §5.9 flags count as acknowledged only once every answer they list is
            # entered or accepted as unknown (issue #15): never by a reason alone.
            self.add_error(
                "reason_code",
                "Enter each answer this flag lists, or accept it as unknown under "
                "\u201cWhat is missing\u201d.",
            )
        return data


class DispositionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Disposition",
        choices=Disposition.Decision.choices,
        widget=forms.RadioSelect,
    )
    rationale = forms.CharField(
        label="Rationale",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    override_rationale = forms.CharField(
        label="Override rationale (proceeding despite an absolute contraindication)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required to proceed while an absolute contraindication is flagged.",
    )

    def __init__(
        self, *args: Any, screening: Screening | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.has_absolute = bool(screening and screening.absolute_count)
        fields = ["decision", "rationale"]
        if self.has_absolute:
            fields.append("override_rationale")
        else:
            del self.fields["override_rationale"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        # The section's heading names it (reviews/_disposition.html).
        self.helper.layout = Layout(Fieldset("", *fields))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        proceeds = data.get("decision") == Disposition.Decision.PROCEED
        if proceeds and self.has_absolute:
            if not data.get("override_rationale", "").strip():
                self.add_error(
                    "override_rationale",
                    "An absolute contraindication is flagged: write why you proceed "
                    "despite it, or choose another disposition.",
                )
        elif "override_rationale" in data:
            data["override_rationale"] = ""
        return data


class SignOffForm(ReauthenticationFields):
    # The hash of what the sign page showed, and when it was read: sign-off refuses
    # when the hash no longer matches, and shows what changed since then (issue 13 F1).
    page_sha256 = forms.CharField(
        min_length=64, max_length=64, widget=forms.HiddenInput
    )
    opened_at = forms.DateTimeField(widget=forms.HiddenInput)
    # Required whenever it is shown, but checked by do_sign_off after the page hash:
    # a page that changed gets the changes page, not this field's error.
    confirm_disposition = forms.BooleanField(
        required=False, widget=forms.CheckboxInput(attrs={"aria-required": "true"})
    )

    def __init__(
        self, *args: Any, disposition: Disposition | None = None, **kwargs: Any
    ) -> None:
        """`disposition`: the one the page showed when someone else recorded it; the
        signer must then confirm it explicitly."""
        super().__init__(*args, **kwargs)
        layout: list[Any] = [
            Fieldset("Confirm it is you", "password", "otp_token"),
            "page_sha256",
            "opened_at",
        ]
        if disposition is None:
            del self.fields["confirm_disposition"]
        else:
            author = disposition.decided_by.get_username()
            self.fields["confirm_disposition"].label = (
                f"I have read the disposition {author} recorded "
                f"({disposition.get_decision_display()}) and sign it as my own."
            )
            layout.insert(
                0, Fieldset("The disposition you sign", "confirm_disposition")
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*layout)

    def clean_page_sha256(self) -> str:
        value: str = self.cleaned_data["page_sha256"]
        if not re.fullmatch(r"[0-9a-f]{64}", value):
            raise forms.ValidationError("Reload the summary and sign again.")
        return value


class AddendumForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the addendum",
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What needs correcting, in a sentence. It is kept with the sign-off.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Fieldset("Start an addendum", "reason"))


class WorklistFilterForm(forms.Form):
    """The worklist's two filters. Rendered by its template, not crispy: the worklist
    is the page clinicians load most, and crispy's layout took a fifth of its time.
    Its selects are written in Python and kept from request to request (answers.Select
    over shared choices): through Django's templates they cost an eighth of the
    worklist (#19)."""

    status = SharedChoicesField(
        label="Show",
        required=False,
        choices=[
            (NEEDS_CLINICIAN, "Needs a clinician now"),
            ("", "Any status"),
            *Intake.Status.choices,
        ],
        widget=Select(attrs={"class": "form-select"}),
    )
    outcome = SharedChoicesField(
        label="Outcome",
        required=False,
        choices=[("", "Any outcome"), *Screening.Outcome.choices],
        widget=Select(attrs={"class": "form-select"}),
    )
