from datetime import date

import pytest

from screening.engine import ExpressionError, compile_expression
from screening.engine.expression_nodes import AS_OF
from screening.engine.uncertain import AtLeast, OneOf


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("vitals.bp_systolic >", "Syntax error"),
        ("vitals.bp_sistolic > 180", "Did you mean 'vitals.bp_systolic'"),
        ('vitals.bp_systolic > "high"', "Type mismatch"),
        ("intake_date > 3", "Type mismatch"),
        ("indication.primary > 3", "Type mismatch"),
        ('indication.primary == "mdd"', "is never"),
        ('"maoix" in medication_classes', "is never"),
        ("vitals.__class__ == 1", "Unknown name"),
        ("vitals > 1", "section, not a fact"),
        ('open("x")', "Unknown name"),
        ("$abs(vitals.bmi) > 1", "Only these functions"),
        ("[x for x in [1, 2]]", "not allowed"),
        ("vitals.bmi > 1 ? true : false", "not allowed"),
        ('indication.primary =~ "p.*"', "not allowed"),
        ("vitals.bp_systolic == null", "is_null"),
        ("vitals.bp_systolic", "must be yes/no"),
        ("scales.phq9 >= 1", "list of item answers"),
        ("scales.phq9[9] >= 1", "index from 0 to 8"),
        ('medical_history.mi_or_acs_date > d"2024-01-01"', "within_days"),
        ("within_days(vitals.bmi, 3)", "needs a date"),
        ("is_true(vitals.bmi)", "yes/no operands"),
        ("vitals.bmi / 0 > 1", "Division by zero"),
        ("", "empty"),
    ],
)
def test_it_rejects_a_bad_condition_when_it_is_saved(text, message):
    with pytest.raises(
        ExpressionError, match=message.replace("(", r"\(").replace("[", r"\[")
    ):
        compile_expression(text)


def run(text, **facts):
    env = {name.replace("__", "."): value for name, value in facts.items()}
    env.setdefault(AS_OF, date(2026, 9, 15))
    return compile_expression(text).evaluate(env)


@pytest.mark.parametrize(
    ("text", "facts", "expected"),
    [
        ("demographics.breastfeeding or vitals.bmi > 30", {"vitals__bmi": 31}, True),
        ("demographics.breastfeeding or vitals.bmi > 30", {"vitals__bmi": 29}, None),
        ("demographics.breastfeeding and vitals.bmi > 30", {"vitals__bmi": 29}, False),
        ("demographics.breastfeeding and vitals.bmi > 30", {"vitals__bmi": 31}, None),
        ("not demographics.breastfeeding", {}, None),
        ("is_null(demographics.breastfeeding)", {}, True),
        ("is_true(demographics.breastfeeding)", {}, False),
        ("vitals.bmi + 1 > 30", {"vitals__bmi": 29}, False),
        (
            "diazepam_equivalent_exact > 8",
            {"diazepam_equivalent_exact": AtLeast(9)},
            True,
        ),
        (
            "diazepam_equivalent_exact > 8",
            {"diazepam_equivalent_exact": AtLeast(2)},
            None,
        ),
        (
            "diazepam_equivalent_exact < 8",
            {"diazepam_equivalent_exact": AtLeast(9)},
            False,
        ),
        ("dast10_total >= 3", {"dast10_total": OneOf(frozenset({3, 4}))}, True),
        ("dast10_total >= 3", {"dast10_total": OneOf(frozenset({2, 3}))}, None),
        (
            "dast10_total >= 3 and dast10_total <= 1",
            {"dast10_total": OneOf(frozenset({0, 5}))},
            False,
        ),
        ("is_null(dast10_total)", {"dast10_total": OneOf(frozenset({3, 4}))}, True),
        (
            'cssrs_risk == "high"',
            {"cssrs_risk": OneOf(frozenset({"low", "none"}))},
            False,
        ),
        (
            "within_days(medical_history.mi_or_acs_date, 42)",
            {"medical_history__mi_or_acs_date": date(2026, 8, 4)},
            True,
        ),
        (
            "within_days(medical_history.mi_or_acs_date, 42)",
            {"medical_history__mi_or_acs_date": False},
            False,
        ),
        ("within_days(medical_history.mi_or_acs_date, 42)", {}, None),
        (
            "medical_history.heart_failure_nyha_class in [3, 4]",
            {"medical_history__heart_failure_nyha_class": 4},
            True,
        ),
        (
            '"maoi" in medication_classes',
            {"medication_classes": frozenset({"ssri"})},
            False,
        ),
        ('"maoi" in medication_classes', {}, None),
    ],
)
def test_it_evaluates_three_valued(text, facts, expected):
    assert run(text, **facts) is expected


def test_it_compares_exact_numbers_without_binary_floats():
    from fractions import Fraction

    assert (
        run("diazepam_equivalent_exact > 8", diazepam_equivalent_exact=Fraction(8))
        is False
    )
    assert (
        run("vitals.bmi >= 35", vitals__bmi=__import__("decimal").Decimal("35.0"))
        is True
    )


# Hostile conditions (issue #13, F4): each is refused quickly with a message to act on.

NESTED = 3000
REGEX_BOMB = '"' + "a" * 20 + '!" =~ "(a+)+$"'


@pytest.mark.parametrize(
    "text",
    [
        "madrs_total > 1e60000",
        "madrs_total > 1e5000",
        "madrs_total > 1e-60000",
        "madrs_total > 10000000000",
        "madrs_total > 0.0000001",
        "madrs_total > 0x1F",
        "within_days(intake_date, 1e60000)",
        "madrs_total in [1, 1e60000]",
    ],
)
def test_it_refuses_a_huge_or_odd_number_literal__f4(text):
    with pytest.raises(ExpressionError, match="Write numbers"):
        compile_expression(text)


@pytest.mark.parametrize(
    "text",
    [
        REGEX_BOMB,
        '"a" !~ "b"',
        'indication.primary =~~ "(a+)+$"',
    ],
)
def test_it_refuses_a_regex_even_between_two_literals__f4(text):
    with pytest.raises(ExpressionError, match="Regular expressions"):
        compile_expression(text)


@pytest.mark.parametrize(
    "text",
    [
        "1 == 1",
        "madrs_total > 3 or 1 + 1 == 2",
        "madrs_total > 2 * 3",
        "not true",
        '"maoi" in ["maoi"]',
        "madrs_total > [1, 2][0]",
    ],
)
def test_it_refuses_a_sub_expression_of_constants_only__f4(text):
    with pytest.raises(ExpressionError, match="reads no fact"):
        compile_expression(text)


@pytest.mark.parametrize(
    "text",
    [
        " or ".join(["madrs_total > 1"] * NESTED),
        "not " * NESTED + "is_null(madrs_total)",
        "madrs_total" + " + 1" * NESTED + " > 3",
        "-" * NESTED + "madrs_total > 3",
        "(" * NESTED + "madrs_total" + ")" * NESTED + " > 3",
    ],
)
def test_it_refuses_a_condition_nested_too_deeply__f4(text):
    with pytest.raises(ExpressionError, match=r"too long|too deeply nested"):
        compile_expression(text)


def test_it_refuses_an_overlong_condition__f4():
    text = "madrs_total > 1 and " + " " * 5000 + "madrs_total < 50"

    with pytest.raises(ExpressionError, match="too long"):
        compile_expression(text)


@pytest.mark.parametrize(
    "text",
    [
        "madrs_total > -1",
        "vitals.bmi >= 35.5",
        "madrs_total > 999999999",
        "vitals.bmi > 0.000001",
        "medical_history.heart_failure_nyha_class in [3, -4]",
        " or ".join(["madrs_total > 1"] * 40),
    ],
)
def test_it_still_accepts_plain_numbers_and_long_flat_conditions__f4(text):
    assert compile_expression(text).root.type == "bool"
