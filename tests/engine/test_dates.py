from datetime import date

import pytest

from screening.engine.dates import (
    add_months,
    days_before,
    is_within_months,
    months_since,
)

D = date.fromisoformat


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2024-01-31", 1, "2024-02-29"),
        ("2023-01-31", 1, "2023-02-28"),
        ("2025-12-10", 12, "2026-12-10"),
        ("2025-11-30", 3, "2026-02-28"),
        ("2024-02-29", 12, "2025-02-28"),
    ],
)
def test_it_adds_months_clamped_to_the_month_end(start, months, expected):
    assert add_months(D(start), months) == D(expected)


@pytest.mark.parametrize(
    ("event", "as_of", "expected"),
    [
        ("2026-03-01", "2026-09-15", 6),
        ("2026-09-15", "2026-09-15", 0),
        ("2025-09-15", "2026-09-15", 12),
        ("2025-09-16", "2026-09-15", 11),
        ("2024-01-31", "2024-02-29", 1),
    ],
)
def test_it_counts_whole_months_since(event, as_of, expected):
    assert months_since(D(event), as_of=D(as_of)) == expected


def test_it_counts_days_against_the_intake_date():
    assert days_before(D("2025-12-10"), as_of=D("2026-09-15")) == 279


def test_it_keeps_the_anniversary_day_within_12_months():
    assert is_within_months(D("2025-09-15"), 12, as_of=D("2026-09-15"))
    assert not is_within_months(D("2025-09-14"), 12, as_of=D("2026-09-15"))
