from decimal import Decimal

import pytest

from screening.intake_format import (
    DocumentInvalid,
    Issue,
    load_document,
    parse_json,
    schema,
    validate,
    validate_document,
)
from screening.intake_format.schema import SCHEMA
from tests.intake_format.samples import (
    DOCUMENTS,
    EVERY_KEY,
    MINIMAL,
    NOT_ANSWERED,
    TODAY,
    load,
)


def issues_after(change, *, name=MINIMAL, today=TODAY):
    doc = load(name)
    change(doc)
    return validate_document(doc, today=today)


def set_in(*path_and_value):
    *path, key, value = path_and_value

    def change(doc):
        holder = doc
        for part in path:
            holder = holder[part]
        holder[key] = value

    return change


def drop(*path):
    *path, key = path

    def change(doc):
        holder = doc
        for part in path:
            holder = holder[part]
        del holder[key]

    return change


@pytest.mark.parametrize("name", [MINIMAL, NOT_ANSWERED, EVERY_KEY])
def test_it_accepts_the_sample_documents(name):
    assert validate_document(load(name), today=TODAY) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (drop("format"), 'is missing (this app reads "intake/1" documents)'),
        (
            set_in("format", "intake/2"),
            'unsupported format "intake/2" (this app reads intake/1)',
        ),
        (set_in("format", 1), "unsupported format 1 (this app reads intake/1)"),
        (set_in("format", None), "unsupported format null (this app reads intake/1)"),
    ],
)
def test_it_refuses_a_missing_or_unsupported_format_with_one_error(change, message):
    def change_with_schema_errors(doc):
        change(doc)
        doc["vitals"]["bp_systolic"] = "high"  # a schema error, not reported
        del doc["scales"]

    issues = issues_after(change_with_schema_errors)
    assert issues == [Issue("format", message)]


def test_it_refuses_a_document_that_is_not_an_object():
    assert validate_document([1], today=None) == [
        Issue("(document)", "the document must be a JSON object")
    ]


SCHEMA_REFUSALS = [
    # (change, path, words in the message)
    pytest.param(
        set_in("intake_date", "2026-02-30"),
        "intake_date",
        '"2026-02-30" is not a real calendar date',
        id="february-30",
    ),
    pytest.param(
        set_in("intake_date", "2026-9-15"),
        "intake_date",
        "is not a date written YYYY-MM-DD",
        id="date-shape",
    ),
    pytest.param(
        set_in("demographics", "age", "45"),
        "demographics.age",
        'expected an integer, got "45"',
        id="number-in-a-string",
    ),
    pytest.param(
        set_in("demographics", "age", Decimal("45.5")),
        "demographics.age",
        "expected an integer, got 45.5",
        id="fraction-for-an-integer",
    ),
    pytest.param(
        set_in("demographics", "age", float("nan")),
        "demographics.age",
        "expected an integer, got nan",
        id="nan-from-python",
    ),
    pytest.param(
        set_in("demographics", "age", 121),
        "demographics.age",
        "121 is greater than the maximum of 120",
        id="above-maximum",
    ),
    pytest.param(
        set_in("demographics", "breastfeeding", 0),
        "demographics.breastfeeding",
        "expected true, false or null, got 0",
        id="zero-for-no",
    ),
    pytest.param(
        set_in("psychiatric_history", "dissociative_disorder", 1),
        "psychiatric_history.dissociative_disorder",
        "expected true, false or null, got 1",
        id="one-for-yes",
    ),
    pytest.param(
        set_in("demographics", "sex_for_scoring", "f"),
        "demographics.sex_for_scoring",
        '"f" is not one of "female", "male", null',
        id="enum",
    ),
    pytest.param(
        set_in("medical_history", "checklist_default", "all_true"),
        "medical_history.checklist_default",
        'must be "all_false", got "all_true"',
        id="checklist-default",
    ),
    pytest.param(
        set_in("medical_history", "mi_or_acs_date", "2026-02-30"),
        "medical_history.mi_or_acs_date",
        '"2026-02-30" is not a real calendar date (an event date is a date, false '
        "for never, or null)",
        id="event-date-calendar",
    ),
    pytest.param(
        set_in("medical_history", "revascularization_date", True),
        "medical_history.revascularization_date",
        "expected a date (YYYY-MM-DD), false (never had it) or null (not answered), "
        "got true",
        id="event-date-true",
    ),
    pytest.param(
        set_in("medical_history", "mi_or_acs_date", "05/03/2026"),
        "medical_history.mi_or_acs_date",
        '"05/03/2026" is not a date written YYYY-MM-DD',
        id="event-date-shape",
    ),
    pytest.param(
        set_in("scales", "cssrs_screener", "q3", True),
        "scales.cssrs_screener.q3",
        "must be null when q2 is false or null",
        id="cssrs-q3-after-q2-no",
    ),
    pytest.param(
        lambda doc: doc["scales"]["cssrs_screener"].update(q2=None, q5=False),
        "scales.cssrs_screener.q5",
        "must be null when q2 is false or null",
        id="cssrs-q5-after-q2-null",
    ),
    pytest.param(
        lambda doc: doc["scales"]["cssrs_screener"].update(
            q6=None, q6_within_3_months=True
        ),
        "scales.cssrs_screener.q6_within_3_months",
        "must be null when q6 is false or null",
        id="cssrs-q6-within-after-q6-null",
    ),
    pytest.param(
        set_in("vitals", "pulse", 70),
        "vitals.pulse",
        "is not a key of intake/1",
        id="unknown-key",
    ),
    pytest.param(
        set_in("medical_history", "asthma_detail", "mild"),
        "medical_history.asthma_detail",
        "a *_detail key must name a checklist item",
        id="unknown-detail-key",
    ),
    pytest.param(
        drop("vitals", "bp_diastolic"),
        "vitals.bp_diastolic",
        "is missing: the key is required (write null when it was not answered)",
        id="missing-required-key",
    ),
    pytest.param(
        drop("scales"), "scales", "is missing: the key is required", id="no-section"
    ),
    pytest.param(
        set_in("antidepressant_trials", 0, "drug", ""),
        "antidepressant_trials[0].drug",
        "is empty: text has 1 to 2000 characters",
        id="empty-text",
    ),
    pytest.param(
        set_in("antidepressant_trials", 0, "stopped_reason", "x" * 2001),
        "antidepressant_trials[0].stopped_reason",
        "is 2001 characters long; the most allowed is 2000",
        id="long-text",
    ),
    pytest.param(
        set_in("medications", 0, "daily_dose_mg", 0),
        "medications[0].daily_dose_mg",
        "0 must be greater than 0",
        id="zero-dose",
    ),
    pytest.param(
        set_in("scales", "phq9", [1] * 8),
        "scales.phq9",
        "has 8 items; it must have exactly 9",
        id="phq9-length",
    ),
    pytest.param(
        set_in("scales", "phq9", 8, 4),
        "scales.phq9[8]",
        "4 is greater than the maximum of 3",
        id="phq9-item",
    ),
    pytest.param(
        set_in("medical_history", "other_conditions", None),
        "medical_history.other_conditions",
        "expected a list, got null",
        id="other-conditions-null",
    ),
    pytest.param(
        set_in("antidepressant_trials", 0, "ongoing", None),
        "antidepressant_trials[0].ongoing",
        "expected true or false, got null",
        id="ongoing-null",
    ),
    pytest.param(
        set_in("missing_reasons", {"Vitals.bmi": "declined"}),
        'missing_reasons["Vitals.bmi"]',
        "is not a field path",
        id="reason-key-shape",
    ),
    pytest.param(
        set_in("missing_reasons", {"vitals.heart_rate": "refused"}),
        'missing_reasons["vitals.heart_rate"]',
        '"refused" is not one of "declined", "unknown", "not_asked"',
        id="reason-value",
    ),
]


@pytest.mark.parametrize(("change", "path", "words"), SCHEMA_REFUSALS)
def test_it_refuses_what_the_schema_refuses(change, path, words):
    issues = issues_after(change)
    assert [issue.path for issue in issues] == [path]
    assert words in issues[0].message
    assert "is not valid under any of the given schemas" not in issues[0].message


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(set_in("demographics", "age", Decimal("45.0")), id="45.0"),
        pytest.param(set_in("vitals", "bp_systolic", Decimal("1.2E+2")), id="1.2E+2"),
        pytest.param(set_in("vitals", "bmi", Decimal("22.5")), id="bmi"),
        pytest.param(set_in("medical_history", "mi_or_acs_date", False), id="false"),
        pytest.param(set_in("medical_history", "mi_or_acs_date", None), id="null"),
        pytest.param(
            set_in("medical_history", "mi_or_acs_date", "2024-02-29"), id="leap-day"
        ),
        pytest.param(
            lambda doc: doc["scales"]["cssrs_screener"].update(
                q2=True, q3=None, q4=True, q5=False
            ),
            id="cssrs-after-q2-yes",
        ),
        pytest.param(
            lambda doc: doc["scales"]["cssrs_screener"].update(
                q6=True, q6_within_3_months=None
            ),
            id="cssrs-q6-within-unanswered",
        ),
        pytest.param(
            set_in("medications", 0, "daily_dose_mg", Decimal("0.0125")), id="dose"
        ),
        pytest.param(
            set_in("medications", 0, "daily_dose_mg", Decimal("12.50000")),
            id="dose-trailing-zeros",
        ),
        pytest.param(
            set_in("antidepressant_trials", 0, "adherence_pct", Decimal("79.55")),
            id="percent-has-no-place-check",
        ),
    ],
)
def test_it_accepts_valid_values(change):
    assert issues_after(change) == []


def _referencing_issues(doc):
    # The validator as jsonschema builds it from the schema as written, following each
    # $ref: what make_validator's inlined schema must match (#19).
    validator = schema._Validator(
        SCHEMA, format_checker=schema.Draft202012Validator.FORMAT_CHECKER
    )
    return schema.schema_issues(validator, doc)


@pytest.mark.parametrize(("change", "path", "words"), SCHEMA_REFUSALS)
def test_it_gives_the_errors_of_the_schema_as_written(change, path, words):
    doc = load(MINIMAL)
    change(doc)
    expected = _referencing_issues(doc)
    assert expected, "the change is refused by the schema"
    assert schema.schema_issues(validate._DOCUMENT_VALIDATOR, doc) == expected


def test_it_gives_every_error_of_the_schema_as_written_together():
    def wreck(value):
        # Every leaf the wrong type: an error in every reachable subschema.
        if isinstance(value, dict):
            return {key: wreck(item) for key, item in value.items()}
        if isinstance(value, list):
            return [wreck(item) for item in value] + ["extra"] * 60
        return {"not": "a leaf"} if isinstance(value, str | None) else "text"

    for name in (MINIMAL, NOT_ANSWERED, EVERY_KEY):
        doc = load(name)
        wrecked = {**wreck(doc), "format": doc["format"], "unknown": 1}
        expected = _referencing_issues(wrecked)
        assert len(expected) > 20
        assert schema.schema_issues(validate._DOCUMENT_VALIDATOR, wrecked) == expected


def test_it_reports_every_schema_error_together():
    def change(doc):
        doc["demographics"]["age"] = "45"
        doc["vitals"]["bp_systolic"] = 900
        doc["scales"]["cssrs_screener"]["q4"] = True
        del doc["allergies"]

    assert [issue.path for issue in issues_after(change)] == [
        "allergies",
        "demographics.age",
        "vitals.bp_systolic",
        "scales.cssrs_screener.q4",
    ]


SEMANTIC_REFUSALS = [
    pytest.param(
        set_in("medical_history", "mi_or_acs_date", "2026-09-16"),
        "medical_history.mi_or_acs_date",
        "2026-09-16 is after intake_date 2026-09-15",
        id="mi-date",
    ),
    pytest.param(
        set_in("medical_history", "revascularization_date", "2027-01-01"),
        "medical_history.revascularization_date",
        "2027-01-01 is after intake_date 2026-09-15",
        id="revascularization-date",
    ),
    pytest.param(
        set_in("indication", "current_episode_start", "2026-10-01"),
        "indication.current_episode_start",
        "2026-10-01 is after intake_date 2026-09-15",
        id="episode-start",
    ),
    pytest.param(
        set_in(
            "substance_use",
            "substance_use_disorders",
            [
                {"substance": "alcohol", "status": None, "last_met_criteria": None},
                {
                    "substance": "opioid",
                    "status": None,
                    "last_met_criteria": "2026-12-01",
                },
            ],
        ),
        "substance_use.substance_use_disorders[1].last_met_criteria",
        "2026-12-01 is after intake_date 2026-09-15",
        id="sud-date",
    ),
    pytest.param(
        set_in(
            "substance_use",
            "non_medical_use",
            [{"substance": "cocaine", "last_use": "2026-09-16"}],
        ),
        "substance_use.non_medical_use[0].last_use",
        "2026-09-16 is after intake_date 2026-09-15",
        id="last-use",
    ),
    pytest.param(
        set_in("indication", "index_trauma_year", 2027),
        "indication.index_trauma_year",
        "2027 is after 2026, the year of intake_date",
        id="trauma-year",
    ),
    pytest.param(
        set_in("intake_date", "2026-11-02"),
        "intake_date",
        "2026-11-02 is after today (2026-11-01)",
        id="intake-after-today",
    ),
    pytest.param(
        lambda doc: doc["vitals"].update(bp_systolic=300, bp_diastolic=20),
        "vitals.bp_diastolic",
        "pulse pressure 300 - 20 = 280 mmHg is above 200",
        id="pulse-pressure",
    ),
    pytest.param(
        lambda doc: doc["vitals"].update(bp_systolic=80, bp_diastolic=80),
        "vitals.bp_diastolic",
        "diastolic 80 is not below systolic 80",
        id="diastolic-equal",
    ),
    pytest.param(
        lambda doc: doc["vitals"].update(bp_systolic=80, bp_diastolic=120),
        "vitals.bp_diastolic",
        "diastolic 120 is not below systolic 80",
        id="diastolic-above",
    ),
    pytest.param(
        set_in("medications", 0, "daily_dose_mg", Decimal("0.00125")),
        "medications[0].daily_dose_mg",
        "0.00125 has 5 decimal places; a dose has at most 4 decimal places",
        id="medication-dose",
    ),
    pytest.param(
        set_in("antidepressant_trials", 1, "daily_dose_mg", Decimal("150.00001")),
        "antidepressant_trials[1].daily_dose_mg",
        "has 5 decimal places; a dose has at most 4",
        id="trial-dose",
    ),
    pytest.param(
        set_in("vitals", "bmi", Decimal("22.55")),
        "vitals.bmi",
        "22.55 has 2 decimal places; a BMI has at most 1 decimal place",
        id="bmi",
    ),
]


@pytest.mark.parametrize(("change", "path", "words"), SEMANTIC_REFUSALS)
def test_it_runs_the_semantic_checks(change, path, words):
    issues = issues_after(change)
    assert [issue.path for issue in issues] == [path]
    assert words in issues[0].message


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(set_in("intake_date", "2026-11-01"), id="intake-today"),
        pytest.param(
            set_in("medical_history", "mi_or_acs_date", "2026-09-15"), id="same-day"
        ),
        pytest.param(set_in("indication", "index_trauma_year", 2026), id="same-year"),
        pytest.param(
            lambda doc: doc["vitals"].update(bp_systolic=250, bp_diastolic=50),
            id="pulse-pressure-200",
        ),
        pytest.param(
            lambda doc: doc["vitals"].update(bp_systolic=300, bp_diastolic=None),
            id="one-value",
        ),
        pytest.param(
            set_in("medications", 0, "daily_dose_mg", Decimal("99999.9999")),
            id="four-places",
        ),
    ],
)
def test_it_accepts_values_at_the_semantic_limits(change):
    assert issues_after(change) == []


def test_it_skips_the_today_check_without_today():
    assert issues_after(set_in("intake_date", "2030-01-01"), today=None) == []


def test_it_reports_every_semantic_error_together():
    def change(doc):
        doc["intake_date"] = "2026-11-30"
        doc["vitals"].update(bp_systolic=300, bp_diastolic=20, bmi=Decimal("30.25"))
        doc["medical_history"]["mi_or_acs_date"] = "2026-12-01"
        doc["missing_reasons"] = {"vitals.bp_systolic": "declined"}

    assert [issue.path for issue in issues_after(change)] == [
        "intake_date",
        "vitals.bp_diastolic",
        "vitals.bmi",
        "medical_history.mi_or_acs_date",
        'missing_reasons["vitals.bp_systolic"]',
    ]


def test_it_stops_at_the_schema_step():
    def change(doc):
        doc["medical_history"]["mi_or_acs_date"] = "2027-01-01"  # semantic
        doc["vitals"]["heart_rate"] = "70"  # schema

    assert [issue.path for issue in issues_after(change)] == ["vitals.heart_rate"]


def test_it_loads_a_document_unchanged():
    raw = (DOCUMENTS / EVERY_KEY).read_bytes()
    doc = load_document(raw, today=TODAY)
    assert doc == parse_json(raw)
    assert "checklist_default" in doc["psychiatric_history"]
    assert "aneurysmal_vascular_disease" not in doc["psychiatric_history"]
    assert doc["medications"][1]["daily_dose_mg"] == Decimal("0.0125")


def test_it_refuses_to_load_with_every_issue():
    raw = (
        (DOCUMENTS / MINIMAL)
        .read_text()
        .replace('"age": 40', '"age": "40"')
        .replace('"bp_systolic": 124', '"bp_systolic": 24')
    )
    with pytest.raises(DocumentInvalid) as refused:
        load_document(raw, today=TODAY)
    assert refused.value.issues == [
        Issue("demographics.age", 'expected an integer, got "40"'),
        Issue("vitals.bp_systolic", "24 is less than the minimum of 50"),
    ]
    assert str(refused.value) == (
        "intake/1 document refused (2 errors):\n"
        '  demographics.age: expected an integer, got "40"\n'
        "  vitals.bp_systolic: 24 is less than the minimum of 50"
    )


def test_it_refuses_to_load_what_it_cannot_parse():
    with pytest.raises(DocumentInvalid) as refused:
        load_document(b'{"format": "intake/1", "format": "intake/1"}', today=None)
    assert refused.value.issues == [
        Issue(
            "format", 'duplicate key "format": a key may appear only once in an object'
        )
    ]
