"""Evidence and `needs` for a rule result, from the reads its evaluation traced."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

from screening.engine.derived import DerivedFacts
from screening.engine.exact import json_number
from screening.engine.expression_nodes import Read, is_unknown
from screening.engine.expressions import CompiledExpression
from screening.engine.facts import Facts
from screening.engine.results import Evidence, evidence_of
from screening.engine.uncertain import AtLeast, OneOf


def json_value(value: Any) -> Any:
    """A JSON-ready copy: dates as ISO text, exact numbers as numbers, sets sorted."""
    kind = value.__class__
    if kind in _AS_IS:
        return value
    if kind is dict:
        # Answer maps: text keys, mostly plain values (the common case, kept cheap).
        return {
            key if key.__class__ is str else str(key): item
            if item.__class__ in _AS_IS
            else json_value(item)
            for key, item in value.items()
        }
    if isinstance(value, bool | int | str | float):
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


# Classes json_value returns unchanged (their subclasses take the slower checks).
_AS_IS: Final = frozenset({type(None), bool, int, str, float})


# What one read adds to a flag's evidence: answers and settings (JSON-ready) and the
# threshold it applied.
_Part = tuple[dict[str, Any], dict[str, Any], str | None]


class FactIndex:
    """Looks up a fact's answers, missing paths, members and settings in both layers."""

    __slots__ = ("_cross", "_parts", "cross_rules", "derived", "env", "facts")

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
        self._parts: dict[Read, _Part] = {}

    def _cross_reads(self, name: str) -> tuple[Read, ...]:
        if name not in self._cross:
            self._cross[name] = self.cross_rules[name].trace(self.env).reads
        return self._cross[name]

    def part(self, read: Read) -> _Part:
        """What one read adds to evidence, made once per screening (issue #19)."""
        part = self._parts.get(read)
        if part is None:
            part = self._parts[read] = _part(self, read)
        return part

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


def _part(index: FactIndex, read: Read) -> _Part:
    """A read's answers and settings, JSON-ready, and its threshold."""
    kind, name, member = read
    if kind == "threshold":
        return {}, {}, name
    if name.startswith("settings."):
        return {}, json_value({name[9:]: index.env.get(name)}), None
    if kind == "member":
        return json_value(index.member_answers(name, member)), {}, None
    if kind == "missing":
        return json_value(index.missing(name)), {}, None
    settings = index.derived.settings.get(name)
    return (
        json_value(index.answers(name)),
        json_value(settings) if settings else {},
        index.facts.thresholds.get(name),
    )


def collect(index: FactIndex, reads: tuple[Read, ...]) -> Evidence:
    """The evidence of a fired rule: answers read, thresholds and settings.

    Each read's part is looked up and made JSON-ready once per screening, however many
    rules read it; merged in read order, it is what JSON-ready merged answers were."""
    answers: dict[str, Any] = {}
    thresholds: list[str] = []
    settings: dict[str, Any] = {}
    parts = index._parts
    for read in reads:
        if read[0] == "threshold":  # a threshold adds only itself
            if read[1] not in thresholds:
                thresholds.append(read[1])
            continue
        part = parts.get(read)
        if part is None:
            part = index.part(read)
        if part[0]:
            answers.update(part[0])
        if part[1]:
            settings.update(part[1])
        if part[2] is not None and part[2] not in thresholds:
            thresholds.append(part[2])
    return evidence_of(answers, "; ".join(thresholds) if thresholds else None, settings)


def needs_of(index: FactIndex, reads: tuple[Read, ...]) -> tuple[str, ...]:
    """The field paths behind the unknown facts among the reads."""
    paths: dict[str, None] = {}
    for kind, name, _member in reads:
        if kind == "threshold" or not is_unknown(index.env.get(name)):
            continue
        paths.update(index.missing(name))  # its keys, in order: the paths
    return tuple(paths)
