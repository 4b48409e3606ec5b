"""Exact arithmetic on the numbers of a document: decimal places and integral values."""

import math
from decimal import Decimal
from typing import Any


def is_json_number(value: Any) -> bool:
    """A finite int, float or Decimal (bool is not a number; NaN is not JSON)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, Decimal) and value.is_finite()


def as_decimal(value: int | float | Decimal) -> Decimal:
    """The number as an exact Decimal; a float is read as the JSON text it prints."""
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def decimal_places(value: int | float | Decimal) -> int:
    """Decimal places of the value, trailing zeros ignored (1.50 has 1, 2.0 has 0)."""
    if isinstance(value, int):
        return 0
    # as_tuple, not normalize(): normalize rounds to the context's 28 digits.
    _sign, digits, exponent = as_decimal(value).as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if trailing_zeros == len(digits):  # the value is zero
        return 0
    return max(0, -exponent - trailing_zeros)


def is_integral(value: Any) -> bool:
    """A finite number with no fractional part: 45, 45.0, Decimal("45.00")."""
    return is_json_number(value) and decimal_places(value) == 0


def json_number_text(value: Decimal) -> str:
    """Exact JSON text of a finite Decimal, without exponent or trailing zeros."""
    text = format(value, "f")  # "f" without a precision never rounds
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
