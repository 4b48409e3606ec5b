"""Answers in a section layout are written directly (screening/forms/layout.py), not
through crispy's field template, and so are its divs and fieldsets: every section
page, list rows and errors included, is the same page both ways."""

import re

import pytest
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.template import Context
from django.urls import reverse

from screening.forms import sections
from screening.forms.intakes import SECTION_FORMS
from screening.forms.layout import Answer, WrittenDiv
from tests.factories import screened_intake
from tests.services.review_documents import realistic
from tests.views.test_intakes import page_post

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def intake(clinic, intake_staff):
    return screened_intake(clinic, realistic(), by=intake_staff, ready=False)


def both_ways(monkeypatch, fetch) -> tuple[str, str]:
    """The page as served, and as crispy's field template writes it."""
    direct = fetch()
    monkeypatch.setattr(sections, "answers_written_directly", lambda layout: layout)
    through_crispy = fetch()
    monkeypatch.undo()
    return tuple(
        CSRF.sub("", page.content.decode()) for page in (direct, through_crispy)
    )


@pytest.mark.parametrize("slug", list(SECTION_FORMS))
def test_each_section_page_is_the_page_crispy_wrote(
    monkeypatch, client_for, intake_staff, intake, slug
):
    client = client_for(intake_staff)
    url = reverse("screening:intake-section-edit", args=[intake.pk, slug])
    direct, through_crispy = both_ways(monkeypatch, lambda: client.get(url))
    assert direct == through_crispy
    assert "data-answer" in direct


@pytest.mark.parametrize(
    "values",
    [{"bp_systolic": "abc"}, {"bp_systolic": "185", "bp_diastolic": "110"}],
    ids=["error", "warning"],
)
def test_a_refused_save_shows_the_same_errors_and_warnings_both_ways(
    monkeypatch, client_for, intake_staff, intake, values
):
    client = client_for(intake_staff)
    url = reverse("screening:intake-section-edit", args=[intake.pk, "vitals"])
    posted = page_post(intake, "vitals", **values)
    direct, through_crispy = both_ways(monkeypatch, lambda: client.post(url, posted))
    assert direct == through_crispy
    assert "invalid-feedback" in direct or "answer-warning" in direct


def test_an_answer_keeps_its_name_for_crispys_lookups():
    layout = sections.answers_written_directly(
        sections.Layout("first", sections.Fieldset("Block", "second"))
    )
    assert isinstance(layout.fields[0], Answer)
    assert [pointer.name for pointer in layout.get_field_names()] == ["first", "second"]


DIVS = [
    {},
    {"css_class": "row"},
    {"css_id": "a<b", "css_class": 'x "y"', "data_show_if": "smoker=yes"},
]


@pytest.mark.parametrize("kwargs", DIVS)
@pytest.mark.parametrize("legend", ["", "Known <i>allergies</i>", "Of {{ who }}"])
def test_divs_and_fieldsets_are_the_markup_crispys_templates_write(kwargs, legend):
    class NoteForm(forms.Form):
        note = forms.CharField(required=False)

    def rendered(layout: Layout) -> str:
        context = Context({"who": "me", "form_show_errors": True})
        return layout.render(NoteForm(), context)

    def layout() -> Layout:
        return Layout(Fieldset(legend, Div("note", **kwargs), **kwargs))

    ours = rendered(sections.answers_written_directly(layout()))
    crispys = sections.answers_written_directly(layout())
    # Back to crispy's own classes (and templates); the answer is still written.
    crispys.fields[0].__class__ = Fieldset
    crispys.fields[0].fields[0].__class__ = Div

    assert ours == rendered(crispys)
    assert "data-answer" in ours
    assert "{{" not in ours


@pytest.mark.parametrize("kwargs", DIVS)
def test_a_written_div_is_made_as_crispys_div(kwargs):
    written, crispys = WrittenDiv("note", **kwargs), Div("note", **kwargs)

    assert [written.fields, written.css_id, written.css_class] == [
        crispys.fields,
        crispys.css_id,
        crispys.css_class,
    ]
    assert (written.template, written.flat_attrs) == (
        crispys.template,
        crispys.flat_attrs,
    )
