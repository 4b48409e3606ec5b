"""evaluate(ruleset, facts, *, as_of), the engine's one entry point; screen_document."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from screening.engine.derived import DerivedFacts, derive
from screening.engine.evidence import FactIndex, collect, needs_of
from screening.engine.expression_nodes import AS_OF
from screening.engine.facts import Facts, facts_from_document
from screening.engine.results import (
    Evidence,
    Flag,
    NotEvaluable,
    ScreeningResult,
    flag_of,
    not_evaluable_of,
    outcome_of,
)
from screening.engine.rulesets import Ruleset, load_default_ruleset


def _environment(
    ruleset: Ruleset, facts: Facts, as_of: date
) -> tuple[DerivedFacts, dict[str, Any]]:
    """The derived facts and every value the rules read, cross-rule results included."""
    derived = derive(facts, ruleset.settings, as_of=as_of)
    env: dict[str, Any] = {**facts.values, **derived.values, AS_OF: as_of}
    for name, source in ruleset.cross_rules:
        # "Silent or not evaluable" reads the other rule's result, never unknown (§5.2).
        env[name] = source.evaluate(env)
    return derived, env


def evaluate_untraced(
    ruleset: Ruleset, facts: Facts, *, as_of: date
) -> tuple[tuple[str, bool | None], ...]:
    """Each enabled rule's code and value (True fires, None not evaluable), in order,
    without the evidence and `needs` evaluate() traces: what the trace costs is
    measured against this (bench/bench_engine.py)."""
    _derived, env = _environment(ruleset, facts, as_of)
    return tuple(
        (rule.code, compiled.evaluate(env)) for rule, compiled in ruleset.compiled
    )


def evaluate(ruleset: Ruleset, facts: Facts, *, as_of: date) -> ScreeningResult:
    """Screen one intake: every enabled rule fires, stays silent or is not evaluable."""
    derived, env = _environment(ruleset, facts, as_of)
    index = FactIndex(facts, derived, env, ruleset.cross_rule_map)
    raised = ruleset.settings.severity_raised_to_absolute
    flags: list[Flag] = []
    not_evaluable: list[NotEvaluable] = []
    for (rule, compiled), fields in zip(
        ruleset.compiled, ruleset.flag_fields, strict=True
    ):
        traced = compiled.explain(env)
        if traced is None:
            continue
        value, reads = traced
        if value is None:
            needs = needs_of(index, reads) or tuple(sorted(compiled.facts))
            not_evaluable.append(not_evaluable_of(rule.code, fields["severity"], needs))
            continue
        evidence = collect(index, reads)
        if rule.code in raised:
            evidence = Evidence(
                evidence.answers,
                evidence.threshold,
                {**evidence.settings, "severity_raised_to_absolute": list(raised)},
            )
        flags.append(flag_of(fields, evidence))
    flag_tuple, missing_tuple = tuple(flags), tuple(not_evaluable)
    return ScreeningResult(
        outcome=outcome_of(flag_tuple, missing_tuple),
        ruleset_version=ruleset.version,
        flags=flag_tuple,
        not_evaluable=missing_tuple,
        derived=derived.output,
    )


def screen_document(
    doc: Mapping[str, Any], ruleset: Ruleset | None = None, *, as_of: date | None = None
) -> dict[str, Any]:
    """Screen an intake/1 document against its own intake_date; the §11 JSON object."""
    facts = facts_from_document(doc)
    result = evaluate(
        ruleset if ruleset is not None else load_default_ruleset(),
        facts,
        as_of=as_of if as_of is not None else facts.intake_date,
    )
    return result.to_json()
