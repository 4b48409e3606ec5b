"""Rule tests run under the settings they state, defaults otherwise (issue #16 item 8),
and a dose-table row holds an antidepressant class (rule book §6, §7.5)."""

import pytest

from screening.engine import (
    RulesetError,
    SettingsError,
    load_default_ruleset,
    ruleset_from_dict,
    ruleset_to_dict,
    run_rule_tests,
)
from screening.engine.settings import ClinicSettings


def default_with(settings: dict | None = None, tests: dict | None = None) -> dict:
    data = ruleset_to_dict(load_default_ruleset())
    data["settings"].update(settings or {})
    for rule in data["rules"]:
        if tests and rule["code"] in tests:
            rule["tests"] = tests[rule["code"]]
    return data


def test_it_runs_the_shipped_tests_under_their_settings_whatever_the_clinics():
    ruleset = ruleset_from_dict(default_with({"recent_cv_event_absolute": False}))

    failing = [r for r in run_rule_tests(ruleset) if not r.passed]

    assert failing == []


def test_it_runs_a_test_under_the_settings_it_states():
    mi = {
        "intake_date": "2026-09-15",
        "medical_history.mi_or_acs_date": "2026-09-01",
        "medical_history.revascularization_date": False,
    }
    tests = {
        "CI-RECENT-CV-EVENT": [
            {"name": "defaults: on", "facts": mi, "expect": "fired"},
            {
                "name": "stated: off",
                "facts": mi,
                "settings": {"recent_cv_event_absolute": False},
                "expect": "silent",
            },
        ]
    }
    ruleset = ruleset_from_dict(default_with(tests=tests))

    results = run_rule_tests(ruleset, ["CI-RECENT-CV-EVENT"])

    assert [(r.name, r.actual) for r in results] == [
        ("defaults: on", "fired"),
        ("stated: off", "silent"),
    ]
    stored = ruleset_to_dict(ruleset)["rules"]
    cv = next(rule for rule in stored if rule["code"] == "CI-RECENT-CV-EVENT")
    assert cv["tests"][1]["settings"] == {"recent_cv_event_absolute": False}
    assert "settings" not in cv["tests"][0]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"no_such_setting": 1}, "unknown setting 'no_such_setting'"),
        ({"trd_min_weeks_at_dose": 5}, "trd_min_weeks_at_dose"),
        ({"min_dose_table": []}, "unknown setting 'min_dose_table'"),
        ("on", "settings must be an object"),
    ],
)
def test_it_refuses_a_test_stating_a_setting_it_cannot_use(settings, message):
    tests = {
        "CI-AVM": [{"name": "x", "facts": {}, "settings": settings, "expect": "silent"}]
    }

    with pytest.raises(RulesetError, match=message):
        ruleset_from_dict(default_with(tests=tests))


ROW = {"names": ["agomelatine"], "agent": "agomelatine", "min_mg_per_day": 25}


@pytest.mark.parametrize("drug_class", ["melatonergic", "ssri", "serotonin_modulator"])
def test_it_accepts_an_antidepressant_class_in_the_dose_table(drug_class):
    settings = ClinicSettings.from_dict(
        {"min_dose_table": [{**ROW, "class": drug_class}]}
    )

    assert settings.min_dose_row("agomelatine").drug_class == drug_class


@pytest.mark.parametrize("drug_class", ["Melatonergic", "sleep aid", "", 3, "x-y"])
def test_it_refuses_a_dose_table_class_that_is_not_a_lower_case_word(drug_class):
    with pytest.raises(SettingsError, match="antidepressant class"):
        ClinicSettings.from_dict({"min_dose_table": [{**ROW, "class": drug_class}]})
