import pytest

from screening.intake_format import Issue, validate_document
from tests.intake_format.samples import EVERY_KEY, NOT_ANSWERED, TODAY, load


def reasons_refused(keys, *, name=NOT_ANSWERED):
    doc = load(name)
    doc["missing_reasons"] = dict.fromkeys(keys, "unknown")
    return validate_document(doc, today=TODAY)


# Example 6.2: `medical_history` has all_false with `arteriovenous_malformation: null`
# listed; `psychiatric_history` has no default; `medications` and `allergies` are null.
REFUSED = [
    # (key, words in the message)
    pytest.param("vitals.bp_systolic", "holds a value", id="non-null-field"),
    pytest.param("scales.phq9[0]", "holds a value", id="non-null-item"),
    pytest.param(
        "medical_history.seizure_disorder",
        'answered "no" by checklist_default "all_false"',
        id="covered-by-all-false",
    ),
    pytest.param(
        "medical_history.mi_or_acs_date",
        'answered "no" by checklist_default "all_false"',
        id="event-date-covered-by-all-false",
    ),
    pytest.param("vitals.pulse", '"pulse" is not a key of vitals', id="unknown-field"),
    pytest.param("foo", '"foo" is not a key of the document', id="unknown-section"),
    pytest.param(
        "antidepressant_trials[2].weeks_at_dose",
        "index 2 is past the end of antidepressant_trials (2 rows)",
        id="index-past-the-end",
    ),
    pytest.param(
        "substance_use.dast10_answers[0]",
        "names a row of substance_use.dast10_answers, which is null or absent",
        id="item-of-a-null-list",
    ),
    pytest.param(
        "medications[0].daily_dose_mg",
        "names a row of medications, which is null or absent",
        id="row-of-a-null-list",
    ),
    pytest.param(
        "patient.mrn",
        "names a field inside patient, which is null or absent",
        id="field-inside-an-absent-object",
    ),
    pytest.param(
        "allergies.substance",
        '"substance" is not a key of allergies',
        id="name-on-a-list",
    ),
    pytest.param("vitals[0]", "vitals is not a list", id="index-on-an-object"),
    pytest.param("demographics.age", "cannot be null", id="age-cannot-be-null"),
    pytest.param(
        "medical_history.other_conditions",
        "cannot be null",
        id="other-conditions-cannot-be-null",
    ),
    pytest.param(
        "antidepressant_trials[0].ongoing", "cannot be null", id="ongoing-cannot"
    ),
    pytest.param("format", "cannot be null", id="format"),
    pytest.param("intake_date", "cannot be null", id="intake-date"),
    pytest.param("patient", "cannot be null", id="patient"),
    pytest.param("missing_reasons", "cannot be null", id="missing-reasons"),
]


@pytest.mark.parametrize(("key", "words"), REFUSED)
def test_it_refuses_a_reason_for_a_field_that_is_not_null(key, words):
    [issue] = reasons_refused([key])
    assert issue.path == f'missing_reasons["{key}"]'
    assert words in issue.message


def test_it_refuses_a_reason_inside_a_null_object():
    doc = load(NOT_ANSWERED)
    doc["substance_use"]["audit_c"] = None
    doc["missing_reasons"] = {"substance_use.audit_c.q1": "declined"}
    assert validate_document(doc, today=TODAY) == [
        Issue(
            'missing_reasons["substance_use.audit_c.q1"]',
            "names a field inside substance_use.audit_c, which is null or absent",
        )
    ]


ACCEPTED = [
    pytest.param(
        "medical_history.arteriovenous_malformation", id="listed-null-under-all-false"
    ),
    pytest.param(
        "psychiatric_history.psychotic_disorder_lifetime", id="unlisted-without-default"
    ),
    pytest.param("vitals.bp_diastolic", id="explicit-null"),
    pytest.param("vitals.heart_rate", id="absent-optional-key"),
    pytest.param("medications", id="null-list"),
    pytest.param("allergies", id="null-allergies"),
    pytest.param("scales.phq9[7]", id="null-item"),
    pytest.param("scales.gad7", id="absent-instrument"),
    pytest.param("substance_use.audit_c.q3", id="null-in-object"),
    pytest.param("antidepressant_trials[0].weeks_at_dose", id="null-in-row"),
    pytest.param("antidepressant_trials[1].improvement_pct", id="absent-in-row"),
    pytest.param("scales.cssrs_screener.q3", id="unanswered-after-q2-yes"),
    pytest.param("medical_history.sleep_apnea_detail", id="absent-detail"),
    pytest.param("indication.index_trauma_year", id="absent-year"),
]


@pytest.mark.parametrize("key", ACCEPTED)
def test_it_accepts_a_reason_for_a_null_field(key):
    assert reasons_refused([key]) == []


def test_it_accepts_the_reasons_of_the_full_sample():
    assert validate_document(load(EVERY_KEY), today=TODAY) == []


def test_it_reports_each_refused_reason():
    keys = ["medications", "vitals.bp_systolic", "scales.phq9[7]", "foo.bar"]
    assert [issue.path for issue in reasons_refused(keys)] == [
        'missing_reasons["vitals.bp_systolic"]',
        'missing_reasons["foo.bar"]',
    ]
