from datetime import date
from types import SimpleNamespace

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django.template import Context, Template
from django.urls import reverse

from screening.forms.patients import PatientSearchForm
from screening.templatetags.patient_tags import ROW_GAP, patient_row, patient_rows


def patient(**changes):
    fields = {
        "pk": 7,
        "display_name": "O'Brien, <Ann>",
        "mrn": "A&1",
        "date_of_birth": date(1980, 5, 17),
        "clinic": SimpleNamespace(name="North <clinic>"),
    }
    return SimpleNamespace(**{**fields, **changes})


def test_it_links_the_escaped_name_to_the_patient_page():
    row = patient_row(patient(), show_clinic=False)

    url = reverse("screening:patient-detail", args=[7])
    assert f'<td><a href="{url}">O&#x27;Brien, &lt;Ann&gt;</a></td>' in row
    assert "<td>A&amp;1</td>" in row
    assert "<td>1980-05-17</td>" in row


def test_it_leaves_an_unrecorded_date_of_birth_empty():
    assert "<td></td>" in patient_row(patient(date_of_birth=None), show_clinic=False)


def test_it_names_the_clinic_only_when_the_list_spans_clinics():
    assert "North" not in patient_row(patient(), show_clinic=False)
    assert "<td>North &lt;clinic&gt;</td>" in patient_row(patient(), show_clinic=True)
    assert patient_row(patient(), show_clinic=True).count("<td>") == 4


CRISPY = Template("{% load crispy_forms_tags %}{% crispy form %}")
SEARCH = Template("{% load patient_tags %}{% patient_search form %}")


def crispy_search(data):
    """The search form as the list wrote it with {% crispy %}: one fieldset."""
    form = PatientSearchForm(data)
    form.helper = FormHelper()
    form.helper.form_tag = False
    form.helper.disable_csrf = True
    form.helper.layout = Layout(Fieldset("Search", "q"))
    return form


@pytest.mark.parametrize(
    "data",
    [None, {"q": "smi"}, {"q": ""}, {"q": "x" * 201}, {"q": "\"><b>O'Brien & co"}],
    ids=["unbound", "a search", "empty", "too long", "markup typed"],
)
def test_the_search_form_is_what_crispy_writes(data):
    crispy, written = crispy_search(data), PatientSearchForm(data)
    if data is not None:
        assert crispy.is_valid() == written.is_valid()

    assert SEARCH.render(Context({"form": written})) == CRISPY.render(
        Context({"form": crispy})
    )


def test_the_search_keeps_what_was_typed_and_links_its_error():
    form = PatientSearchForm({"q": "x" * 201})
    form.is_valid()

    markup = SEARCH.render(Context({"form": form}))

    assert f'value="{"x" * 201}"' in markup
    assert 'aria-describedby="id_q_helptext id_q_error"' in markup
    assert '<div id="id_q_error" class="invalid-feedback">' in markup
    assert 'for="id_q"' in markup


@pytest.mark.parametrize("show_clinic", [False, True])
def test_the_rows_are_each_rows_markup_between_the_loops_whitespace(show_clinic):
    rows = [patient(), patient(pk=8, mrn="B-2")]

    written = patient_rows(rows, show_clinic=show_clinic)

    first, second = (patient_row(row, show_clinic=show_clinic) for row in rows)
    assert written == f"{first}{ROW_GAP}{second}"
    assert patient_rows([], show_clinic=show_clinic) == ""
