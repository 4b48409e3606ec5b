"""Exact numbers: document numbers to exact values, and exact values to JSON numbers."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

Exact = int | Decimal | Fraction
"""A number that is never a binary float (clinical-reference.md §10.2, §14)."""


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
