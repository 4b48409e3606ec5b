"""The form renderer writes plain inputs and text areas itself: the same markup as
Django's templates, to the byte, for every kind of input and value."""

from datetime import date

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from screening.forms.renderer import Renderer

ATTRS = {"class": "form-control", "autofocus": True, "hidden": False, "data-x": 'q"'}
WIDGETS = [
    forms.TextInput,
    forms.NumberInput,
    forms.DateInput,
    forms.HiddenInput,
    forms.EmailInput,
    forms.PasswordInput,
    forms.URLInput,
    forms.TimeInput,
    forms.DateTimeInput,
    forms.CheckboxInput,
    forms.Textarea,
]
VALUES = [None, "", "plain", 'a <b> & "c"', 0, 12.5, date(2026, 12, 6), True, False]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: w.__name__)
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_it_writes_what_djangos_templates_write(widget, value):
    ours = widget(attrs=dict(ATTRS)).render("answer", value, renderer=Renderer())
    djangos = widget(attrs=dict(ATTRS)).render(
        "answer", value, renderer=DjangoTemplates()
    )
    assert ours == djangos


def test_it_leaves_every_other_template_to_django():
    choices = [("a", "A"), ("b", "B <i>")]
    for widget in (forms.Select, forms.RadioSelect, forms.SelectDateWidget):
        kwargs = {} if widget is forms.SelectDateWidget else {"choices": choices}
        ours = widget(**kwargs).render("answer", "b", renderer=Renderer())
        assert ours == widget(**kwargs).render(
            "answer", "b", renderer=DjangoTemplates()
        )


def test_forms_render_with_it():
    class Form(forms.Form):
        name = forms.CharField()

    assert isinstance(Form().renderer, Renderer)
