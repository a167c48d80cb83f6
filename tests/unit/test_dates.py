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


NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("value, tz, expected", [
    ("24 ноября 2026, 14:05", "Europe/Moscow", "2026-11-24T14:05:00+03:00"),  # Mediazona, Holod
    ("24 ноября 2026 г.", "Europe/Moscow", "2026-11-24T00:00:00+03:00"),  # The Insider
    ("24 нояб. 2026", "Europe/Moscow", "2026-11-24T00:00:00+03:00"),
    ("5 мар 2024, 08:10", "Europe/Moscow", "2024-03-05T08:10:00+03:00"),
    ("5 мая 2024", "Europe/Moscow", "2024-05-05T00:00:00+03:00"),
    ("24 ноября в 14:05", "Europe/Riga", "2026-11-24T14:05:00+02:00"),
    ("24.11.2026, 13:20", "Europe/Amsterdam", "2026-11-24T13:20:00+01:00"),
    ("24.11.26", "Europe/Moscow", "2026-11-24T00:00:00+03:00"),
    ("сегодня, 12:34", "Europe/Moscow", "2026-11-28T12:34:00+03:00"),
    ("Вчера в 09:15", "Europe/Moscow", "2026-11-27T09:15:00+03:00"),
    ("21 November 2026, 19:06", "Europe/Moscow", "2026-11-21T19:06:00+03:00"),  # Mediazona English
    ("Nov 21, 2026", "UTC", "2026-11-21T00:00:00+00:00"),
])
def test_dates_as_the_outlets_print_them(value, tz, expected):
    assert iso(parse_datetime(value, tz, now=NOW)) == expected


@pytest.mark.parametrize("value", ["сегодня, 12:34", "3 ноября"])
def test_relative_or_yearless_dates_need_an_injected_now(value):
    assert parse_datetime(value, "Europe/Moscow") is None


@pytest.mark.parametrize("value", ["Ноябрь 2026", "составлено больше 1 200 протоколов", "31.02.2026"])
def test_text_that_is_not_a_date_is_none(value):
    assert parse_datetime(value, "Europe/Moscow", now=NOW) is None


def test_in_zone_keeps_the_instant_and_shows_the_outlet_offset():
    from crawler.dates import in_zone
    utc = parse_datetime("Thu, 26 Nov 2026 16:00:00 +0000")
    assert iso(in_zone(utc, "Europe/Moscow")) == "2026-11-26T19:00:00+03:00"
    assert in_zone(utc, "Europe/Moscow") == utc
