"""The worklist's filter: its selects are Django's markup, written in Python from
options every form shares (#19)."""

import pytest
from django import forms

from screening.forms.reviews import WorklistFilterForm


class DjangoWorklistFilterForm(WorklistFilterForm):
    """The same fields through Django's own Select and its templates."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget = forms.Select(
                attrs=field.widget.attrs, choices=list(field.choices)
            )


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"status": "needs_clinician"},
        {"status": "", "outcome": "no_flags"},
        {"status": "signed", "outcome": "incomplete"},
        {"status": "<bogus>", "outcome": "bogus"},
    ],
)
def test_each_select_is_the_markup_django_writes(data):
    written, django = WorklistFilterForm(data), DjangoWorklistFilterForm(data)
    if data is not None:
        assert written.is_valid() == django.is_valid()

    for name in ("status", "outcome"):
        assert str(written[name]) == str(django[name])


def test_every_filter_shares_the_options():
    one, other = WorklistFilterForm(), WorklistFilterForm({"status": "signed"})

    for name in ("status", "outcome"):
        assert one.fields[name].widget.choices is other.fields[name].widget.choices
        assert one.fields[name].widget.has_declared_choices()
