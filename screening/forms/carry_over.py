"""The confirm action of a section carried over from the last intake (#18)."""

from django import forms


class CarryConfirmForm(forms.Form):
    """Confirm the carried answers unchanged, as they stood when the page was read."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
