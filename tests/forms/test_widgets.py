"""RadioSelect and Select write their markup themselves: the same as Django's."""

import pytest
from django import forms

from screening.forms.answers import RadioSelect, Select

CHOICES = [("yes", "Yes"), ("no", "No <b>"), ("", "Not answered")]
ATTRS = {
    "class": "form-check-input",
    "autofocus": True,
    "hidden": False,
    "data-x": 'q"',
}


def form_with(widget_class: type[forms.Select]) -> type[forms.Form]:
    class AnswerForm(forms.Form):
        answer = forms.ChoiceField(
            choices=CHOICES, required=False, widget=widget_class(attrs=dict(ATTRS))
        )

    return AnswerForm


@pytest.mark.parametrize("data", [None, {"answer": "no"}, {"answer": ""}])
@pytest.mark.parametrize("wrap_label", [False, True])
def test_each_option_is_the_markup_django_writes(data, wrap_label):
    ours = form_with(RadioSelect)(data)["answer"]
    djangos = form_with(forms.RadioSelect)(data)["answer"]

    tags = [option.tag(wrap_label=wrap_label) for option in ours]

    assert tags == [option.tag(wrap_label=wrap_label) for option in djangos]
    assert str(ours) == str(djangos)  # the whole group, through Django's templates


def test_it_escapes_values_and_labels():
    tag = list(form_with(RadioSelect)()["answer"])[1].tag(wrap_label=True)

    assert 'data-x="q&quot;"' in tag
    assert "No &lt;b&gt;" in tag
    assert " hidden" not in tag  # a False attribute is left out


@pytest.mark.parametrize("data", [None, {"answer": "no"}, {"answer": ""}])
def test_a_select_is_the_markup_django_writes(data):
    ours = form_with(Select)(data)["answer"]
    djangos = form_with(forms.Select)(data)["answer"]

    assert str(ours) == str(djangos)
    assert 'data-x="q&quot;"' in str(ours)


def test_a_select_with_groups_is_left_to_django():
    grouped = [("Answers", CHOICES[:2]), ("", "Not answered")]

    class GroupedForm(forms.Form):
        answer = forms.ChoiceField(choices=grouped, required=False, widget=Select())

    class DjangoForm(forms.Form):
        answer = forms.ChoiceField(
            choices=grouped, required=False, widget=forms.Select()
        )

    assert "<optgroup" in str(GroupedForm()["answer"])
    assert str(GroupedForm()["answer"]) == str(DjangoForm()["answer"])


def test_each_form_shares_an_answers_fixed_choices_but_not_its_attributes():
    from screening.forms.answers import ReasonField, YesNoField

    class Pair(forms.Form):
        smoker = YesNoField(label="Smokes")
        smoker__why = ReasonField()

    first, second = Pair(), Pair()
    assert first.fields["smoker"].choices is second.fields["smoker"].choices
    first.fields["smoker"].widget.attrs["class"] += " is-invalid"
    assert "is-invalid" not in second.fields["smoker"].widget.attrs["class"]
    first.fields["smoker__why"].choices = [("", "None")]  # replaced, never changed
    assert len(second.fields["smoker__why"].choices) > 1
    assert len(ReasonField.copied().choices) == len(
        second.fields["smoker__why"].choices
    )
    assert ReasonField.copied().widget is not ReasonField.copied().widget
