"""Rules as data: the Rule and Ruleset types, their JSON form (ruleset/1), the shipped
default ruleset and each rule's own test cases."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Final

from screening.engine import expression_messages as messages
from screening.engine.dates import parse_date
from screening.engine.exact import is_bounded, to_exact
from screening.engine.expression_nodes import AS_OF
from screening.engine.expressions import (
    CompiledExpression,
    ExpressionError,
    compile_expression,
)
from screening.engine.results import SEVERITIES, Source
from screening.engine.settings import ClinicSettings, SettingsError
from screening.engine.uncertain import AtLeast, OneOf
from screening.engine.vocabulary import (
    CROSS_RULE_FACTS,
    DATE,
    EVENT_DATE,
    LIST_ITEM_TYPES,
    NUMBER,
    TEXT_SET,
    VOCABULARY,
)

FORMAT: Final = "ruleset/1"
DEFAULT_RULESET_PATH: Final = (
    Path(__file__).resolve().parents[2] / "fixtures" / "default_ruleset.json"
)
OUTCOMES: Final = ("fired", "silent", "not_evaluable")
MAX_FACTS_DEPTH: Final = 4
"""facts -> {"one_of": [...]} -> a set's list: the deepest a rule test's facts go."""
RULE_KEYS: Final = frozenset(
    {
        "code",
        "title",
        "severity",
        "expression",
        "message",
        "source",
        "enabled",
        "locked",
        "urgent",
        "tests",
        "threshold_text",
    }
)


class RulesetError(ValueError):
    """A ruleset that cannot be used: the message names the rule and what is wrong."""


@dataclass(frozen=True)
class RuleTest:
    """One of a rule's own test cases: facts (JSON values by name) -> expected."""

    name: str
    facts: Mapping[str, Any]
    expect: str
    # The clinic settings the case assumes; the rule book's defaults for the rest. A
    # case runs under these, never under the draft's settings, so a setting a clinic
    # may change (§6) never needs a shipped case rewritten.
    settings: Mapping[str, Any] = field(default_factory=dict)

    def assumed_settings(self) -> ClinicSettings:
        """The settings the case runs under."""
        return ClinicSettings.from_dict(self.settings)

    def to_dict(self) -> dict[str, Any]:
        """The stored form; `settings` only when the case states any."""
        data: dict[str, Any] = {"name": self.name, "facts": dict(self.facts)}
        if self.settings:
            data["settings"] = dict(self.settings)
        data["expect"] = self.expect
        return data


@dataclass(frozen=True)
class Rule:
    """One catalogue rule: a condition over the vocabulary and what its flag says."""

    code: str
    title: str
    severity: str
    expression: str
    message: str
    source: Source
    enabled: bool = True
    locked: bool = False
    urgent: bool = False
    tests: tuple[RuleTest, ...] = ()
    # The threshold in plain words for clinicians; optional, so a ruleset/1 document
    # written before it existed still reads (it then shows no threshold line).
    threshold_text: str = ""

    def compiled(self) -> CompiledExpression:
        """The checked condition (cached by its text)."""
        return compile_expression(self.expression)

    def to_dict(self) -> dict[str, Any]:
        """The stored form (ruleset/1)."""
        data: dict[str, Any] = {
            "code": self.code,
            "title": self.title,
            "severity": self.severity,
            "expression": self.expression,
            "message": self.message,
            "source": self.source.to_json(),
            "enabled": self.enabled,
            "locked": self.locked,
        }
        if self.urgent:
            data["urgent"] = True
        if self.threshold_text:
            data["threshold_text"] = self.threshold_text
        data["tests"] = [test.to_dict() for test in self.tests]
        return data


@dataclass(frozen=True)
class Ruleset:
    """A versioned set of rules with the clinic settings they run under."""

    version: str
    settings: ClinicSettings
    rules: tuple[Rule, ...]
    compiled: tuple[tuple[Rule, CompiledExpression], ...] = field(
        init=False, repr=False, compare=False
    )
    cross_rules: tuple[tuple[str, CompiledExpression], ...] = field(
        init=False, repr=False, compare=False
    )
    cross_rule_map: Mapping[str, CompiledExpression] = field(
        init=False, repr=False, compare=False
    )
    # What each enabled rule's flag holds whatever the intake (its effective severity
    # included), in the order of `compiled`: made once here, not per flag (issue #19).
    flag_fields: tuple[dict[str, Any], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not isinstance(self.version, str) or not self.version:
            raise RulesetError("version must be non-empty text")
        by_code: dict[str, CompiledExpression] = {}
        for rule in self.rules:
            if rule.code in by_code:
                raise RulesetError(f"{rule.code}: the code is used twice")
            try:
                by_code[rule.code] = rule.compiled()
            except ExpressionError as error:
                raise RulesetError(f"{rule.code}: {error}") from None
        read = {name for compiled in by_code.values() for name in compiled.facts}
        cross = []
        for name, code in CROSS_RULE_FACTS.items():
            if name not in read:
                continue
            source = by_code.get(code)
            if source is None:
                raise RulesetError(
                    f"the fact {name} needs the rule {code}, which is missing"
                )
            if source.facts & set(CROSS_RULE_FACTS):
                raise RulesetError(f"{code} may not read another rule's condition")
            cross.append((name, source))
        # Frozen: the compiled forms are derived once, here.
        object.__setattr__(
            self,
            "compiled",
            tuple((rule, by_code[rule.code]) for rule in self.rules if rule.enabled),
        )
        object.__setattr__(self, "cross_rules", tuple(cross))
        object.__setattr__(self, "cross_rule_map", dict(cross))
        raised = self.settings.severity_raised_to_absolute
        object.__setattr__(
            self,
            "flag_fields",
            tuple(
                {
                    "code": rule.code,
                    "severity": "absolute" if rule.code in raised else rule.severity,
                    "title": rule.title,
                    "message": rule.message,
                    "source": rule.source,
                    "urgent": rule.urgent,
                    "ruleset_version": self.version,
                }
                for rule, _compiled in self.compiled
            ),
        )

    def rule(self, code: str) -> Rule | None:
        """The rule with this code, or None."""
        return next((rule for rule in self.rules if rule.code == code), None)


def ruleset_from_dict(data: Mapping[str, Any]) -> Ruleset:
    """A Ruleset from its ruleset/1 JSON form; RulesetError says what is wrong."""
    if not isinstance(data, Mapping):
        raise RulesetError("a ruleset must be a JSON object")
    if data.get("format") != FORMAT:
        raise RulesetError(f'format must be "{FORMAT}" (got {data.get("format")!r})')
    try:
        settings = ClinicSettings.from_dict(data.get("settings") or {})
    except SettingsError as error:
        raise RulesetError(f"settings: {error}") from None
    rules = data.get("rules")
    if not isinstance(rules, list):
        raise RulesetError("rules must be a list")
    return Ruleset(
        version=data.get("version", ""),
        settings=settings,
        rules=tuple(rule_from_dict(index, item) for index, item in enumerate(rules)),
    )


def rule_from_dict(index: int, data: Any) -> Rule:
    """One rule from its ruleset/1 form (`index` names it while its code is unknown);
    its condition is compiled only with the ruleset it belongs to."""
    if not isinstance(data, Mapping):
        raise RulesetError(f"rules[{index}] must be an object")
    code = data.get("code")
    where = code if isinstance(code, str) and code else f"rules[{index}]"
    unknown = sorted(set(data) - RULE_KEYS)
    if unknown:
        raise RulesetError(f"{where}: unknown key {unknown[0]!r}")
    for key in ("code", "title", "expression", "message"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise RulesetError(f"{where}: {key} must be non-empty text")
    if data.get("severity") not in SEVERITIES:
        raise RulesetError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
    for key in ("enabled", "locked", "urgent"):
        if not isinstance(data.get(key, key == "enabled"), bool):
            raise RulesetError(f"{where}: {key} must be true or false")
    tests = data.get("tests", [])
    if not isinstance(tests, list):
        raise RulesetError(f"{where}: tests must be a list")
    threshold_text = data.get("threshold_text", "")
    if not isinstance(threshold_text, str):
        raise RulesetError(f"{where}: threshold_text must be text")
    return Rule(
        code=data["code"],
        title=data["title"],
        severity=data["severity"],
        expression=data["expression"],
        message=data["message"],
        source=_source_from_dict(where, data.get("source")),
        enabled=data.get("enabled", True),
        locked=data.get("locked", False),
        urgent=data.get("urgent", False),
        tests=tuple(_test_from_dict(where, i, test) for i, test in enumerate(tests)),
        threshold_text=threshold_text.strip(),
    )


def _source_from_dict(where: str, data: Any) -> Source:
    if not isinstance(data, Mapping) or set(data) != {
        "title",
        "year",
        "section",
        "url",
    }:
        raise RulesetError(
            f"{where}: source must have exactly title, year, section and url"
        )
    for key in ("title", "year", "section"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise RulesetError(f"{where}: source.{key} must be non-empty text")
    if data["url"] is not None and not isinstance(data["url"], str):
        raise RulesetError(f"{where}: source.url must be text or null")
    return Source(data["title"], data["year"], data["section"], data["url"])


def _test_from_dict(where: str, index: int, data: Any) -> RuleTest:
    if not isinstance(data, Mapping) or not (
        {"name", "facts", "expect"}
        <= set(data)
        <= {"name", "facts", "settings", "expect"}
    ):
        raise RulesetError(
            f"{where}: tests[{index}] must have exactly name, facts and expect "
            "(and settings, if it assumes any)"
        )
    if data["expect"] not in OUTCOMES:
        raise RulesetError(
            f"{where}: tests[{index}].expect must be one of {', '.join(OUTCOMES)}"
        )
    if not isinstance(data["facts"], Mapping):
        raise RulesetError(f"{where}: tests[{index}].facts must be an object")
    problem = json_problem(data["facts"], max_depth=MAX_FACTS_DEPTH)
    if problem:
        raise RulesetError(f"{where}: tests[{index}].facts: {problem}")
    settings = data.get("settings", {})
    problem = _test_settings_problem(settings)
    if problem:
        raise RulesetError(f"{where}: tests[{index}].settings: {problem}")
    test = RuleTest(
        str(data["name"]), dict(data["facts"]), data["expect"], dict(settings)
    )
    try:
        rule_test_env(test, test.assumed_settings())
    except (KeyError, TypeError, ValueError) as error:
        raise RulesetError(f"{where}: tests[{index}] ({test.name}): {error}") from None
    return test


def _test_settings_problem(settings: Any) -> str | None:
    """Why a rule test's settings cannot be used: a case states only the settings a
    condition reads (`settings.<name>`), each within its allowed values."""
    if not isinstance(settings, Mapping):
        return "settings must be an object"
    readable = ClinicSettings().scalar_settings()
    unknown = sorted(set(settings) - set(readable))
    if unknown:
        return f"unknown setting {unknown[0]!r}; a test may state {', '.join(readable)}"
    try:
        ClinicSettings.from_dict(settings)
    except SettingsError as error:
        return str(error)
    return None


NUL_MESSAGE = "a text holds the NUL character (\\u0000), which cannot be stored"


def json_problem(value: Any, *, max_depth: int) -> str | None:
    """What makes a JSON value unsafe to store or read further: lists and objects
    nested deeper than max_depth, a number that is infinite or not a number, or a
    text holding the NUL character (PostgreSQL's JSON columns refuse both). Walked
    without recursion: a hostile document cannot overflow the stack."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return messages.not_finite_message()
        if isinstance(item, str) and "\x00" in item:
            return NUL_MESSAGE
        if isinstance(item, Mapping):
            if any(isinstance(key, str) and "\x00" in key for key in item):
                return NUL_MESSAGE
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > max_depth:
            return f"lists and objects are nested more than {max_depth} deep"
        pending.extend((child, depth + 1) for child in children)
    return None


def ruleset_to_dict(ruleset: Ruleset) -> dict[str, Any]:
    """The ruleset/1 JSON form."""
    return {
        "format": FORMAT,
        "version": ruleset.version,
        "settings": ruleset.settings.to_dict(),
        "rules": [rule.to_dict() for rule in ruleset.rules],
    }


@cache
def load_default_ruleset() -> Ruleset:
    """The shipped default ruleset, "default-1" (fixtures/default_ruleset.json)."""
    with DEFAULT_RULESET_PATH.open(encoding="utf-8") as handle:
        return ruleset_from_dict(json.load(handle))


# Rule tests


def fact_value(name: str, value: Any) -> Any:
    """A fact value from its JSON form in a rule test (dates as ISO text, sets as lists,
    {"one_of": [...]} and {"at_least": n} for values known only over completions)."""
    base = name.split("[", 1)[0]
    spec = VOCABULARY.get(base)
    if spec is None:
        raise KeyError(f"unknown fact {name!r}")
    kind = (
        LIST_ITEM_TYPES[spec.type]
        if "[" in name and spec.type in LIST_ITEM_TYPES
        else spec.type
    )
    if value is None:
        return None
    if isinstance(value, Mapping):
        if set(value) == {"one_of"} and spec.completions:
            return OneOf(frozenset(fact_value(name, item) for item in value["one_of"]))
        if set(value) == {"at_least"} and spec.completions:
            return AtLeast(_number(name, value["at_least"]) or 0)
        raise ValueError(
            f"{name}: an object value must be {{'one_of': [...]}} or {{'at_least': n}}"
        )
    if kind in (DATE, EVENT_DATE) and isinstance(value, str):
        return parse_date(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        checked = _number(name, value)
        return checked if kind == NUMBER else value
    if kind == NUMBER and isinstance(value, str):
        return _number(name, value)
    if kind == TEXT_SET:
        if not isinstance(value, list):
            raise TypeError(f"{name}: a set is written as a list")
        return frozenset(value)
    return value


def _number(name: str, value: Any) -> Any:
    """An exact number within the bounds of a rule's own literals: a huge, tiny or
    non-finite one would take seconds to convert exactly, or break the JSON column."""
    refused = ValueError(
        f"{name}: "
        + (
            messages.not_finite_message()
            if isinstance(value, float) and not math.isfinite(value)
            else messages.number_message(str(value))
        )
    )
    if isinstance(value, str) and len(value) > 40:
        raise refused
    try:
        number = Decimal(value) if isinstance(value, str) else to_exact(value)
    except ArithmeticError:  # decimal.InvalidOperation: not a number at all
        raise refused from None
    if number is not None and not is_bounded(number):
        raise refused
    return number


def rule_test_env(test: RuleTest, settings: ClinicSettings) -> dict[str, Any]:
    """The fact environment of a rule test: unspecified facts are unknown."""
    env: dict[str, Any] = dict.fromkeys(VOCABULARY)
    for name, value in settings.scalar_settings().items():
        env[f"settings.{name}"] = value
    for name, value in test.facts.items():
        env[name] = fact_value(name, value)
    as_of = env.get("intake_date")
    env[AS_OF] = as_of if isinstance(as_of, date) else None
    return env


@dataclass(frozen=True)
class RuleTestResult:
    """The outcome of one rule test."""

    code: str
    name: str
    expected: str
    actual: str

    @property
    def passed(self) -> bool:
        """The rule gave the expected result."""
        return self.expected == self.actual


def outcome_name(value: bool | None) -> str:
    """fired / silent / not_evaluable for a three-valued condition."""
    if value is None:
        return "not_evaluable"
    return "fired" if value else "silent"


def run_rule_tests(
    ruleset: Ruleset, codes: Sequence[str] | None = None
) -> list[RuleTestResult]:
    """Run every rule's own test cases (the publish gate's first check, §6.1)."""
    results = []
    for rule in ruleset.rules:
        if codes is not None and rule.code not in codes:
            continue
        compiled = rule.compiled()
        for test in rule.tests:
            value = compiled.evaluate(rule_test_env(test, test.assumed_settings()))
            results.append(
                RuleTestResult(rule.code, test.name, test.expect, outcome_name(value))
            )
    return results
