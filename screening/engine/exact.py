"""Exact numbers: document numbers to exact values, and exact values to JSON numbers."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

Exact = int | Decimal | Fraction
"""A number that is never a binary float (clinical-reference.md §10.2, §14)."""

MAX_WHOLE_DIGITS = 9
MAX_DECIMAL_PLACES = 6
"""The numbers a rule admin may write (thresholds, test facts, table doses): larger
or finer ones mean nothing clinically, and converting 1e600000 exactly takes seconds."""


def is_bounded(number: Exact) -> bool:
    """Finite, below 10**MAX_WHOLE_DIGITS in size, at most MAX_DECIMAL_PLACES places
    (trailing zeros not counted). Cheap even for 1e600000: nothing is expanded."""
    if isinstance(number, Decimal):
        if not number.is_finite():
            return False
        exponent = number.normalize().as_tuple().exponent
        if not isinstance(exponent, int) or -exponent > MAX_DECIMAL_PLACES:
            return False
    elif isinstance(number, Fraction) and number.denominator > 10**MAX_DECIMAL_PLACES:
        return False
    limit: int = 10**MAX_WHOLE_DIGITS
    return -limit < number < limit


def to_exact(value: Any) -> Exact | None:
    """The exact form of a document number; None for null. Floats go through str."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"{value!r} is a yes/no answer, not a number")
    if isinstance(value, int | Decimal | Fraction):
        return value
    if isinstance(value, float):
        # str() gives the shortest text that reads back as this float: as written.
        return Decimal(str(value))
    raise TypeError(f"{value!r} is not a number")


def to_fraction(value: Exact) -> Fraction:
    """The value as a Fraction, for exact sums (Decimal + Fraction is not defined)."""
    return value if isinstance(value, Fraction) else Fraction(value)


def round_half_up(value: Fraction, places: int) -> int | float:
    """Round once to `places` decimals, an exact half rounded up; an int when whole.

    The float of the rounded decimal is what JSON carries (clinical-reference.md §10.2).
    """
    scale: int = 10**places
    units: int = math.floor(value * scale + Fraction(1, 2))
    if units % scale == 0:
        return units // scale
    return float(Decimal(units).scaleb(-places))


def json_number(value: Exact) -> int | float:
    """A JSON number for an exact value as written: 45 stays 45, 29.0 stays 29.0."""
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and value.as_tuple().exponent == 0:
            return int(value)
        return float(value)
    if value.denominator == 1:
        return int(value)
    return round_half_up(value, 6)
