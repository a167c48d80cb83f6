from datetime import datetime, timezone

import pytest

from crawler.dates import iso, parse_date_arg, parse_datetime


@pytest.mark.parametrize("value, tz, expected", [
    ("2023-08-22T14:05:00+03:00", "UTC", "2023-08-22T14:05:00+03:00"),
    ("2023-08-22T11:05:00Z", "UTC", "2023-08-22T11:05:00+00:00"),
    ("2023-08-22 14:05:00", "Europe/Moscow", "2023-08-22T14:05:00+03:00"),
    ("Tue, 22 Aug 2023 11:05:00 GMT", "UTC", "2023-08-22T11:05:00+00:00"),
    ("Tue, 22 Aug 2023 14:05:00 +0300", "UTC", "2023-08-22T14:05:00+03:00"),
    ("5 марта 2024, 12:34", "Europe/Moscow", "2024-03-05T12:34:00+03:00"),
    ("12:34, 5 марта 2024", "Europe/Moscow", "2024-03-05T12:34:00+03:00"),
    ("21 июля 2026 г.", "Europe/Moscow", "2026-07-21T00:00:00+03:00"),
    (1782000000000, "Europe/Moscow", "2026-06-21T03:00:00+03:00"),
    ("1782000000", "UTC", "2026-06-21T00:00:00+00:00"),
])
def test_parse_datetime_forms(value, tz, expected):
    assert iso(parse_datetime(value, tz)) == expected


def test_russian_date_without_year_takes_injected_year():
    now = datetime(2026, 11, 28, tzinfo=timezone.utc)
    assert iso(parse_datetime("14:10, 3 ноября", "Europe/Moscow", now=now)) == "2026-11-03T14:10:00+03:00"


@pytest.mark.parametrize("value", ["", None, "yesterday", "32 марта 2024"])
def test_unreadable_dates_are_none(value):
    assert parse_datetime(value, "UTC") is None


def test_date_argument_error_says_the_format():
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_date_arg("yesterday", "since")
    assert parse_date_arg("2023-08-01", "since").isoformat() == "2023-08-01"
