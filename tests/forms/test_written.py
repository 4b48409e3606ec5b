"""Choice markup written once is used again only for the very same fixed choices,
and always marks the value it is given (screening/forms/written.py)."""

import pytest
from django import forms
from django.utils.translation import gettext_lazy, override

from screening.forms import written
from screening.forms.answers import (
    ChoiceAnswerField,
    IntegerAnswerField,
    RadioSelect,
    ReasonField,
    YesNoField,
)
from screening.templatetags.answer_tags import answer_field


class Pair(forms.Form):
    smoker = YesNoField(label="Smokes")
    smoker__why = ReasonField()


@pytest.mark.parametrize(
    "data",
    [None, {"smoker": "yes"}, {"smoker": "no", "smoker__why": "declined"}, {}],
    ids=["blank", "yes", "no", "posted empty"],
)
def test_kept_markup_marks_each_forms_own_value(data):
    Pair(None)["smoker"].as_widget()  # the markup is kept by an earlier page

    class Django(forms.Form):
        smoker = forms.ChoiceField(
            choices=Pair.base_fields["smoker"].choices,
            required=False,
            widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        )
        smoker__why = forms.ChoiceField(
            choices=Pair.base_fields["smoker__why"].choices,
            required=False,
            widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        )

    ours, djangos = Pair(data), Django(data)
    assert str(ours["smoker__why"]) == str(djangos["smoker__why"])
    html = answer_field(ours["smoker"], True)
    for option in djangos["smoker"]:
        assert option.tag() in html


def test_it_writes_again_for_replaced_choices():
    first, second = Pair(), Pair()
    str(first["smoker__why"])
    second.fields["smoker__why"].choices = [("", "None"), ("other", "Other <b>")]

    html = str(second["smoker__why"])

    assert "Other &lt;b&gt;" in html
    assert "declined" not in html
    assert "declined" in str(Pair()["smoker__why"])  # the kept markup is untouched


def test_it_keeps_nothing_for_lazy_labels():
    class Lazy(forms.Form):
        answer = ChoiceAnswerField(
            choices=[("yes", gettext_lazy("Yes"))], label="Answer", select=True
        )

    before = len(written._kept)
    with override("en"):
        html = str(Lazy()["answer"])

    assert ">Yes</option>" in html
    assert Lazy.base_fields["answer"].widget.has_declared_choices()
    assert len(written._kept) == before


def test_it_starts_again_when_full(monkeypatch):
    monkeypatch.setattr(written, "LIMIT", 1)
    choices = [("a", "A")]
    written.kept(("one",), choices, lambda: "first")

    assert written.kept(("two",), choices, lambda: "second") == "second"
    assert list(written._kept) == [("two",)]
    assert written.kept(("two",), choices, lambda: "third") == "second"


def test_a_copied_answer_has_its_own_widget_messages_and_validators():
    field = IntegerAnswerField(label="Rate", min_value=1, max_value=300)
    copy = field.__deepcopy__({})

    copy.widget.attrs["class"] += " is-invalid"
    copy.error_messages["invalid"] = "changed"
    copy.validators.append(lambda value: None)

    assert "is-invalid" not in field.widget.attrs["class"]
    assert field.error_messages["invalid"] != "changed"
    assert len(field.validators) == len(copy.validators) - 1
    assert copy.widget is not field.widget


def test_a_radio_group_of_any_other_widget_is_djangos():
    class Plain(forms.Form):
        answer = forms.ChoiceField(
            choices=[("yes", "Yes"), ("date", "Date")], widget=forms.RadioSelect
        )

    bound = Plain({"answer": "yes"})["answer"]
    html = answer_field(bound, True)

    assert " checked" in html
    for option in bound:
        assert option.tag() in html
    assert isinstance(Plain.base_fields["answer"].widget, forms.RadioSelect)
    assert not isinstance(Plain.base_fields["answer"].widget, RadioSelect)
