"""Evidence and `needs` for a rule result, from the reads its evaluation traced."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from screening.engine.derived import DerivedFacts
from screening.engine.exact import json_number
from screening.engine.expression_nodes import Read, is_unknown
from screening.engine.expressions import CompiledExpression
from screening.engine.facts import Facts
from screening.engine.results import Evidence
from screening.engine.uncertain import AtLeast, OneOf


def json_value(value: Any) -> Any:
    """A JSON-ready copy: dates as ISO text, exact numbers as numbers, sets sorted."""
    if value is None or isinstance(value, bool | int | str | float):
        return value
    if isinstance(value, Decimal | Fraction):
        return json_number(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(json_value(item) for item in value)
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, OneOf | AtLeast):
        return None  # not one value: the answers behind it are listed instead
    return str(value)


class FactIndex:
    """Looks up a fact's answers, missing paths, members and settings in both layers."""

    def __init__(
        self,
        facts: Facts,
        derived: DerivedFacts,
        env: Mapping[str, Any],
        cross_rules: Mapping[str, CompiledExpression],
    ) -> None:
        self.facts = facts
        self.derived = derived
        self.env = env
        self.cross_rules = cross_rules
        self._cross: dict[str, tuple[Read, ...]] = {}

    def _cross_reads(self, name: str) -> tuple[Read, ...]:
        if name not in self._cross:
            self._cross[name] = self.cross_rules[name].trace(self.env).reads
        return self._cross[name]

    def answers(self, name: str) -> Mapping[str, Any]:
        if name in self.cross_rules:
            return collect(self, self._cross_reads(name)).answers
        found: Mapping[str, Any] | None = self.derived.answers.get(name)
        if found is None:
            found = self.facts.answers.get(name)
        return found if found is not None else {name: self.env.get(name)}

    def missing(self, name: str) -> Mapping[str, Any]:
        if name in self.cross_rules:
            return dict.fromkeys(needs_of(self, self._cross_reads(name)))
        found: Mapping[str, Any] | None = self.derived.missing.get(name)
        if found is None:
            found = self.facts.missing.get(name)
        return found if found is not None else {name: None}

    def member_answers(self, name: str, member: Any) -> Mapping[str, Any]:
        return self.facts.members.get(name, {}).get(member, {})

    def settings(self, name: str) -> Mapping[str, Any]:
        return self.derived.settings.get(name, {})

    def threshold(self, name: str) -> str | None:
        return self.facts.thresholds.get(name)


def collect(index: FactIndex, reads: tuple[Read, ...]) -> Evidence:
    """The evidence of a fired rule: answers read, thresholds and settings."""
    answers: dict[str, Any] = {}
    thresholds: list[str] = []
    settings: dict[str, Any] = {}
    for kind, name, member in reads:
        if kind == "threshold":
            thresholds.append(name)
        elif name.startswith("settings."):
            settings[name.removeprefix("settings.")] = index.env.get(name)
        elif kind == "member":
            answers.update(index.member_answers(name, member))
        elif kind == "missing":
            answers.update(index.missing(name))
        else:
            answers.update(index.answers(name))
            settings.update(index.settings(name))
            threshold = index.threshold(name)
            if threshold is not None:
                thresholds.append(threshold)
    unique = list(dict.fromkeys(thresholds))
    return Evidence(
        answers=json_value(answers),
        threshold="; ".join(unique) if unique else None,
        settings=json_value(settings),
    )


def needs_of(index: FactIndex, reads: tuple[Read, ...]) -> tuple[str, ...]:
    """The field paths behind the unknown facts among the reads."""
    paths: dict[str, None] = {}
    for kind, name, _member in reads:
        if kind == "threshold" or not is_unknown(index.env.get(name)):
            continue
        paths.update(dict.fromkeys(index.missing(name)))
    return tuple(paths)
