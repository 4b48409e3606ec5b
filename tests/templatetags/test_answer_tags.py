"""The answer_field tag writes the markup the answer templates wrote (#19).

tests/templatetags/old_answer_field/ keeps those templates (_answer_field.html and its
two includes, as they were before the tag): each kind of answer is rendered by both and
compared with whitespace runs collapsed, which HTML does not tell apart.
"""

import re
from pathlib import Path

import pytest
from django import forms
from django.template import Context, Engine

from screening.forms.answers import (
    DecimalAnswerField,
    EventDateField,
    ReasonField,
    TextAnswerField,
    YesNoField,
)
from screening.templatetags.answer_tags import answer_field

OLD = Engine(
    dirs=[str(Path(__file__).parent / "old_answer_field")],
    libraries={"screening_tags": "screening.templatetags.screening_tags"},
)


class AnswersForm(forms.Form):
    smoker = YesNoField(label="Smokes <now>", help_text="Any tobacco.")
    smoker__why = ReasonField()
    smoker_detail = TextAnswerField(label="Details", rows=2)
    last_seizure = EventDateField(label="Last seizure")
    last_seizure__on = forms.DateField(required=False, label="Date of: Last seizure")
    last_seizure__why = ReasonField()
    weight = DecimalAnswerField(label="Weight", min_value=1, max_value=400, unit="kg")
    weight__why = ReasonField()
    note = TextAnswerField(label="Note")
    checked = forms.BooleanField(required=False, label="I have checked")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def squeezed(html: str) -> str:
    return re.sub(r"\s+", " ", str(html)).strip()


def both(form: forms.Form, name: str, show_errors: bool = True) -> tuple[str, str]:
    old = OLD.get_template("includes/_answer_field.html").render(
        Context({"field": form[name], "form_show_errors": show_errors})
    )
    return squeezed(old), squeezed(answer_field(form[name], show_errors))


NAMES = ["smoker", "last_seizure", "weight", "note", "checked", "version"]
POSTED = {
    "smoker": "maybe",
    "smoker__why": "bogus",
    "last_seizure": "date",
    "last_seizure__on": "not a date",
    "weight": "12<3",
    "checked": "on",
}


ANSWERED = {
    "smoker": "yes",
    "smoker__why": "declined",
    "last_seizure": "date",
    "last_seizure__on": "2026-01-02",
    "weight": "70",
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "data", [None, POSTED, ANSWERED], ids=["blank", "with errors", "answered"]
)
@pytest.mark.parametrize("show_errors", [True, False])
@pytest.mark.parametrize("disabled", [False, True], ids=["", "disabled"])
def test_it_writes_what_the_templates_wrote(name, data, show_errors, disabled):
    form = AnswersForm(data)
    for field in form.fields.values():
        field.disabled = disabled
    form.is_valid()
    form.field_warnings = {"weight": ["Unusual <weight>. Check it."]}

    old, new = both(form, name, show_errors)

    assert new == old


def test_it_escapes_labels_errors_and_warnings():
    form = AnswersForm(POSTED)
    form.is_valid()
    form.field_warnings = {"weight": ["Unusual <weight>."]}

    assert "Smokes &lt;now&gt;" in answer_field(form["smoker"], True)
    assert "Unusual &lt;weight&gt;." in answer_field(form["weight"], True)
