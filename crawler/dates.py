"""Dates as the sites print them -> timezone-aware datetimes -> ISO 8601 with offset."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
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
# Any month word by its first three letters ("нояб.", "ноября", "Ноябрь"; "мар" ≠ "май"/"мая").
_RU_PREFIX = {name[:3]: month for name, month in RU_MONTHS.items()}
EN_MONTHS = {name: i + 1 for i, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_RU_DATE = re.compile(
    r"(?P<day>\d{1,2})\s+(?P<month>[а-яё]+)\.?(?:,?\s*(?P<year>\d{4}))?(?:\s*г(?:ода|\.)?)?", re.I
)
_EN_DATE = re.compile(  # "21 November 2026, 19:06", "November 21, 2026"
    r"(?:(?P<day>\d{1,2})\s+(?P<month>[a-z]{3,9})\.?,?\s+(?P<year>\d{4})"
    r"|(?P<month2>[a-z]{3,9})\.?\s+(?P<day2>\d{1,2}),?\s+(?P<year2>\d{4}))", re.I
)
_NUMERIC_DATE = re.compile(r"\b(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4}|\d{2})\b")
_RELATIVE = {"сегодня": 0, "вчера": 1, "позавчера": 2, "today": 0, "yesterday": 1}
_TIME = re.compile(r"(?P<hour>\d{1,2}):(?P<minute>\d{2})")


def parse_date_arg(value: str, name: str) -> date:
    """A spider argument: YYYY-MM-DD, with an error message that says so."""
    try:
        return date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise ValueError(f"-a {name}={value!r}: expected a date as YYYY-MM-DD, e.g. {name}=2023-08-01") from None


def parse_datetime(value: object, tz: str = "UTC", now: datetime | None = None) -> datetime | None:
    """ISO 8601, RFC 2822, epoch seconds/milliseconds, or the forms sites print: Russian ("5 марта 2024,
    12:34", "12:34, 5 марта 2024", "21 июля 2026 г.", "5 мар. 2024", "05.03.2024 12:34", "сегодня, 12:34",
    "вчера в 09:15") and English ("21 November 2026, 19:06", "Nov 21, 2026"). Naive values are read in
    the outlet's ``tz``. A date without a year, and "сегодня"/"вчера", are read against ``now``
    (injected; never read from the clock here: without ``now`` they are not dates). A date that cannot
    be shown in UTC and in ``tz`` (``9999-12-31T23:59:59-23:59``, year 1 east of Greenwich, an epoch
    beyond year 9999) is not a date either: None, never an exception."""
    if value is None or value == "":
        return None
    zone = ZoneInfo(tz)
    try:
        if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
            number = float(value)
            if number > 1e11:  # milliseconds
                number /= 1000
            return datetime.fromtimestamp(number, tz=timezone.utc).astimezone(zone)
        text = str(value).strip()
        parsed = (_iso(text) or _rfc2822(text) or _russian(text, zone, now) or _numeric(text, zone)
                  or _english(text, zone) or _relative(text, zone, now))
        if parsed is None:
            return None
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
        parsed.astimezone(timezone.utc), parsed.astimezone(zone)  # both must exist
        return parsed
    except (OverflowError, OSError, ValueError):
        return None


def iso(dt: datetime | None) -> str | None:
    return dt.isoformat(timespec="seconds") if dt else None


def in_zone(dt: datetime, tz: str) -> datetime:
    """The same instant in the outlet's time zone (a feed's UTC "…+0000" becomes "…+03:00")."""
    return dt.astimezone(ZoneInfo(tz)) if dt.tzinfo else dt.replace(tzinfo=ZoneInfo(tz))


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


def _at(year: int, month: int, day: int, text: str, zone: ZoneInfo) -> datetime | None:
    """That day, at the first HH:MM found in ``text`` (else midnight), in ``zone``; None if impossible."""
    t = _TIME.search(text)
    hour, minute = (int(t["hour"]), int(t["minute"])) if t else (0, 0)
    try:
        return datetime(year, month, day, hour, minute, tzinfo=zone)
    except ValueError:
        return None


def _russian(text: str, zone: ZoneInfo, now: datetime | None) -> datetime | None:
    for m in _RU_DATE.finditer(text.lower()):
        month = RU_MONTHS.get(m["month"]) or _RU_PREFIX.get(m["month"][:3])
        if not month:
            continue
        if not m["year"] and now is None:
            return None
        year = int(m["year"]) if m["year"] else now.astimezone(zone).year  # type: ignore[union-attr]
        return _at(year, month, int(m["day"]), text, zone)
    return None


def _numeric(text: str, zone: ZoneInfo) -> datetime | None:
    m = _NUMERIC_DATE.search(text)
    if not m:
        return None
    year = int(m["year"]) + (2000 if len(m["year"]) == 2 else 0)
    return _at(year, int(m["month"]), int(m["day"]), text, zone)


def _english(text: str, zone: ZoneInfo) -> datetime | None:
    for m in _EN_DATE.finditer(text):
        month = EN_MONTHS.get((m["month"] or m["month2"]).lower()[:3])
        if month:
            return _at(int(m["year"] or m["year2"]), month, int(m["day"] or m["day2"]), text, zone)
    return None


def _relative(text: str, zone: ZoneInfo, now: datetime | None) -> datetime | None:
    word = re.match(r"\s*([а-яёa-z]+)", text.lower())
    if now is None or not word or word[1] not in _RELATIVE:
        return None
    day = now.astimezone(zone).date() - timedelta(days=_RELATIVE[word[1]])
    return _at(day.year, day.month, day.day, text, zone)
