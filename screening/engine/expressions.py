"""Rule expressions: parsed by rule-engine, type-checked against the fact vocabulary and
compiled to the engine's own three-valued evaluator (README.md explains the choice)."""

from __future__ import annotations

import re
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from itertools import product
from typing import Any, Final

import rule_engine  # type: ignore[import-untyped]
from rule_engine import ast
from rule_engine.parser import Parser  # type: ignore[import-untyped]

from screening.engine import expression_messages as messages
from screening.engine import expression_nodes as nodes
from screening.engine.exact import MAX_DECIMAL_PLACES, MAX_WHOLE_DIGITS
from screening.engine.uncertain import OneOf
from screening.engine.vocabulary import (
    BOOL,
    DATE,
    EVENT_DATE,
    INT,
    LIST_ITEM_TYPES,
    NAMESPACES,
    NUMBER,
    TEXT,
    TEXT_SET,
    VOCABULARY,
    FactSpec,
)

FUNCTIONS: Final = messages.FUNCTIONS
NUMERIC: Final = frozenset({INT, NUMBER})


class ExpressionError(ValueError):
    """A rule condition an admin must correct: syntax, unknown fact or type error."""


@dataclass(frozen=True)
class CompiledExpression:
    """A checked condition, ready to evaluate three-valued against facts."""

    text: str
    root: nodes.Node
    facts: frozenset[str]
    completion_facts: tuple[str, ...]

    def evaluate(self, env: nodes.Env) -> bool | None:
        """True (fires), False (silent) or None (not evaluable)."""
        if not self.completion_facts:
            value: bool | None = self.root.run(env)
            return value
        uncertain = [
            name for name in self.completion_facts if isinstance(env.get(name), OneOf)
        ]
        if not uncertain:
            known: bool | None = self.root.run(env)
            return known
        results = {self.root.run(overlay) for overlay in _completions(env, uncertain)}
        return results.pop() if len(results) == 1 else None

    def trace(self, env: nodes.Env) -> nodes.TracedResult:
        """The value with the reads behind it (for evidence and `needs`)."""
        root = self.root
        uncertain = [
            name for name in self.completion_facts if isinstance(env.get(name), OneOf)
        ]
        if not uncertain:
            return nodes.TracedResult(*root.trace(env))
        overlays = _completions(env, uncertain)
        values = [root.run(overlay) for overlay in overlays]
        if len(set(values)) == 1:
            # Every completion read the same facts; the first one's reads explain it.
            return nodes.TracedResult(*root.trace(overlays[0]))
        reads: nodes.Reads = tuple(("fact", name, None) for name in uncertain)
        for overlay, value in zip(overlays, values, strict=True):
            if value is None:
                reads += root.trace(overlay)[1]
        return nodes.TracedResult(None, reads)

    def explain(self, env: nodes.Env) -> nodes.Traced | None:
        """None when the rule is silent (False), else its value and reads as trace()
        gives them (a plain pair: a screening asks every rule): a silent rule shows
        nothing, so its reads are never traced, and a shown one is traced only where
        its reads depend on the values (issue #19)."""
        root = self.root
        if self.completion_facts:
            uncertain = [
                name
                for name in self.completion_facts
                if isinstance(env.get(name), OneOf)
            ]
            if uncertain:
                return self._explained(env, uncertain)
        static = root.static
        if static is not None:  # the common case: as cheap as evaluate() when silent
            value = root.run(env)
            return None if value is False else (value, static)
        return root.explain(env)

    def _explained(self, env: nodes.Env, uncertain: list[str]) -> nodes.Traced | None:
        """explain() over the completions of uncertain facts: their values first
        (many, mostly agreeing), then only the reads the result rests on."""
        root = self.root
        overlays = _completions(env, uncertain)
        values = [root.run(overlay) for overlay in overlays]
        if len(set(values)) == 1:
            if values[0] is False:
                return None
            # Every completion read the same facts; the first one's reads explain it.
            static = root.static
            if static is not None:
                return values[0], static
            return root.trace(overlays[0])
        reads: nodes.Reads = tuple(("fact", name, None) for name in uncertain)
        for overlay, value in zip(overlays, values, strict=True):
            if value is None:
                reads += root.trace(overlay)[1]
        return None, reads


def _completions(env: nodes.Env, names: list[str]) -> list[dict[str, Any]]:
    """One environment per combination of the possible values of uncertain facts."""
    choices = [sorted(env[name].values, key=repr) for name in names]
    base = dict(env)
    overlays = []
    for combination in product(*choices):
        overlay = dict(base)
        overlay.update(zip(names, combination, strict=True))
        overlay[nodes.ENUMERATED] = frozenset(names)
        overlays.append(overlay)
    return overlays


def _type_resolver(name: str) -> Any:
    if name in FUNCTIONS:
        return rule_engine.DataType.FUNCTION(
            name,
            return_type=rule_engine.DataType.UNDEFINED,
            argument_types=(rule_engine.DataType.UNDEFINED,) * FUNCTIONS[name],
            minimum_arguments=FUNCTIONS[name],
        )
    if name in VOCABULARY or name in NAMESPACES:
        return rule_engine.DataType.UNDEFINED
    raise rule_engine.SymbolResolutionError(name)


_CONTEXT: Final = rule_engine.Context(type_resolver=_type_resolver)


# A number as an admin writes a threshold: no exponent, no hexadecimal, bounded size.
PLAIN_NUMBER: Final = re.compile(
    rf"(0|[1-9][0-9]{{0,{MAX_WHOLE_DIGITS - 1}}})"
    rf"(\.[0-9]{{0,{MAX_DECIMAL_PLACES}}})?"
    rf"|\.[0-9]{{1,{MAX_DECIMAL_PLACES}}}"
)
# Literal values: a node made of these alone is folded to a constant by rule-engine.
_LITERALS: Final = frozenset(
    {
        "BooleanExpression",
        "BytesExpression",
        "DatetimeExpression",
        "FloatExpression",
        "NullExpression",
        "StringExpression",
        "TimedeltaExpression",
    }
)
_COLLECTIONS: Final = frozenset(
    {"ArrayExpression", "MappingExpression", "SetExpression"}
)


class _CheckingParser(Parser):  # type: ignore[misc]
    """rule-engine's parser, with the admin's text checked between its two phases.

    rule-engine parses into deferred nodes, then builds them recursively and folds
    every sub-expression of constants on the way: it would evaluate a regular
    expression between two string literals, convert a huge number, or overflow the
    stack before the compiler below could refuse anything. So the deferred tree is
    checked first (rule-engine 5.1's phase one: `_parser`, `_lexer`).
    """

    _lock = threading.Lock()

    def parse(self, text: str, context: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.context = context
            try:
                deferred = self._parser.parse(text, lexer=self._lexer.clone())
            finally:
                self.context = None
        _check_deferred(deferred)
        return deferred.build()


@lru_cache(maxsize=1)
def _parser() -> _CheckingParser:
    # Built on first use: building the grammar tables takes a moment.
    return _CheckingParser()


def _children(node: Any) -> list[Any]:
    found, pending = [], [*node.args, *node.kwargs.values()]
    while pending:
        value = pending.pop()
        if isinstance(value, tuple | list | deque):  # members, arguments, pairs
            pending.extend(value)
        elif hasattr(value, "cls") and hasattr(value, "args"):
            found.append(value)
    return found


def _check_deferred(root: Any) -> None:
    """Refuse, before anything is built: deep nesting, forbidden constructs (regular
    expressions included), numbers that are not plain, and constants-only parts."""
    constant: dict[int, bool] = {}
    stack: list[tuple[Any, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, seen = stack.pop()
        kind = node.cls.__name__
        children = _children(node)
        if seen:
            values = [constant[id(child)] for child in children]
            if kind in _LITERALS:
                constant[id(node)] = True
            elif kind in _COLLECTIONS or (
                kind == "UnaryExpression" and node.args[1] == "UMINUS"
            ):
                # A list of constants, or a negative number: a value, not a computation.
                constant[id(node)] = all(values)
            elif values and all(values):
                raise ExpressionError(messages.constants_only())
            else:
                constant[id(node)] = False
            continue
        if depth > messages.MAX_DEPTH:
            raise ExpressionError(messages.too_deep())
        if kind != "Statement" and kind not in _BUILDERS:
            raise ExpressionError(messages.forbidden_kind(kind))
        if kind == "FloatExpression" and not PLAIN_NUMBER.fullmatch(str(node.args[1])):
            raise ExpressionError(messages.number_message(str(node.args[1])))
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in children)


@lru_cache(maxsize=1024)
def compile_expression(text: str) -> CompiledExpression:
    """Parse and type-check a rule condition; ExpressionError says what to fix."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(
            "The condition is empty: write a yes/no expression over facts."
        )
    if len(text) > messages.MAX_LENGTH:
        raise ExpressionError(messages.too_long(len(text)))
    try:
        return _compile(text)
    except ExpressionError:
        raise
    except RecursionError:
        # The depth check should make this unreachable; a refusal beats a crash.
        raise ExpressionError(messages.too_deep()) from None
    except (ArithmeticError, ValueError):
        raise ExpressionError(messages.unreadable()) from None


def _compile(text: str) -> CompiledExpression:
    try:
        statement = _parser().parse(text, _CONTEXT)
    except rule_engine.RuleSyntaxError as error:
        raise ExpressionError(messages.syntax_message(text, error)) from None
    except rule_engine.SymbolResolutionError as error:
        raise ExpressionError(messages.unknown_message(error.symbol_name)) from None
    except rule_engine.AttributeResolutionError as error:
        raise ExpressionError(
            f"'{error.attribute_name}' cannot be read here: only the facts of the "
            "vocabulary can be named."
        ) from None
    except rule_engine.EngineError as error:
        raise ExpressionError(f"The condition is not valid: {error.message}.") from None
    compiler = _Compiler()
    root = compiler.build(statement.expression)
    if root.type != BOOL:
        raise ExpressionError(
            f"The condition must be yes/no, but it is {messages.type_name(root)}: "
            "compare it, e.g. `... > 8`."
        )
    completions = tuple(
        sorted(
            name
            for name in compiler.facts
            if name in VOCABULARY and VOCABULARY[name].completions
        )
    )
    return CompiledExpression(text, root, frozenset(compiler.facts), completions)


_BUILDERS: Final = {
    "SymbolExpression": "_symbol",
    "GetAttributeExpression": "_get_attribute",
    "GetItemExpression": "_get_item",
    "BooleanExpression": "_boolean",
    "FloatExpression": "_float",
    "StringExpression": "_string",
    "DatetimeExpression": "_datetime",
    "NullExpression": "_null",
    "ArrayExpression": "_array",
    "LogicExpression": "_logic",
    "UnaryExpression": "_unary",
    "ComparisonExpression": "_comparison",
    "ArithmeticComparisonExpression": "_ordering",
    "ContainsExpression": "_contains",
    "AddExpression": "_add",
    "SubtractExpression": "_subtract",
    "ArithmeticExpression": "_multiply",
    "FunctionCallExpression": "_call",
}


class _Compiler:
    """Turns a rule-engine AST into evaluator nodes, checking every type on the way."""

    def __init__(self) -> None:
        self.facts: set[str] = set()

    def build(self, expression: ast.ExpressionBase) -> nodes.Node:
        method = _BUILDERS.get(type(expression).__name__)
        builder = getattr(self, method) if method else None
        if builder is None:
            raise ExpressionError(messages.forbidden(expression))
        node: nodes.Node = builder(expression)
        return node

    # Facts

    def _fact(self, name: str) -> nodes.Node:
        spec = VOCABULARY.get(name)
        if spec is None:
            raise ExpressionError(messages.unknown_message(name))
        if spec.type in LIST_ITEM_TYPES:
            raise ExpressionError(
                f"{name} is a list of item answers: read one item, e.g. {name}[0]."
            )
        self.facts.add(name)
        return nodes.Fact(name, spec.type)

    def _dotted(self, expression: ast.ExpressionBase) -> str:
        if isinstance(expression, ast.SymbolExpression):
            if expression.scope is not None:
                raise ExpressionError(
                    f"Built-in '${expression.name}' is not allowed: use the facts of "
                    "the vocabulary."
                )
            return str(expression.name)
        if isinstance(expression, ast.GetAttributeExpression):
            if expression.safe:
                raise ExpressionError("Safe navigation (&.) is not allowed.")
            return f"{self._dotted(expression.object)}.{expression.name}"
        raise ExpressionError("Only fact names can be read with '.' or '[...]'.")

    def _symbol(self, expression: ast.SymbolExpression) -> nodes.Node:
        name = self._dotted(expression)
        if name in FUNCTIONS:
            raise ExpressionError(f"{name} is a function: call it, e.g. {name}(...).")
        return self._fact(name)

    def _get_attribute(self, expression: ast.GetAttributeExpression) -> nodes.Node:
        return self._fact(self._dotted(expression))

    def _get_item(self, expression: ast.GetItemExpression) -> nodes.Node:
        if expression.safe:
            raise ExpressionError("Safe navigation (&[) is not allowed.")
        name = self._dotted(expression.container)
        spec: FactSpec | None = VOCABULARY.get(name)
        if spec is None:
            raise ExpressionError(messages.unknown_message(name))
        if spec.type not in LIST_ITEM_TYPES or spec.length is None:
            raise ExpressionError(
                f"{name} is not a list: '[...]' cannot be used on it."
            )
        item = expression.item
        index = item.value if isinstance(item, ast.FloatExpression) else None
        if (
            index is None
            or index != index.to_integral_value()
            or not 0 <= index < spec.length
        ):
            raise ExpressionError(
                f"{name}[...] needs a whole-number index from 0 to {spec.length - 1} "
                f"(item 1 is {name}[0])."
            )
        item_name = f"{name}[{int(index)}]"
        self.facts.add(item_name)
        return nodes.Fact(item_name, LIST_ITEM_TYPES[spec.type])

    # Literals

    def _boolean(self, expression: ast.BooleanExpression) -> nodes.Node:
        return nodes.Literal(bool(expression.value), BOOL)

    def _float(self, expression: ast.FloatExpression) -> nodes.Node:
        value: Decimal = expression.value
        if value == value.to_integral_value():
            return nodes.Literal(int(value), INT)
        return nodes.Literal(value, NUMBER)

    def _string(self, expression: ast.StringExpression) -> nodes.Node:
        return nodes.Literal(str(expression.value), TEXT)

    def _datetime(self, expression: ast.DatetimeExpression) -> nodes.Node:
        value: datetime = expression.value
        return nodes.Literal(value.date(), DATE)

    def _null(self, expression: ast.NullExpression) -> nodes.Node:
        raise ExpressionError(
            "null cannot be compared (a comparison with null is always unknown): "
            "use is_null(fact) instead."
        )

    def _array(self, expression: ast.ArrayExpression) -> nodes.Node:
        items = [self.build(item) for item in expression.value]
        if not all(isinstance(item, nodes.Literal) for item in items):
            raise ExpressionError(
                "A list in a condition may hold only constants, e.g. [3, 4]."
            )
        kinds = {"number" if item.type in NUMERIC else item.type for item in items}
        if len(kinds) > 1:
            raise ExpressionError("A list in a condition must hold values of one type.")
        values = tuple(item.value for item in items if isinstance(item, nodes.Literal))
        return nodes.ArrayLiteral(values, next(iter(kinds), TEXT))

    # Operators

    def _logic(self, expression: ast.LogicExpression) -> nodes.Node:
        kind = str(expression.type)
        operands: list[nodes.Node] = []
        for side in (expression.left, expression.right):
            node = self.build(side)
            self._expect_bool(node, kind)
            if isinstance(node, nodes.Logic) and node.decisive == (kind == "or"):
                operands.extend(node.operands)  # flatten a or b or c
            else:
                operands.append(node)
        return nodes.Logic(kind, operands)

    def _unary(self, expression: ast.UnaryExpression) -> nodes.Node:
        operand = self.build(expression.right)
        if expression.type == "not":
            self._expect_bool(operand, "not")
            return nodes.Not(operand)
        if operand.type not in NUMERIC:
            raise ExpressionError(
                f"'-' needs a number, but {messages.describe(operand)} is not one."
            )
        return nodes.Negate(operand)

    def _expect_bool(self, node: nodes.Node, operator: str) -> None:
        if node.type != BOOL:
            raise ExpressionError(
                f"'{operator}' needs yes/no operands, but {messages.describe(node)} is "
                f"{messages.type_name(node)}."
            )

    def _comparison(self, expression: ast.ComparisonExpression) -> nodes.Node:
        left, right = self.build(expression.left), self.build(expression.right)
        op = str(expression.type)
        if not _comparable(left, right, ordering=False):
            raise ExpressionError(messages.mismatch(left, right))
        _check_text_values(left, right)
        return nodes.Compare(op, left, right)

    def _ordering(self, expression: ast.ArithmeticComparisonExpression) -> nodes.Node:
        left, right = self.build(expression.left), self.build(expression.right)
        if not _comparable(left, right, ordering=True):
            if EVENT_DATE in (left.type, right.type):
                raise ExpressionError(
                    "An event date (a date, or false for never) cannot be ordered: use "
                    "within_days(fact, n) or within_months(fact, n)."
                )
            raise ExpressionError(messages.mismatch(left, right))
        return nodes.Compare(str(expression.type), left, right)

    def _contains(self, expression: ast.ContainsExpression) -> nodes.Node:
        member, container = (
            self.build(expression.member),
            self.build(expression.container),
        )
        if container.type == TEXT_SET:
            element = TEXT
        elif isinstance(container, nodes.ArrayLiteral):
            element = container.element_type
        else:
            raise ExpressionError(
                f"'in' needs a set fact or a list such as [3, 4] on its right, but "
                f"{messages.describe(container)} is {messages.type_name(container)}."
            )
        member_kind = "number" if member.type in NUMERIC else member.type
        if member_kind != element:
            raise ExpressionError(
                f"{messages.describe(member)} is {messages.type_name(member)} and "
                f"cannot be looked for in {messages.describe(container)}."
            )
        if isinstance(member, nodes.Literal) and isinstance(container, nodes.Fact):
            _check_value(container.name, member.value)
        if isinstance(member, nodes.Fact) and isinstance(container, nodes.ArrayLiteral):
            for value in container.value:
                _check_value(member.name, value)
        return nodes.Contains(member, container)

    def _arithmetic(self, expression: Any, op: str) -> nodes.Node:
        left, right = self.build(expression.left), self.build(expression.right)
        for side in (left, right):
            if side.type not in NUMERIC:
                raise ExpressionError(
                    f"Arithmetic needs numbers, but {messages.describe(side)} is "
                    f"{messages.type_name(side)}."
                )
        if op == "tdiv" and isinstance(right, nodes.Literal) and right.value == 0:
            raise ExpressionError("Division by zero.")
        return nodes.Arithmetic(op, left, right)

    def _add(self, expression: ast.AddExpression) -> nodes.Node:
        return self._arithmetic(expression, "add")

    def _subtract(self, expression: ast.SubtractExpression) -> nodes.Node:
        return self._arithmetic(expression, "sub")

    def _multiply(self, expression: ast.ArithmeticExpression) -> nodes.Node:
        op = str(expression.type)
        if op not in ("mul", "tdiv"):
            raise ExpressionError(
                f"The operator '{op}' is not allowed: use + - * / only."
            )
        return self._arithmetic(expression, op)

    # Functions

    def _call(self, expression: ast.FunctionCallExpression) -> nodes.Node:
        function = expression.function
        if not isinstance(function, ast.SymbolExpression) or function.scope is not None:
            raise ExpressionError(
                f"Only these functions may be called: {', '.join(FUNCTIONS)}."
            )
        name = str(function.name)
        arguments = [self.build(argument) for argument in expression.arguments]
        if name in ("is_true", "is_false"):
            self._expect_bool(arguments[0], name)
        if name in ("is_true", "is_false", "is_null"):
            return nodes.Known(name, arguments[0])
        subject, amount = arguments
        if subject.type not in (DATE, EVENT_DATE):
            raise ExpressionError(
                f"{name} needs a date first, but {messages.describe(subject)} is "
                f"{messages.type_name(subject)}."
            )
        most = messages.MAX_MONTHS if name == "within_months" else messages.MAX_DAYS
        if not (
            isinstance(amount, nodes.Literal)
            and amount.type == INT
            and 0 <= amount.value <= most
        ):
            raise ExpressionError(
                f"{name} needs a whole number of days or months second, "
                f"at most {most:,}."
            )
        return nodes.Within(subject, int(amount.value), months=name == "within_months")


def _comparable(left: nodes.Node, right: nodes.Node, *, ordering: bool) -> bool:
    kinds = {left.type, right.type}
    if kinds <= NUMERIC:
        return True
    if ordering:
        return kinds == {DATE}
    if len(kinds) == 1:
        return left.type in (BOOL, TEXT, DATE, EVENT_DATE)
    if kinds == {EVENT_DATE, DATE}:
        return True
    # An event date is compared with false to ask "never had it".
    other = right if left.type == EVENT_DATE else left
    return (
        EVENT_DATE in kinds
        and isinstance(other, nodes.Literal)
        and other.value is False
    )


def _check_text_values(left: nodes.Node, right: nodes.Node) -> None:
    if isinstance(left, nodes.Fact) and isinstance(right, nodes.Literal):
        _check_value(left.name, right.value)
    elif isinstance(right, nodes.Fact) and isinstance(left, nodes.Literal):
        _check_value(right.name, left.value)


def _check_value(name: str, value: Any) -> None:
    spec = VOCABULARY.get(name)
    if spec is None or spec.values is None or not isinstance(value, str):
        return
    if value not in spec.values:
        allowed = ", ".join(f'"{v}"' for v in spec.values)
        raise ExpressionError(f'{name} is never "{value}": its values are {allowed}.')
