"""An intake to fill in, and section forms bound the way the view binds them."""

from collections.abc import Callable
from typing import Any

import pytest
from django.http import QueryDict

from screening.forms.sections import SectionForm
from screening.models import Intake
from screening.services import intakes
from tests.factories import IntakeFactory, PatientFactory
from tests.forms.posting import browser_post


@pytest.fixture
def intake(clinic, intake_staff) -> Intake:
    patient = PatientFactory(clinic=clinic, created_by=intake_staff)
    return IntakeFactory(patient=patient, created_by=intake_staff)


def _query(data: dict[str, str]) -> QueryDict:
    query = QueryDict(mutable=True)
    query.update(data)
    return query


@pytest.fixture
def bind(intake) -> Callable[..., SectionForm]:
    """The form of a page, bound to what the unchanged page posts plus `changes`."""

    def make(form_class: type[SectionForm], **changes: Any) -> SectionForm:
        section = intake.sections.get(kind=form_class.section)
        page = form_class(section=section, intake=intake, age=45)
        data = _query(browser_post(page, **changes))
        return form_class(data, section=section, intake=intake, age=45)

    return make


@pytest.fixture
def save(intake, intake_staff) -> Callable[[SectionForm], Any]:
    """Save a valid form through the service, as the view does."""

    def do(form: SectionForm) -> Any:
        assert form.is_valid(), (
            form.errors,
            [r.errors for b in form.blocks.values() for r in b.formset.forms],
        )
        return intakes.do_save_section(
            form.section_row,
            form.value,
            missing_reasons=form.missing_reasons,
            confirmed_warnings=form.confirmed_warnings,
            version=form.cleaned_data["version"],
            by=intake_staff,
        )

    return do
