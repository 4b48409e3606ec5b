import json

import pytest

from screening.engine import (
    ClinicSettings,
    RulesetError,
    SettingsError,
    compile_expression,
    load_default_ruleset,
    ruleset_from_dict,
    ruleset_to_dict,
    run_rule_tests,
)
from screening.engine.rulesets import DEFAULT_RULESET_PATH

RULE_BOOK_CODES = 60


def test_it_ships_every_rule_book_code_once():
    ruleset = load_default_ruleset()
    codes = [rule.code for rule in ruleset.rules]
    assert len(codes) == len(set(codes)) == RULE_BOOK_CODES
    assert ruleset.version == "default-1"
    assert ruleset.settings == ClinicSettings()


@pytest.mark.parametrize(
    "rule", load_default_ruleset().rules, ids=lambda rule: rule.code
)
def test_it_compiles_each_default_rule_and_cites_a_source(rule):
    compile_expression(rule.expression)
    assert rule.source.title
    assert rule.source.section
    assert isinstance(rule.source.year, str)
    assert rule.tests, "every rule carries its own test cases"
    if rule.severity == "absolute" or rule.code.startswith("DATA-MISSING-"):
        assert rule.locked


def test_it_passes_every_rule_s_own_tests():
    failures = [
        result for result in run_rule_tests(load_default_ruleset()) if not result.passed
    ]
    assert failures == []


def test_it_cites_the_rule_book_for_rules_without_a_published_source():
    ruleset = load_default_ruleset()
    for code in ("CV-PULM-HTN", "DDI-NMDA", "REPRO-STATUS-UNKNOWN", "DATA-MISSING-BP"):
        source = ruleset.rule(code).source
        assert source.title == "Clinical reference: the screening rule book"
        assert source.year == "2026"
        assert source.url is None


def test_it_round_trips_the_json_form():
    data = json.loads(DEFAULT_RULESET_PATH.read_text(encoding="utf-8"))
    assert ruleset_to_dict(ruleset_from_dict(data)) == data


def test_it_names_the_rule_with_a_bad_expression():
    data = ruleset_to_dict(load_default_ruleset())
    data["rules"][0]["expression"] = 'vitals.bp_systolic > "high"'
    with pytest.raises(RulesetError, match="CI-ANEURYSM: Type mismatch"):
        ruleset_from_dict(data)


def test_it_refuses_a_rule_reading_another_rule_that_is_missing():
    data = ruleset_to_dict(load_default_ruleset())
    data["rules"] = [rule for rule in data["rules"] if rule["code"] != "CI-BP-SEVERE"]
    with pytest.raises(RulesetError, match="bp_severe needs the rule CI-BP-SEVERE"):
        ruleset_from_dict(data)


def test_it_lets_an_admin_edit_a_threshold():
    data = ruleset_to_dict(load_default_ruleset())
    rule = next(rule for rule in data["rules"] if rule["code"] == "DDI-BZD-HIGH")
    rule["expression"] = "diazepam_equivalent_exact > 20"
    rule["tests"] = [
        {
            "name": "30 fires",
            "facts": {"diazepam_equivalent_exact": "30"},
            "expect": "fired",
        }
    ]
    results = run_rule_tests(ruleset_from_dict(data), codes=["DDI-BZD-HIGH"])
    assert [result.passed for result in results] == [True]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"trd_min_weeks_at_dose": 5}, "4, 6 or 8"),
        ({"trd_failure_threshold": "lt25"}, "lt50"),
        ({"trd_min_adherence_pct": 49}, "50 to 100"),
        ({"bp_guide_age_banded": "yes"}, "true or false"),
        ({"severity_raised_to_absolute": ["CV-AGE-65"]}, "may list only"),
        ({"colour": "blue"}, "unknown setting"),
        (
            {
                "diazepam_equivalents": [
                    {"name": "lorazepam", "mg_equivalent_to_10mg_diazepam": 0}
                ]
            },
            "above 0",
        ),
        (
            {
                "diazepam_equivalents": [
                    {"name": "two words", "mg_equivalent_to_10mg_diazepam": 1}
                ]
            },
            "one word",
        ),
        (
            {
                "min_dose_table": [
                    {
                        "names": ["x"],
                        "agent": "x",
                        "class": "Sleep pill",
                        "min_mg_per_day": 1,
                    }
                ]
            },
            "class",
        ),
    ],
)
def test_it_refuses_invalid_settings_with_a_clear_message(settings, message):
    with pytest.raises(SettingsError, match=message):
        ClinicSettings.from_dict(settings)


def test_it_round_trips_settings():
    settings = ClinicSettings(severity_raised_to_absolute=("PSY-PSYCHOSIS",))
    assert ClinicSettings.from_dict(settings.to_dict()) == settings


def test_it_raises_a_listed_rule_to_absolute():
    from screening.engine import screen_document
    from tests.engine.intakes import intake

    data = ruleset_to_dict(load_default_ruleset())
    data["settings"]["severity_raised_to_absolute"] = ["PSY-PSYCHOSIS"]
    result = screen_document(
        intake({"psychiatric_history.psychotic_disorder_lifetime": True}),
        ruleset_from_dict(data),
    )
    flag = next(f for f in result["flags"] if f["code"] == "PSY-PSYCHOSIS")
    assert flag["severity"] == "absolute"
    assert flag["evidence"]["settings"]["severity_raised_to_absolute"] == [
        "PSY-PSYCHOSIS"
    ]
    assert result["outcome"] == "absolute_contraindication"


@pytest.mark.parametrize(
    ("setting", "changes", "code", "fired"),
    [
        (
            {"bp_guide_age_banded": True},
            {"vitals.bp_systolic": 145, "demographics.age": 70},
            "CV-BP-ELEVATED",
            False,
        ),
        (
            {"recent_cv_event_absolute": False},
            {"medical_history.mi_or_acs_date": "2026-09-01"},
            "CV-MI-12M",
            True,
        ),
        (
            {"recent_cv_event_absolute": False},
            {"medical_history.mi_or_acs_date": "2026-09-01"},
            "CI-RECENT-CV-EVENT",
            False,
        ),
        ({"trd_failure_threshold": "le25"}, {}, "DATA-MISSING-TRD", True),
    ],
)
def test_it_follows_the_clinic_settings(setting, changes, code, fired):
    from screening.engine import screen_document
    from tests.engine.intakes import intake

    data = ruleset_to_dict(load_default_ruleset())
    data["settings"].update(setting)
    result = screen_document(intake(changes), ruleset_from_dict(data))
    assert any(f["code"] == code for f in result["flags"]) is fired


def _with_test_facts(facts):
    data = ruleset_to_dict(load_default_ruleset())
    rule = next(r for r in data["rules"] if r["code"] == "DDI-BZD-HIGH")
    rule["tests"] = [{"name": "hostile", "facts": facts, "expect": "fired"}]
    return data


@pytest.mark.parametrize(
    "facts",
    [
        {"diazepam_equivalent_exact": float("inf")},
        {"diazepam_equivalent_exact": float("nan")},
        {"madrs_total": float("inf")},
        {"diazepam_equivalent_exact": "1e600000"},
        {"diazepam_equivalent_exact": 10**12},
        {"diazepam_equivalent_exact": {"at_least": "1e600000"}},
        {"dast10_total": {"one_of": [1, 1e308]}},
    ],
)
def test_it_refuses_a_huge_number_in_rule_test_facts__f4(facts):
    with pytest.raises(RulesetError, match=r"DDI-BZD-HIGH: tests\[0\].*Write numbers"):
        ruleset_from_dict(_with_test_facts(facts))


def test_it_refuses_deeply_nested_rule_test_facts__f4():
    nested: object = 1
    for _ in range(3000):
        nested = [nested]

    with pytest.raises(RulesetError, match=r"DDI-BZD-HIGH: tests\[0\].*nested"):
        ruleset_from_dict(_with_test_facts({"medication_classes": nested}))


def test_it_names_the_rule_whose_condition_is_nested_too_deeply__f4():
    data = ruleset_to_dict(load_default_ruleset())
    data["rules"][0]["expression"] = "not " * 3000 + "is_null(madrs_total)"

    with pytest.raises(RulesetError, match="CI-ANEURYSM: The condition is too"):
        ruleset_from_dict(data)


@pytest.mark.parametrize("dose", ["1e600000", "1e-600000", 1e300, "NaN"])
def test_it_refuses_a_huge_or_tiny_dose_in_the_settings_tables__f4(dose):
    data = ruleset_to_dict(load_default_ruleset())
    data["settings"]["min_dose_table"][0]["min_mg_per_day"] = dose

    with pytest.raises(RulesetError, match="min_mg_per_day must be a number above 0"):
        ruleset_from_dict(data)


@pytest.mark.parametrize(
    "rule", load_default_ruleset().rules, ids=lambda rule: rule.code
)
def test_it_gives_every_default_rule_a_plain_threshold_line(rule):
    assert rule.threshold_text.strip()
    assert rule.code not in rule.threshold_text
    assert rule.expression not in rule.threshold_text


def test_it_reads_a_ruleset_written_before_threshold_lines():
    data = json.loads(DEFAULT_RULESET_PATH.read_text(encoding="utf-8"))
    for rule in data["rules"]:
        del rule["threshold_text"]

    ruleset = ruleset_from_dict(data)

    assert {rule.threshold_text for rule in ruleset.rules} == {""}
    assert "threshold_text" not in ruleset_to_dict(ruleset)["rules"][0]


def test_it_refuses_a_threshold_line_that_is_not_text():
    data = json.loads(DEFAULT_RULESET_PATH.read_text(encoding="utf-8"))
    data["rules"][0]["threshold_text"] = 140

    with pytest.raises(RulesetError, match="threshold_text must be text"):
        ruleset_from_dict(data)
