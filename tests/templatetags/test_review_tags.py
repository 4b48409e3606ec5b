"""The summary's tags write what the templates and filters they replace wrote."""

import datetime
import zoneinfo

import pytest
from django.template.defaultfilters import date as date_filter

from screening.templatetags.review_tags import _minute

UTC = datetime.UTC


@pytest.mark.parametrize(
    "at",
    [
        datetime.datetime(2026, 1, 2, 3, 4, 59, tzinfo=UTC),
        datetime.datetime(2026, 12, 31, 23, 59, 0, 999, tzinfo=UTC),
        datetime.datetime(987, 6, 5, 4, 3, tzinfo=UTC),
        datetime.datetime(2026, 7, 1, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")),
    ],
)
def test_it_writes_the_minute_as_the_date_filter_does(at):
    assert _minute(at) == date_filter(at, "Y-m-d H:i")
