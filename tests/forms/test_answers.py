"""Every question: "not answered" round-trips as null with its reason, and each number
field refuses exactly the bounds the intake/1 schema sets."""

from typing import Any

import pytest

from screening.forms.answers import (
    WHY,
    AnswerField,
    DecimalAnswerField,
    EventDateField,
    GivenField,
    IntegerAnswerField,
)
from screening.forms.intakes import CLINICIAN_FORM, SECTION_FORMS
from screening.forms.paths import join_path, parse_path, value_at
from screening.forms.sections import SectionForm
from screening.intake_format.schema import (
    SCHEMA,
    items_schema,
    property_schema,
    resolve,
)
from screening.services.documents import intake_document

ALL_FORMS = [*SECTION_FORMS.values(), CLINICIAN_FORM]
# Answers that open every branch, so each question is asked.
EVERY_QUESTION_ASKED = {
    "demographics": {"reproductive_potential": "yes"},
    "indication": {"primary": "ptsd"},
    "substance_use": {"audit_given": "yes", "dast_given": "yes"},
    "scales": {"phq9_given": "yes", "gad7_given": "yes", "pcl5_given": "yes"},
    "clinician": {"cssrs_given": "yes", "cssrs_q2": "yes", "cssrs_q6": "yes"},
}


def _questions(form_class: type[SectionForm]) -> list[str]:
    return [
        name
        for name, field in form_class.base_fields.items()
        if isinstance(field, AnswerField)
        and field.has_reason
        and not isinstance(field, GivenField)
        and name not in {"asked", "sud_asked", "nmu_asked"}
    ]


@pytest.mark.parametrize("form_class", ALL_FORMS, ids=lambda f: f.__name__)
def test_it_round_trips_every_unanswered_question_as_null_with_its_reason(
    form_class, bind, save, intake
):
    key = "clinician" if form_class is CLINICIAN_FORM else form_class.section
    names = [
        n for n in _questions(form_class) if n not in EVERY_QUESTION_ASKED.get(key, {})
    ]
    changes: dict[str, Any] = dict(EVERY_QUESTION_ASKED.get(key, {}))
    for name in names:
        changes[name] = ""
        changes[name + WHY] = "unknown"
        if isinstance(form_class.base_fields[name], EventDateField):
            changes[name + "__on"] = ""

    save(bind(form_class, **changes))

    document = intake_document(intake)
    for name in names:
        path = join_path([form_class.section, *parse_path(form_class.path_of(name))])
        assert value_at(document, parse_path(path)) is None, path
        assert document["missing_reasons"][path] == "unknown", path


def _schema_at(path: str) -> Any:
    schema: Any = SCHEMA
    for part in parse_path(path):
        schema = (
            items_schema(schema)
            if isinstance(part, int)
            else property_schema(schema, part)
        )
    return resolve(schema)


def _number_fields() -> list[tuple[str, Any]]:
    found = []
    for form_class in ALL_FORMS:
        for name, field in form_class.base_fields.items():
            path = join_path(
                [form_class.section, *parse_path(form_class.path_of(name))]
            )
            found.append((path, field))
    for section, row_form in [
        ("medications[0]", SECTION_FORMS["medications"].row_form),
        ("antidepressant_trials[0]", SECTION_FORMS["antidepressant-trials"].row_form),
    ]:
        for name, field in row_form.base_fields.items():
            found.append((f"{section}.{row_form.path_of(name)}", field))
    return [
        (path, field)
        for path, field in found
        if isinstance(field, IntegerAnswerField | DecimalAnswerField)
    ]


@pytest.mark.parametrize(
    ("path", "field"),
    _number_fields(),
    # A field object prints its address; pytest-xdist needs equal ids in every worker.
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_it_bounds_each_number_as_the_schema_does(path, field):
    schema = _schema_at(path)

    assert isinstance(field, IntegerAnswerField) == ("integer" in schema["type"])
    if isinstance(field, DecimalAnswerField) and field.exclusive_minimum:
        assert field.exclusive_bound == schema["exclusiveMinimum"]
    else:
        assert field.min_value == schema["minimum"]
    assert field.max_value == schema["maximum"]
