import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.intake_format import (
    Issue,
    section_warnings,
    validate_document,
    validate_section,
    warnings_for,
)
from screening.intake_format.fields import SECTIONS
from screening.intake_format.semantics import section_of
from screening.intake_format.validate import SECTION_NAMES
from tests.intake_format.samples import EVERY_KEY, NOT_ANSWERED, TODAY, load
from tests.intake_format.test_validate import SCHEMA_REFUSALS, SEMANTIC_REFUSALS

# Values a mutation may write anywhere: valid, invalid and implausible ones.
VALUES = [
    None,
    True,
    False,
    0,
    1,
    -1,
    20,
    45,
    120,
    300,
    2027,
    Decimal("45.0"),
    Decimal("0.00001"),
    Decimal("22.55"),
    Decimal("12.5"),
    "",
    " ",
    "x",
    "45",
    "2026-02-30",
    "2026-09-16",
    "2026-09-15",
    "1970-01-01",
    "all_false",
    "female",
    [],
    [None],
    {},
    {"q1": 0, "q2": 1, "q3": None},
]


def section_result(doc, name):
    """validate_section, called as a form would call it for this document."""
    try:
        intake_date = date.fromisoformat(doc["intake_date"])
    except ValueError:  # the intake_date section itself is being checked
        intake_date = TODAY
    return validate_section(
        name,
        doc[name],
        intake_date=intake_date,
        today=TODAY,
        missing_reasons=doc.get("missing_reasons"),
    )


def assert_same_refusals(doc, name):
    assert validate_document(doc, today=TODAY) == section_result(doc, name)


def _section_cases():
    """The refusal tables of test_validate, with the section each refusal is in."""
    for case in [*SCHEMA_REFUSALS, *SEMANTIC_REFUSALS]:
        change, path, words = case.values
        field = json.loads(path[len("missing_reasons[") : -1]) if '["' in path else path
        name = section_of(field)
        section_missing = path == name and "is missing" in words  # forms have theirs
        if name in SECTION_NAMES and not section_missing:
            yield pytest.param(change, path, name, id=case.id)


@pytest.mark.parametrize(("change", "path", "name"), list(_section_cases()))
def test_it_refuses_in_a_section_what_it_refuses_in_the_document(change, path, name):
    doc = load()
    change(doc)
    assert_same_refusals(doc, name)
    assert section_result(doc, name)[0].path == path


@pytest.mark.parametrize(
    ("key", "refused"),
    [("vitals.bp_diastolic", False), ("vitals.bp_systolic", True), ("vitals.x", True)],
)
def test_it_checks_the_sections_missing_reasons(key, refused):
    doc = load(NOT_ANSWERED)
    doc["missing_reasons"] = {key: "declined", "medications": "not_asked"}
    assert_same_refusals(doc, "vitals")
    assert bool(section_result(doc, "vitals")) is refused


def _paths(value, prefix=()):
    """Every path of a section value, down to its leaves."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


@settings(max_examples=300, deadline=None)
@given(
    sample=st.sampled_from([NOT_ANSWERED, EVERY_KEY]),
    name=st.sampled_from(SECTIONS),
    data=st.data(),
)
def test_it_refuses_the_same_as_the_document_for_any_change(sample, name, data):
    doc = load(sample)
    paths = list(_paths(doc[name]))
    path = data.draw(st.sampled_from(paths), label="path")
    how = data.draw(st.sampled_from(["set", "delete", "add"]), label="how")
    value = data.draw(st.sampled_from(VALUES), label="value")
    if not path:
        doc[name] = value
    else:
        holder = doc[name]
        for part in path[:-1]:
            holder = holder[part]
        if how == "delete" and isinstance(holder, dict):
            del holder[path[-1]]
        elif how == "add" and isinstance(holder, dict):
            holder["seizure_disorder_detail" if path[-1] != "q1" else "q4"] = value
        else:
            holder[path[-1]] = value
    assert_same_refusals(doc, name)


def test_it_checks_the_intake_date_against_today():
    assert validate_section(
        "intake_date", "2026-11-02", intake_date=date(2026, 11, 2), today=TODAY
    ) == [
        Issue(
            "intake_date",
            "2026-11-02 is after today (2026-11-01): an intake "
            "describes a day that has already come",
        )
    ]
    assert validate_section(
        "intake_date", "2026-02-30", intake_date=TODAY, today=TODAY
    ) == [Issue("intake_date", '"2026-02-30" is not a real calendar date')]


def test_it_checks_the_patient_section():
    assert validate_section("patient", {"mrn": ""}, intake_date=TODAY, today=TODAY) == [
        Issue("patient.mrn", "is empty: text has 1 to 64 characters")
    ]


def test_it_refuses_an_unknown_section_name():
    with pytest.raises(ValueError, match="unknown section 'vital'"):
        validate_section("vital", {}, intake_date=TODAY, today=TODAY)


def test_it_gives_the_documents_warnings_section_by_section():
    doc = load(EVERY_KEY)
    doc["patient"]["mrn"] = " "
    doc["vitals"].update(bp_systolic=200, heart_rate=190)
    doc["allergies"].append({"substance": "ketamine"})
    doc["antidepressant_trials"][0]["weeks_at_dose"] = 110
    doc["substance_use"]["audit_c"]["q3"] = 2
    intake_date = date.fromisoformat(doc["intake_date"])
    by_section = []
    for name in ("patient", *SECTIONS):
        by_section += section_warnings(
            name,
            doc[name],
            intake_date=intake_date,
            age=doc["demographics"]["age"],
            medical_history=doc["medical_history"],
        )
    assert by_section == warnings_for(doc)
    assert [warning.path for warning in by_section] == [
        "patient.mrn",
        "vitals.bp_systolic",
        "vitals.heart_rate",
        "allergies[1].substance",
        "antidepressant_trials[0].weeks_at_dose",
        "substance_use.audit_c.q3",
    ]


def test_it_skips_the_allergy_check_without_the_medical_history():
    rows = [{"substance": "ketamine"}]
    assert section_warnings("allergies", rows, intake_date=TODAY, age=40) == []
