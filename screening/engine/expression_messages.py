"""Messages an admin reads when a rule condition is refused (syntax, names, types)."""

from __future__ import annotations

import difflib
from typing import Final

import rule_engine  # type: ignore[import-untyped]
from rule_engine import ast

from screening.engine import expression_nodes as nodes
from screening.engine.vocabulary import NAMESPACES, TYPE_NAMES, VOCABULARY

FUNCTIONS: Final = {
    "is_true": 1,
    "is_false": 1,
    "is_null": 1,
    "within_days": 2,
    "within_months": 2,
}
"""The only functions a condition may call, with their argument counts."""


def syntax_message(text: str, error: rule_engine.RuleSyntaxError) -> str:
    token = error.token
    if token is None:
        return "Syntax error: the condition ends too early (is an operand missing?)."
    position = getattr(token, "lexpos", None)
    where = f" at character {position + 1}" if isinstance(position, int) else ""
    return f"Syntax error{where}: unexpected {token.value!r} in `{text.strip()}`."


def unknown_message(name: str) -> str:
    if name in NAMESPACES:
        example = next(fact for fact in VOCABULARY if fact.startswith(f"{name}."))
        return f"'{name}' is a section, not a fact: name a field, e.g. {example}."
    close = difflib.get_close_matches(name, [*VOCABULARY, *FUNCTIONS], n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return (
        f"Unknown name '{name}': a condition may read only the facts of the vocabulary "
        f"and call {', '.join(FUNCTIONS)}.{hint}"
    )


def type_name(node: nodes.Node) -> str:
    return TYPE_NAMES.get(node.type, node.type)


def describe(node: nodes.Node) -> str:
    if isinstance(node, nodes.Fact):
        return node.name
    if isinstance(node, nodes.Literal) and not isinstance(node, nodes.ArrayLiteral):
        return nodes.literal_text(node.value)
    return "the expression"


def forbidden(expression: ast.ExpressionBase) -> str:
    kind = type(expression).__name__
    names = {
        "ComprehensionExpression": "Loops (comprehensions)",
        "TernaryExpression": "The '? :' operator",
        "MappingExpression": "Mappings",
        "SetExpression": "Set literals",
        "GetSliceExpression": "Slices",
        "FuzzyComparisonExpression": "Regular-expression matching",
        "BitwiseExpression": "Bitwise operators",
        "BitwiseShiftExpression": "Bitwise operators",
        "BytesExpression": "Byte strings",
        "TimedeltaExpression": "Time spans",
    }
    return f"{names.get(kind, kind)} are not allowed in a rule condition."


def mismatch(left: nodes.Node, right: nodes.Node) -> str:
    return (
        f"Type mismatch: {describe(left)} is {type_name(left)} and "
        f"cannot be compared with {describe(right)}, which is "
        f"{type_name(right)}."
    )
