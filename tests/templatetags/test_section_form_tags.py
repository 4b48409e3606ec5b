"""{% section_form %} writes what {% crispy %} writes, to the byte: for every section
form, blank, posted, with a form-wide error and while a row is being added."""

import pytest
from django.http import QueryDict
from django.template import Context, Template

from screening.forms.intakes import SECTION_FORMS
from tests.factories import screened_intake
from tests.forms.posting import browser_post
from tests.services.review_documents import realistic

pytestmark = pytest.mark.django_db

CRISPY = Template("{% load crispy_forms_tags %}{% crispy form %}")
SECTION_FORM = Template("{% load section_form_tags %}{% section_form form %}")


@pytest.fixture
def intake(clinic, intake_staff):
    return screened_intake(clinic, realistic(), by=intake_staff, ready=False)


def _posted(data: dict[str, str]) -> QueryDict:
    query = QueryDict(mutable=True)
    query.update(data)
    return query


def both(make) -> tuple[str, str]:
    """The form rendered by each tag, each from a form of its own (rendering keeps
    the layout's markup on the form)."""
    return (
        CRISPY.render(Context({"form": make()})),
        SECTION_FORM.render(Context({"form": make()})),
    )


# Changes to the unchanged page's post: none, a stale page (a form-wide error beside
# a field's), and "Add another row" (errors not shown).
CHANGES = {
    "posted": {},
    "out of date": {"version": "x"},
    "add row": {"add_row": "rows"},
}


@pytest.mark.parametrize("slug", list(SECTION_FORMS))
@pytest.mark.parametrize("changes", [None, *CHANGES.values()], ids=["blank", *CHANGES])
def test_it_writes_what_crispy_writes(intake, slug, changes):
    form_class = SECTION_FORMS[slug]
    section = intake.sections.get(kind=form_class.section)

    def make():
        if changes is None:
            return form_class(section=section, intake=intake, age=45)
        page = form_class(section=section, intake=intake, age=45)
        data = _posted(browser_post(page, **changes))
        form = form_class(data, section=section, intake=intake, age=45)
        form.is_valid()
        return form

    crispy, ours = both(make)
    assert ours == crispy
    assert "data-answer" in ours
    if changes == CHANGES["out of date"]:
        assert "alert-block" in ours  # crispy's own form-wide error block


LISTS = ["allergies", "medications", "antidepressant-trials", "substance-use"]


@pytest.mark.parametrize("slug", LISTS)
@pytest.mark.parametrize("changes", [None, {"version": "x"}], ids=["blank", "posted"])
def test_it_writes_each_list_row_as_crispy_does(intake, slug, changes):
    form_class = SECTION_FORMS[slug]
    section = intake.sections.get(kind=form_class.section)
    page = form_class(section=section, intake=intake, age=45)
    data = None if changes is None else _posted(browser_post(page, **changes))
    form = form_class(data, section=section, intake=intake, age=45)
    if data is not None:
        form.is_valid()
    rows = [row for block in form.blocks.values() for row in block.formset.forms]

    assert rows
    for row in rows:
        crispy = CRISPY.render(Context({"form": row}))
        assert SECTION_FORM.render(Context({"form": row})) == crispy
