import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

from screening.intake_format import (
    SCHEMA,
    documents_equal,
    dumps,
    normal_form,
    parse_json,
    validate_document,
)
from screening.intake_format.fields import MEDICAL_ITEMS, PSYCHIATRIC_ITEMS
from tests.intake_format.samples import EVERY_KEY, MINIMAL, NOT_ANSWERED, TODAY, load
from tests.intake_format.strategies import documents


def schema_keys(name):
    ref = SCHEMA["properties"][name].get("$ref", "")
    return list(SCHEMA["$defs"][ref.removeprefix("#/$defs/")]["properties"])


def test_it_writes_every_key_in_schema_order():
    normal = normal_form(load(MINIMAL))
    assert list(normal) == [
        key for key in SCHEMA["properties"] if key not in ("patient", "missing_reasons")
    ]
    for name in ("demographics", "indication", "vitals", "substance_use", "scales"):
        assert list(normal[name]) == schema_keys(name)
    trial_keys = list(SCHEMA["$defs"]["trial"]["properties"])
    assert [list(trial) for trial in normal["antidepressant_trials"]] == [
        trial_keys
    ] * 2


def test_it_writes_unanswered_optional_keys_as_null():
    normal = normal_form(load(MINIMAL))
    assert normal["indication"] == {
        "primary": "major_depressive_disorder",
        "detail": None,
        "episode": None,
        "current_episode_start": None,
        "episode_severity_clinician": None,
        "augmentation_used": None,
        "ect_used": None,
        "index_trauma_year": None,
    }
    assert normal["vitals"] == {
        "bp_systolic": 124,
        "bp_diastolic": 80,
        "heart_rate": None,
        "bmi": None,
    }
    assert normal["scales"]["gad7"] is None
    assert normal["scales"]["madrs_total"] is None
    trial = normal["antidepressant_trials"][0]
    assert trial["ongoing"] is False
    assert trial["improvement_pct"] is None
    assert trial["dose_adequate_override_reason"] is None


def test_it_expands_the_checklists_under_all_false():
    normal = normal_form(load(MINIMAL))
    assert normal["medical_history"] == {**MEDICAL_ITEMS, "other_conditions": []}
    assert normal["psychiatric_history"] == {
        **PSYCHIATRIC_ITEMS,
        "other_conditions": [],
    }
    assert list(normal["medical_history"])[:-1] == list(MEDICAL_ITEMS)


def test_it_keeps_listed_nulls_and_leaves_unlisted_items_null_without_default():
    normal = normal_form(load(NOT_ANSWERED))
    medical = normal["medical_history"]
    assert medical["arteriovenous_malformation"] is None
    assert medical["sleep_apnea"] is True
    assert medical["hepatic_impairment_child_pugh"] == "none"
    assert medical["heart_failure_nyha_class"] == 0
    assert medical["mi_or_acs_date"] is False
    assert "checklist_default" not in medical
    assert normal["psychiatric_history"] == {
        "psychotic_disorder_lifetime": None,
        "psychotic_symptoms_current": None,
        "bipolar_or_mania_history": False,
        "dissociative_disorder": None,
        "severe_personality_disorder": None,
        "other_conditions": [],
    }
    assert normal["missing_reasons"] == {
        "medications": "not_asked",
        "scales.phq9[7]": "declined",
    }


def test_it_writes_patient_details_and_reasons_only_when_present():
    doc = load(EVERY_KEY)
    normal = normal_form(doc)
    assert normal["patient"] == {"mrn": "TEST-000123"}
    medical = normal["medical_history"]
    assert medical["mi_or_acs_date_detail"] == "NSTEMI, month known, day estimated"
    assert "sleep_apnea_detail" not in medical  # null: no text
    assert list(medical)[-2:] == ["other_conditions", "mi_or_acs_date_detail"]
    assert normal["psychiatric_history"]["severe_personality_disorder_detail"] == (
        "assessed 2024, criteria not met"
    )
    assert normal["missing_reasons"] == doc["missing_reasons"]
    assert list(normal)[-1] == "missing_reasons"
    del doc["patient"]
    doc["missing_reasons"] = {}
    normal = normal_form(doc)
    assert "patient" not in normal
    assert "missing_reasons" not in normal


def test_it_writes_integral_numbers_in_integer_fields_as_int():
    doc = load(MINIMAL)
    doc["demographics"]["age"] = Decimal("45.0")
    doc["vitals"]["bp_systolic"] = Decimal("1.3E+2")
    doc["scales"]["phq9"][0] = Decimal("2.00")
    doc["medical_history"]["heart_failure_nyha_class"] = Decimal("2.0")
    normal = normal_form(doc)
    for value in (
        normal["demographics"]["age"],
        normal["vitals"]["bp_systolic"],
        normal["scales"]["phq9"][0],
        normal["medical_history"]["heart_failure_nyha_class"],
    ):
        assert type(value) is int
    assert normal["demographics"]["age"] == 45
    assert normal["vitals"]["bp_systolic"] == 130


def test_it_keeps_other_numbers_exact():
    doc = load(EVERY_KEY)
    normal = normal_form(doc)
    assert normal["medications"][1]["daily_dose_mg"] == Decimal("0.0125")
    assert normal["antidepressant_trials"][0]["adherence_pct"] == Decimal("79.5")
    assert type(normal["medications"][1]["daily_dose_mg"]) is Decimal


@pytest.mark.parametrize("name", [MINIMAL, NOT_ANSWERED, EVERY_KEY])
def test_it_finds_a_document_equal_to_its_normal_form(name):
    doc = load(name)
    normal = normal_form(doc)
    assert documents_equal(doc, normal)
    assert normal_form(normal) == normal
    assert validate_document(normal, today=TODAY) == []


@pytest.mark.parametrize(
    ("change", "equal"),
    [
        pytest.param(
            lambda doc: doc["demographics"].update(age=Decimal("40.0")), True, id="40.0"
        ),
        pytest.param(
            lambda doc: doc["medications"][0].update(daily_dose_mg=Decimal("150.000")),
            True,
            id="trailing-zeros",
        ),
        pytest.param(
            lambda doc: doc["psychiatric_history"].update(
                dict.fromkeys(PSYCHIATRIC_ITEMS, False)
            ),
            True,
            id="listed-no-answers",
        ),
        pytest.param(
            lambda doc: doc["antidepressant_trials"][0].update(ongoing=False),
            True,
            id="ongoing-false",
        ),
        pytest.param(
            lambda doc: doc["vitals"].update(heart_rate=None), True, id="explicit-null"
        ),
        pytest.param(lambda doc: doc.update(missing_reasons={}), True, id="no-reasons"),
        pytest.param(
            lambda doc: doc["psychiatric_history"].update(
                checklist_default="all_false", bipolar_or_mania_history=None
            ),
            False,
            id="listed-null",
        ),
        pytest.param(
            lambda doc: doc["medications"][0].update(daily_dose_mg=Decimal("150.0001")),
            False,
            id="dose",
        ),
        pytest.param(
            lambda doc: doc["psychiatric_history"].pop("checklist_default"),
            False,
            id="default-dropped",
        ),
        pytest.param(
            lambda doc: doc.update(patient={"mrn": "A1"}), False, id="patient"
        ),
    ],
)
def test_it_compares_documents_by_normal_form(change, equal):
    doc = load(MINIMAL)
    change(doc)
    assert documents_equal(load(MINIMAL), doc) is equal


def test_it_ignores_key_order():
    doc = load(EVERY_KEY)
    reordered = dict(reversed(doc.items()))
    reordered["vitals"] = dict(reversed(doc["vitals"].items()))
    assert documents_equal(doc, reordered)


@pytest.mark.parametrize(
    "number",
    [
        "0.0125",
        "12.5",
        "99999.9999",
        "0.0001",
        "0.075",
        "100000",
        "1.1",
        "22.5",
        "79.5",
        "-100",
        "33.333333333333333333333333333333",
    ],
)
def test_it_round_trips_decimals_exactly(number):
    doc = {"value": Decimal(number)}
    text = dumps(doc)
    assert json.loads(text) is not None  # strict JSON: a number, not a string
    assert text == f'{{"value": {number}}}'
    back = parse_json(text)["value"]
    assert back == Decimal(number)
    assert str(back) == number


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("150"), "150"),
        (Decimal("45.0"), "45"),
        (Decimal("1E+2"), "100"),
        (Decimal("12.50"), "12.5"),
        (Decimal("1.5E-5"), "0.000015"),
        (Decimal("-0.0"), "0"),
        (7, "7"),
        (0.5, "0.5"),
        (True, "true"),
        (None, "null"),
        ("Zoë", '"Zoë"'),
        ('a "quote"\n', '"a \\"quote\\"\\n"'),
        ("\x01\u2028/", '"\\u0001\u2028/"'),
        (False, "false"),
        ({"a": [1, None, "b"]}, '{"a": [1, null, "b"]}'),
    ],
)
def test_it_writes_values_as_json(value, text):
    assert dumps(value) == text


@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        Decimal("NaN"),
        Decimal("-Infinity"),
        "\ud800",
        {1: 2},
    ],
)
def test_it_refuses_to_write_what_strict_json_cannot_hold(value):
    with pytest.raises((ValueError, TypeError)):
        dumps({"value": value})


def test_it_exports_a_document_that_imports_to_its_normal_form():
    normal = normal_form(load(EVERY_KEY))
    for indent in (None, 2):
        text = dumps(normal, indent=indent)
        assert json.loads(text, parse_float=Decimal) == normal
        assert normal_form(parse_json(text.encode("utf-8"))) == normal


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents())
def test_it_keeps_the_normal_form_of_any_valid_document(doc):
    assert validate_document(doc, today=None) == []
    normal = normal_form(doc)
    assert normal_form(normal) == normal
    assert documents_equal(doc, normal)
    assert validate_document(normal, today=None) == []
    exported = parse_json(dumps(normal).encode("utf-8"))
    assert documents_equal(exported, doc)
    assert normal_form(exported) == normal
