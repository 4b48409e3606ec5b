"""Messages an admin reads when a rule condition is refused (syntax, names, types)."""

from __future__ import annotations

import difflib
from typing import Final

import rule_engine  # type: ignore[import-untyped]
from rule_engine import ast

from screening.engine import expression_nodes as nodes
from screening.engine.exact import MAX_DECIMAL_PLACES, MAX_WHOLE_DIGITS
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
    return forbidden_kind(type(expression).__name__)


def forbidden_kind(kind: str) -> str:
    """The message for a construct (a rule-engine AST class name) a rule may not use."""
    names = {
        "ComprehensionExpression": "Loops (comprehensions)",
        "TernaryExpression": "Conditional expressions ('? :')",
        "MappingExpression": "Mappings",
        "SetExpression": "Set literals",
        "GetSliceExpression": "Slices",
        "FuzzyComparisonExpression": "Regular expressions (=~, !~)",
        "BitwiseExpression": "Bitwise operators",
        "BitwiseShiftExpression": "Bitwise operators",
        "BytesExpression": "Byte strings",
        "TimedeltaExpression": "Time spans",
    }
    return f"{names.get(kind, kind)} are not allowed in a rule condition."


MAX_LENGTH: Final = 2000
"""The longest condition, in characters (the longest shipped rule has about 1,100)."""
MAX_DEPTH: Final = 64
"""The most operators a condition may chain or nest inside one another."""
MAX_DAYS: Final = 36_525
MAX_MONTHS: Final = 1_200


def too_long(length: int) -> str:
    return (
        f"The condition is too long ({length:,} characters): at most {MAX_LENGTH:,} "
        "are allowed. Split it into several rules."
    )


def too_deep() -> str:
    return (
        f"The condition is too deeply nested: at most {MAX_DEPTH} operators may be "
        "chained or nested inside one another. Split it into several rules."
    )


def constants_only() -> str:
    return (
        "Part of the condition reads no fact, only constants (e.g. 2 * 3 or 1 == 1): "
        "write its value instead, or compare a fact."
    )


NUMBER_RULE: Final = (
    f"Write numbers in plain digits, at most {MAX_WHOLE_DIGITS} before the decimal "
    f"point and {MAX_DECIMAL_PLACES} after it, e.g. 8 or 0.5."
)


def number_message(text: str) -> str:
    shown = text if len(text) <= 24 else f"{text[:20]}..."
    return f"'{shown}' is not a number a rule can use. {NUMBER_RULE}"


def not_finite_message() -> str:
    """For JSON that reads as infinity or NaN (1e400000 does): the text is gone."""
    return f"a number is too large to read, or is not a number. {NUMBER_RULE}"


def unreadable() -> str:
    return "The condition cannot be read: check its numbers, quotes and brackets."


def mismatch(left: nodes.Node, right: nodes.Node) -> str:
    return (
        f"Type mismatch: {describe(left)} is {type_name(left)} and "
        f"cannot be compared with {describe(right)}, which is "
        f"{type_name(right)}."
    )
