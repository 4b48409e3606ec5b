"""The three-valued evaluator rule expressions compile to (clinical-reference.md §1.1).

Every node returns True, False, a value, or None for unknown. `run` is the fast path;
`trace` returns the same value with the reads that decided it, for evidence and needs.

Most nodes read the same facts whatever their values (a comparison of a fact with a
number reads that fact and applies that threshold): their reads are worked out once,
when the rule is compiled (`static`), and tracing them costs what running them costs
(issue #19). Only `and`/`or`, `in` over a set fact and is_null(...) read differently
by value, and are traced.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Final, NamedTuple

from screening.engine.dates import add_months
from screening.engine.exact import to_fraction
from screening.engine.uncertain import AtLeast, OneOf

Env = Mapping[str, Any]
# A read: ("fact" | "missing" | "member" | "threshold", name or text, member or None).
Read = tuple[str, str, Any]
Reads = tuple[Read, ...]
Traced = tuple[Any, Reads]

AS_OF: Final = "$as_of"  # the env key of the date intervals are counted against
# The env key listing facts replaced by one of their completions: they stay unknown to
# is_null, which asks whether the answer itself is missing.
ENUMERATED: Final = "$enumerated"

COMPARISONS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
SYMBOLS: Final = {"eq": "==", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
FLIPPED: Final = {
    "eq": "eq",
    "ne": "ne",
    "gt": "lt",
    "ge": "le",
    "lt": "gt",
    "le": "ge",
}
ARITHMETIC: Final[dict[str, Callable[[Any, Any], Any]]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "tdiv": operator.truediv,
}


def is_unknown(value: Any) -> bool:
    """None, or a value known only over completions."""
    return value is None or value.__class__ in _UNCERTAIN


class Node:
    """A compiled expression node with its static type.

    `static` is the reads of every evaluation when they do not depend on the values
    (then trace() is run() with them), else None."""

    __slots__ = ("static", "type")

    def __init__(self, type_: str, static: Reads | None = None) -> None:
        self.type = type_
        self.static = static

    def run(self, env: Env) -> Any:
        """The node's value (None = unknown)."""
        raise NotImplementedError

    def trace(self, env: Env) -> Traced:
        """The value and the reads that decided it."""
        raise NotImplementedError

    def explain(self, env: Env) -> Traced | None:
        """None when the value is False (nothing to show), else trace()."""
        value = self.run(env)
        if value is False:
            return None
        static = self.static
        return (value, static) if static is not None else self.trace(env)


class Fact(Node):
    """Reads one fact."""

    __slots__ = ("name",)

    def __init__(self, name: str, type_: str) -> None:
        super().__init__(type_, (("fact", name, None),))
        self.name = name

    def run(self, env: Env) -> Any:
        return env.get(self.name)

    def trace(self, env: Env) -> Traced:
        return env.get(self.name), self.static or ()


class Literal(Node):
    """A constant (a tuple for an array literal)."""

    __slots__ = ("value",)

    def __init__(self, value: Any, type_: str) -> None:
        super().__init__(type_, ())
        self.value = value

    def run(self, env: Env) -> Any:
        return self.value

    def trace(self, env: Env) -> Traced:
        return self.value, ()


def _bounded(op: str, value: AtLeast, other: Any) -> bool | None:
    """Compare [low, infinity) with a number: decided only when every value agrees."""
    low = value.low
    if op in ("gt", "ge", "ne"):
        holds = low > other if op != "ge" else low >= other
        return True if holds else None
    excluded = low >= other if op == "lt" else low > other
    return False if excluded else None


def _joined(*parts: Reads | None) -> Reads | None:
    """The reads of a node from its operands' static reads; None if any is dynamic."""
    joined: Reads = ()
    for part in parts:
        if part is None:
            return None
        joined += part
    return joined


def compare(op: str, left: Any, right: Any) -> bool | None:
    """Three-valued comparison: unknown with a null operand (§1.1)."""
    if left is None or right is None:
        return None
    if isinstance(left, OneOf) or isinstance(right, OneOf):
        return None
    if isinstance(left, AtLeast):
        return None if isinstance(right, AtLeast) else _bounded(op, left, right)
    if isinstance(right, AtLeast):
        return _bounded(FLIPPED[op], right, left)
    return COMPARISONS[op](left, right)


def literal_text(value: Any) -> str:
    """A literal as an admin writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, date):
        return f'd"{value.isoformat()}"'
    return str(value)


class Compare(Node):
    """==, !=, <, <=, >, >=."""

    __slots__ = ("fn", "left", "op", "right", "threshold")

    def __init__(self, op: str, left: Node, right: Node) -> None:
        super().__init__("bool")
        self.op = op
        self.fn = COMPARISONS[op]
        self.left = left
        self.right = right
        self.threshold = _threshold_text(op, left, right)
        own: Reads = (
            (("threshold", self.threshold, None),) if self.threshold is not None else ()
        )
        self.static = _joined(left.static, right.static, own)

    def run(self, env: Env) -> Any:
        left = self.left.run(env)
        right = self.right.run(env)
        if left is None or right is None:
            return None
        if left.__class__ in _PLAIN and right.__class__ in _PLAIN:
            return self.fn(left, right)
        return compare(self.op, left, right)

    def trace(self, env: Env) -> Traced:
        if self.static is not None:
            return self.run(env), self.static
        left, left_reads = self.left.trace(env)
        right, right_reads = self.right.trace(env)
        reads = left_reads + right_reads
        if self.threshold is not None:
            reads += (("threshold", self.threshold, None),)
        return compare(self.op, left, right), reads


def _threshold_text(op: str, left: Node, right: Node) -> str | None:
    if op in ("eq", "ne"):
        return None
    if isinstance(left, Fact) and isinstance(right, Literal):
        return f"{left.name} {SYMBOLS[op]} {literal_text(right.value)}"
    if isinstance(left, Literal) and isinstance(right, Fact):
        return f"{right.name} {SYMBOLS[FLIPPED[op]]} {literal_text(left.value)}"
    return None


class ArrayLiteral(Literal):
    """A list of constants, only as the right side of `in`."""

    __slots__ = ("element_type",)

    def __init__(self, values: tuple[Any, ...], element_type: str) -> None:
        super().__init__(values, "array")
        self.element_type = element_type
        self.static = ()


class Contains(Node):
    """member in container: a set fact or an array literal."""

    __slots__ = ("container", "member")

    def __init__(self, member: Node, container: Node) -> None:
        super().__init__("bool")
        self.member = member
        self.container = container
        # A set fact that holds the member is read as the entries holding it.
        if not isinstance(container, Fact):
            self.static = _joined(member.static, container.static)

    def run(self, env: Env) -> Any:
        member = self.member.run(env)
        container = self.container.run(env)
        if is_unknown(member) or container is None:
            return None
        return member in container

    def trace(self, env: Env) -> Traced:
        if self.static is not None:
            return self.run(env), self.static
        member, member_reads = self.member.trace(env)
        container, container_reads = self.container.trace(env)
        value = None if is_unknown(member) or container is None else member in container
        if value is True and isinstance(self.container, Fact):
            # Only the entries with this member fired it (e.g. medications[1].class).
            return value, (*member_reads, ("member", self.container.name, member))
        return value, member_reads + container_reads


class Not(Node):
    """not x."""

    __slots__ = ("operand",)

    def __init__(self, operand: Node) -> None:
        super().__init__("bool", operand.static)
        self.operand = operand

    def run(self, env: Env) -> Any:
        value = self.operand.run(env)
        return None if value is None else not value

    def trace(self, env: Env) -> Traced:
        if self.static is not None:
            return self.run(env), self.static
        value, reads = self.operand.trace(env)
        return (None if value is None else not value), reads


class Logic(Node):
    """and / or over two or more operands, three-valued (§1.1)."""

    __slots__ = ("decisive", "operands")

    def __init__(self, kind: str, operands: list[Node]) -> None:
        super().__init__("bool")
        # "or" is decided by a true operand, "and" by a false one.
        self.decisive = kind == "or"
        self.operands = tuple(operands)

    def run(self, env: Env) -> Any:
        decisive = self.decisive
        unknown = False
        for operand in self.operands:
            value = operand.run(env)
            if value is None:
                unknown = True
            elif value is decisive:
                return decisive
        return None if unknown else not decisive

    def explain(self, env: Env) -> Traced | None:
        # One pass: the operands' values both decide and pick what is traced. An
        # `and` is silent at its first false operand, as run() stops there.
        decisive = self.decisive
        values = []
        shown = False  # a decisive `or` operand, or an unknown one
        for operand in self.operands:
            value = operand.run(env)
            if value is None:
                shown = True
            elif value is decisive:
                if not decisive:
                    return None
                shown = True
            values.append(value)
        if decisive and not shown:
            return None  # an `or` of false operands
        return self._traced(env, values)

    def trace(self, env: Env) -> Traced:
        # One pass: each operand's value and reads together (a static operand's reads
        # cost nothing), so nested and/or are not run again for their reads.
        traced = [operand.trace(env) for operand in self.operands]
        values = [value for value, _reads in traced]
        pick = self._pick(values)
        reads: Reads = ()
        for value, operand_reads in traced:
            if value is pick or pick is _EVERY:
                reads += operand_reads
        return _value_of(self.decisive, pick), reads

    def _pick(self, values: list[Any]) -> Any:
        """Which operands decided the value: the decisive ones, else the unknown
        ones, else (_EVERY) all of them."""
        if self.decisive in values:
            return self.decisive
        if None in values:
            return None
        return _EVERY

    def _traced(self, env: Env, values: list[Any]) -> Traced:
        pick = self._pick(values)
        reads: Reads = ()
        for operand, v in zip(self.operands, values, strict=True):
            if v is pick or pick is _EVERY:
                static = operand.static
                reads += static if static is not None else operand.trace(env)[1]
        return _value_of(self.decisive, pick), reads


def _value_of(decisive: bool, pick: Any) -> Any:
    """The value of an and/or whose operands `pick` decided it."""
    if pick is _EVERY:
        return not decisive  # every operand counted towards the non-decisive result
    return pick


class Negate(Node):
    """-x."""

    __slots__ = ("operand",)

    def __init__(self, operand: Node) -> None:
        super().__init__("number", operand.static)
        self.operand = operand

    def run(self, env: Env) -> Any:
        value = self.operand.run(env)
        return None if is_unknown(value) else -to_fraction(value)

    def trace(self, env: Env) -> Traced:
        if self.static is not None:
            return self.run(env), self.static
        value, reads = self.operand.trace(env)
        return (None if is_unknown(value) else -to_fraction(value)), reads


class Arithmetic(Node):
    """+, -, *, / on exact numbers (Fractions, never binary floats)."""

    __slots__ = ("fn", "left", "right")

    def __init__(self, op: str, left: Node, right: Node) -> None:
        super().__init__("number", _joined(left.static, right.static))
        self.fn = ARITHMETIC[op]
        self.left = left
        self.right = right

    def _apply(self, left: Any, right: Any) -> Any:
        if is_unknown(left) or is_unknown(right):
            return None
        try:
            return self.fn(to_fraction(left), to_fraction(right))
        except ZeroDivisionError:
            return None

    def run(self, env: Env) -> Any:
        return self._apply(self.left.run(env), self.right.run(env))

    def trace(self, env: Env) -> Traced:
        if self.static is not None:
            return self.run(env), self.static
        left, left_reads = self.left.trace(env)
        right, right_reads = self.right.trace(env)
        return self._apply(left, right), left_reads + right_reads


class Known(Node):
    """is_true(x), is_false(x), is_null(x): never unknown themselves."""

    __slots__ = ("fact_name", "kind", "null_reads", "operand", "wanted")

    def __init__(self, kind: str, operand: Node) -> None:
        super().__init__("bool")
        self.kind = kind
        self.operand = operand
        self.wanted = kind == "is_true"
        self.fact_name = operand.name if isinstance(operand, Fact) else None
        # is_null reads a fact as its missing paths when it holds; is_true and is_false
        # read the operand as it is.
        if kind != "is_null":
            self.static = operand.static
        self.null_reads = (
            None
            if operand.static is None
            else tuple(
                ("missing", read[1], None) if read[0] == "fact" else read
                for read in operand.static
            )
        )

    def _test(self, value: Any, env: Env) -> bool:
        if self.kind != "is_null":
            return value is self.wanted
        if value is None or value.__class__ in _UNCERTAIN:
            return True
        return self.fact_name is not None and self.fact_name in env.get(ENUMERATED, ())

    def run(self, env: Env) -> Any:
        return self._test(self.operand.run(env), env)

    def trace(self, env: Env) -> Traced:
        if self.static is not None:
            return self.run(env), self.static
        if self.null_reads is not None:  # is_null of a fact: its missing paths if so
            found = self.run(env)
            return found, self.null_reads if found else self.operand.static or ()
        value, reads = self.operand.trace(env)
        result = self._test(value, env)
        if result and self.kind == "is_null":
            # A missing-data finding shows the unanswered paths (§5.9).
            reads = tuple(
                ("missing", read[1], None) if read[0] == "fact" else read
                for read in reads
            )
        return result, reads


class Within(Node):
    """within_days(d, n): 0 <= days_before(d) <= n; within_months(d, n):
    add_months(d, n) >= as_of (§1.3). A false event date (never) is not within; null is
    unknown."""

    __slots__ = ("amount", "months", "operand", "threshold")

    def __init__(self, operand: Node, amount: int, *, months: bool) -> None:
        super().__init__("bool")
        self.operand = operand
        self.amount = amount
        self.months = months
        unit = "months" if months else "days"
        name = operand.name if isinstance(operand, Fact) else "date"
        self.threshold = f"{name} within {amount} {unit} of the intake date"
        self.static = _joined(operand.static, (("threshold", self.threshold, None),))

    def _test(self, value: Any, as_of: date | None) -> bool | None:
        if value is None or as_of is None:
            return None
        if value is False:
            return False
        if self.months:
            return bool(add_months(value, self.amount) >= as_of)
        days: int = (as_of - value).days
        return 0 <= days <= self.amount

    def run(self, env: Env) -> Any:
        return self._test(self.operand.run(env), env.get(AS_OF))

    def trace(self, env: Env) -> Traced:
        if self.static is not None:
            return self.run(env), self.static
        value, reads = self.operand.trace(env)
        return self._test(value, env.get(AS_OF)), (
            *reads,
            ("threshold", self.threshold, None),
        )


_EVERY: Final = object()  # Logic.trace: every operand decided the value
_PLAIN: Final = frozenset({int, bool, str, date})
_UNCERTAIN: Final = frozenset({OneOf, AtLeast})


class TracedResult(NamedTuple):
    """A rule condition's value with the reads behind it."""

    value: bool | None
    reads: Reads
