"""Date helpers of clinical-reference.md §1.3; intervals are counted to as_of."""

from __future__ import annotations

from calendar import monthrange
from datetime import date


def parse_date(text: str) -> date:
    """An ISO YYYY-MM-DD date."""
    return date.fromisoformat(text)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (01-31 + 1 = 02-29)."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year = day.year + years
    month = month_index + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def months_since(event_on: date, *, as_of: date) -> int:
    """The largest whole n >= 0 with add_months(event_on, n) <= as_of."""
    months = (as_of.year - event_on.year) * 12 + (as_of.month - event_on.month)
    if months < 0:
        return 0
    return months if add_months(event_on, months) <= as_of else months - 1


def days_before(event_on: date, *, as_of: date) -> int:
    """as_of - event_on in days."""
    return (as_of - event_on).days


def is_within_months(event_on: date, months: int, *, as_of: date) -> bool:
    """Within n months: add_months(event_on, n) >= as_of (the anniversary is within)."""
    return add_months(event_on, months) >= as_of


def is_less_than_months_ago(event_on: date, months: int, *, as_of: date) -> bool:
    """Less than n months ago: add_months(event_on, n) > as_of (anniversary is not)."""
    return add_months(event_on, months) > as_of
