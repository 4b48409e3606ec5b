"""Account forms: second-factor codes, recovery codes, password change."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django_otp.admin import OTPAdminAuthenticationForm

from screening.reauth import PasswordReauthenticationForm, ReauthenticationFields


def _helper(legend: str, *fields: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(Fieldset(legend, *fields))
    return helper


class TotpCodeForm(forms.Form):
    """The first code from a newly added authenticator app."""

    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Confirm the app", "code")

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError("Type the 6 digits your app shows, no letters.")
        return code


class SecondFactorForm(forms.Form):
    """The login prompt: a TOTP code, or one of the recovery codes."""

    code = forms.CharField(
        label="Code from your authenticator app, or a recovery code",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Second step", "code")


class ReauthPasswordForm(PasswordReauthenticationForm):
    """The password again, before an authenticator app is added (#13 F10)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].widget.attrs["autofocus"] = True
        self.helper = _helper("Confirm it is you", "password")


class RecoveryCodesForm(ReauthenticationFields):
    """New recovery codes replace the old ones; both factors are asked first."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Confirm it is you", "password", "otp_token")


class AccountPasswordChangeForm(PasswordChangeForm):
    """Django's form (old password required), laid out for crispy.

    The old password is checked by the view through authenticate()
    (reauth.verify_password), not by the form's bare check_password(): axes counts
    and locks out those guesses, and each failure is audited (#13 F3).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "Change your password", "old_password", "new_password1", "new_password2"
        )

    def clean_old_password(self) -> str:
        return self.cleaned_data["old_password"]


class AdminLoginForm(OTPAdminAuthenticationForm):
    """/admin/'s login form, which never sends the password back to the browser.

    django-otp's form re-renders the typed password after a wrong code, so that only
    the code need be typed again: the password then sits in the page's HTML (browser
    cache, "view source" on a shared PC). It is typed again instead (#13 info).
    """

    def _update_form(self, user: Any) -> None:
        super()._update_form(user)
        if "password" in self.fields:
            self.fields["password"].widget.render_value = False  # type: ignore[attr-defined]
