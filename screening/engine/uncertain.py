"""Values only partly known: the completions of a part-answered instrument (§3)."""

from __future__ import annotations

from dataclasses import dataclass

from screening.engine.exact import Exact


@dataclass(frozen=True)
class OneOf:
    """Exactly one of `values`, depending on how the unanswered items are completed.

    A rule that reads it is decided over every value: it fires when all of them fire it,
    is silent when none does, and is otherwise not evaluable (§3, §8.6).
    """

    values: frozenset[object]


@dataclass(frozen=True)
class AtLeast:
    """A total whose known part is `low`; the rest adds an amount >= 0 (§5.7)."""

    low: Exact


Uncertain = OneOf | AtLeast
