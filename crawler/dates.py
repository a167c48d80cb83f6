"""Dates as the sites print them -> timezone-aware datetimes -> ISO 8601 with offset."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

RU_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("января", "январь", "янв"), ("февраля", "февраль", "фев"), ("марта", "март", "мар"),
            ("апреля", "апрель", "апр"), ("мая", "май"), ("июня", "июнь", "июн"),
            ("июля", "июль", "июл"), ("августа", "август", "авг"), ("сентября", "сентябрь", "сен"),
            ("октября", "октябрь", "окт"), ("ноября", "ноябрь", "ноя"), ("декабря", "декабрь", "дек"),
        ]
    )
    for name in names
}
_RU_DATE = re.compile(
    r"(?P<day>\d{1,2})\s+(?P<month>[а-яё]+)\.?\s*(?P<year>\d{4})?(?:\s*г(?:ода|\.)?)?", re.I
)
_TIME = re.compile(r"(?P<hour>\d{1,2}):(?P<minute>\d{2})")


def parse_date_arg(value: str, name: str) -> date:
    """A spider argument: YYYY-MM-DD, with an error message that says so."""
    try:
        return date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise ValueError(f"-a {name}={value!r}: expected a date as YYYY-MM-DD, e.g. {name}=2023-08-01") from None


def parse_datetime(value: object, tz: str = "UTC", now: datetime | None = None) -> datetime | None:
    """ISO 8601, RFC 2822, epoch seconds/milliseconds, or Russian forms ("5 марта 2024, 12:34",
    "12:34, 5 марта 2024", "21 июля 2026 г."). Naive values are read in the outlet's ``tz``. A Russian
    date without a year takes the year of ``now`` (injected; never read from the clock here)."""
    if value is None or value == "":
        return None
    zone = ZoneInfo(tz)
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
        number = float(value)
        if number > 1e11:  # milliseconds
            number /= 1000
        return datetime.fromtimestamp(number, tz=timezone.utc).astimezone(zone)
    text = str(value).strip()
    parsed = _iso(text) or _rfc2822(text) or _russian(text, zone, now)
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def iso(dt: datetime | None) -> str | None:
    return dt.isoformat(timespec="seconds") if dt else None


def _iso(text: str) -> datetime | None:
    candidate = text.replace("Z", "+00:00").replace(" ", "T", 1) if "T" not in text and re.match(r"\d{4}-\d{2}-\d{2} \d", text) else text.replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        return None


def _rfc2822(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _russian(text: str, zone: ZoneInfo, now: datetime | None) -> datetime | None:
    m = _RU_DATE.search(text.lower())
    if not m or m["month"] not in RU_MONTHS:
        return None
    year = int(m["year"]) if m["year"] else (now or datetime(1970, 1, 1)).year
    t = _TIME.search(text)
    hour, minute = (int(t["hour"]), int(t["minute"])) if t else (0, 0)
    try:
        return datetime(year, RU_MONTHS[m["month"]], int(m["day"]), hour, minute, tzinfo=zone)
    except ValueError:
        return None
