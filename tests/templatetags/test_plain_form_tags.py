"""{% plain_form %} writes what {% crispy %} writes, to the byte: the summary's
disposition and sign-off forms (and the addendum's) blank, filled in, posted with
errors, with the field the page focuses, and with the disposition someone else
recorded to confirm."""

from types import SimpleNamespace

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from crispy_forms.templatetags.crispy_forms_tags import CrispyFormNode
from django import forms
from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.template import Context, Template

from screening.forms.reviews import AddendumForm, DispositionForm, SignOffForm
from screening.models import Disposition
from screening.views.reviews import _focus_first_error

CRISPY = Template("{% load crispy_forms_tags %}{% crispy form %}")
PLAIN = Template("{% load plain_form_tags %}{% plain_form form %}")
SCREENING = SimpleNamespace(absolute_count=0)
ABSOLUTE = SimpleNamespace(absolute_count=1)
HASH = "a" * 64


def both(make, **context) -> tuple[str, str]:
    """The form written by each tag, each from a form of its own (crispy keeps its
    classes on the form's widgets)."""
    return (
        CRISPY.render(Context({"form": make(), **context})),
        PLAIN.render(Context({"form": make(), **context})),
    )


def _posted(data: dict[str, str]) -> QueryDict:
    query = QueryDict(mutable=True)
    query.update(data)
    return query


def _validated(form):
    form.is_valid()
    _focus_first_error(form)
    return form


def disposition(screening=SCREENING, data=None, *, initial=None, focus=False):
    def make():
        form = DispositionForm(
            None if data is None else _posted(data),
            screening=screening,
            initial=initial,
        )
        if data is not None:
            form.is_valid()
            _focus_first_error(form)
        elif focus:  # nothing open: the page focuses the decision (views/reviews.py)
            form.fields["decision"].widget.attrs["autofocus"] = True
        return form

    return make


def recorded_by(username: str) -> Disposition:
    author = get_user_model()(username=username)
    return Disposition(decision=Disposition.Decision.PROCEED, decided_by=author)


def sign(data=None, *, other=None, error=None, confirm_error=False, focus=False):
    def make():
        if data is None:
            form = SignOffForm(
                initial={"page_sha256": HASH, "opened_at": "2026-12-07 10:00"},
                disposition=other,
            )
            if focus:
                form.fields["password"].widget.attrs["autofocus"] = True
            return form
        form = SignOffForm(_posted(data), disposition=other)
        if form.is_valid():
            if confirm_error:
                form.add_error("confirm_disposition", "Confirm that you sign it.")
            if error:
                form.add_error(*error)
        _focus_first_error(form)
        return form

    return make


FILLED = {"decision": "not_suitable", "rationale": "Line one\nline <two> & 'three'"}
SIGNED = {"page_sha256": HASH, "opened_at": "2026-12-07T10:00:00+00:00"}
TYPED = {**SIGNED, "password": "secret", "otp_token": "123456"}

CASES = {
    "disposition blank": disposition(),
    "disposition focused": disposition(focus=True),
    "disposition absolute": disposition(ABSOLUTE),
    "disposition absolute focused": disposition(ABSOLUTE, focus=True),
    "disposition as recorded": disposition(initial=FILLED),
    "disposition without a decision": disposition(data={"rationale": "a <b> & c"}),
    "disposition empty": disposition(data={}),
    "disposition bad choice": disposition(data={"decision": "bogus"}),
    "disposition blank rationale": disposition(
        data={"decision": "proceed", "rationale": "   "}
    ),
    "disposition valid": disposition(data=FILLED),
    "disposition override missing": disposition(
        ABSOLUTE, data={"decision": "proceed", "rationale": "Go."}
    ),
    "disposition override too long": disposition(
        ABSOLUTE,
        data={
            "decision": "proceed",
            "rationale": "Go.",
            "override_rationale": "x" * 5000,
        },
    ),
    "addendum blank": AddendumForm,
    "addendum too short": lambda: _validated(AddendumForm(_posted({"reason": "<b>"}))),
    "sign blank": sign(),
    "sign focused": sign(focus=True),
    "sign empty": sign(data={}),
    "sign bad hash": sign(data={"page_sha256": "zz", "password": "x"}),
    "sign wrong password": sign(
        data=TYPED, error=("password", "The password is not correct.")
    ),
    "sign wrong code": sign(data=TYPED, error=("otp_token", "The code is wrong.")),
    "sign refused": sign(data=TYPED, error=(None, "Acknowledge every flag.")),
    "sign refused twice": sign(
        data=TYPED, error=(None, ["Acknowledge every flag.", "Choose <one> & sign."])
    ),
    "confirm blank": sign(other=recorded_by("dr-second")),
    "confirm escaped": sign(other=recorded_by("o'brien<&>"), focus=True),
    "confirm not ticked": sign(
        data=TYPED, other=recorded_by("dr-second"), confirm_error=True
    ),
    "confirm ticked, wrong password": sign(
        data={**TYPED, "confirm_disposition": "on"},
        other=recorded_by("dr-second"),
        error=("password", "The password is not correct."),
    ),
}


def _not_crispy(*args, **kwargs):
    raise AssertionError("written by crispy")


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("token", ["TOKEN", None], ids=["csrf", "no csrf"])
def test_it_writes_what_crispy_writes(make, token, monkeypatch):
    crispy = CRISPY.render(Context({"form": make(), "csrf_token": token}))
    monkeypatch.setattr(CrispyFormNode, "render", _not_crispy)
    ours = PLAIN.render(Context({"form": make(), "csrf_token": token}))
    assert ours == crispy
    assert "<fieldset" in ours


def test_it_writes_the_errors_beside_their_fields():
    _, ours = both(CASES["disposition without a decision"], csrf_token="TOKEN")
    assert '<fieldset aria-describedby="id_decision_error">' in ours
    assert "autofocus" in ours
    _, ours = both(CASES["confirm not ticked"], csrf_token="TOKEN")
    assert 'aria-describedby="id_confirm_disposition_error"' in ours
    assert 'id="id_confirm_disposition_error"' in ours


class _Layouts(forms.Form):
    """Layouts {% plain_form %} leaves to crispy."""

    name = forms.CharField(help_text="Help")
    email = forms.EmailField()

    def __init__(self, *args, layout=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = layout


@pytest.mark.parametrize(
    "make",
    [
        lambda: _Layouts(layout=Layout(Div("name"))),  # a layout object of its own
        lambda: _Layouts(layout=Layout(Fieldset("A", "email"))),  # an email input
        lambda: _Layouts(layout=Layout(Fieldset("{{ 1 }}", "name"))),  # a template
        lambda: _Layouts(layout=Layout(Fieldset("A", "name", css_class="x"))),
    ],
    ids=["div", "email", "template legend", "css class"],
)
def test_it_leaves_what_it_does_not_know_to_crispy(make):
    crispy, ours = both(make, csrf_token="TOKEN")
    assert ours == crispy
