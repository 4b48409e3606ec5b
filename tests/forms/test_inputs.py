"""The inputs written in Python are the markup Django's templates write."""

from datetime import date

import pytest
from django import forms

from screening.forms import inputs

PAIRS = [
    (inputs.TextInput, forms.TextInput),
    (inputs.NumberInput, forms.NumberInput),
    (inputs.DateInput, forms.DateInput),
    (inputs.HiddenInput, forms.HiddenInput),
]
ATTRS = {
    "class": 'a "quoted" <class>',
    "size": 11,
    "autofocus": True,
    "hidden": False,
    "placeholder": "YYYY-MM-DD",
}


@pytest.mark.parametrize(("written", "django"), PAIRS)
@pytest.mark.parametrize(
    "value", [None, "", "plain", '<b>O\'Brien & "co"</b>', 7, date(2026, 12, 7)]
)
def test_each_input_is_the_markup_django_writes(written, django, value):
    extra = {"id": "id_x", "aria-invalid": "true", "required": True}
    kwargs = {"format": "%Y-%m-%d"} if django is forms.DateInput else {}

    assert written(attrs=ATTRS, **kwargs).render("x", value, extra) == django(
        attrs=ATTRS, **kwargs
    ).render("x", value, extra)


def test_a_typed_value_is_escaped():
    markup = inputs.TextInput().render("q", '"><script>', {"id": "id_q"})

    assert (
        markup
        == '<input type="text" name="q" value="&quot;&gt;&lt;script&gt;" id="id_q">'
    )
