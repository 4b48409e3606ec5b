"""The screening engine: pure Python, no Django (see README.md here)."""

from screening.engine.dates import add_months, days_before, months_since
from screening.engine.evaluate import evaluate, screen_document
from screening.engine.expressions import (
    CompiledExpression,
    ExpressionError,
    compile_expression,
)
from screening.engine.facts import Facts, facts_from_document
from screening.engine.results import (
    Evidence,
    Flag,
    NotEvaluable,
    ScreeningResult,
    Source,
)
from screening.engine.rulesets import (
    Rule,
    Ruleset,
    RulesetError,
    RuleTest,
    RuleTestResult,
    json_problem,
    load_default_ruleset,
    rule_from_dict,
    ruleset_from_dict,
    ruleset_to_dict,
    run_rule_tests,
)
from screening.engine.settings import (
    ClinicSettings,
    DiazepamRow,
    MinDoseRow,
    SettingsError,
)
from screening.engine.vocabulary import VOCABULARY, FactSpec

__all__ = [
    "VOCABULARY",
    "ClinicSettings",
    "CompiledExpression",
    "DiazepamRow",
    "Evidence",
    "ExpressionError",
    "FactSpec",
    "Facts",
    "Flag",
    "MinDoseRow",
    "NotEvaluable",
    "Rule",
    "RuleTest",
    "RuleTestResult",
    "Ruleset",
    "RulesetError",
    "ScreeningResult",
    "SettingsError",
    "Source",
    "add_months",
    "compile_expression",
    "days_before",
    "evaluate",
    "facts_from_document",
    "json_problem",
    "load_default_ruleset",
    "months_since",
    "rule_from_dict",
    "ruleset_from_dict",
    "ruleset_to_dict",
    "run_rule_tests",
    "screen_document",
]
