"""Which discovered article to request, given what the state knows about it. Pure functions.

* not stored: request it (``new``);
* a sitemap/feed entry with a date: request it only when that date is later than the latest entry
  date stored for the article (``date_changed``); with ``refresh``, re-check it anyway (``refresh``);
* an entry without a date: re-check it while the article is younger than ``recheck_days``
  (``recheck``; its age is counted from the date in its URL or entry, else its publication date, else
  when it was first seen), or always with ``refresh``; otherwise skip it (``old``).

Every request for a stored article is conditional (``If-None-Match`` / ``If-Modified-Since`` from the
stored validators), so a page that did not change costs a 304.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from crawler import dates
from crawler.state.records import ArticleState

INCREMENTAL = "incremental"
REFRESH = "refresh"
MODES = (INCREMENTAL, REFRESH)


@dataclass(frozen=True)
class Verdict:
    fetch: bool
    reason: str  # new | date_changed | recheck | refresh | unchanged_date | old

    @property
    def conditional(self) -> bool:
        return self.fetch and self.reason != "new"


def utc_iso(value: str | None, tz: str = "UTC") -> str | None:
    """A sitemap/feed date as a UTC ISO string (strings then sort by time); None if unreadable."""
    parsed = dates.parse_datetime(value, tz) if value else None
    return parsed.astimezone(timezone.utc).isoformat(timespec="seconds") if parsed else None


def later(a: str | None, b: str | None) -> str | None:
    """The later of two UTC ISO strings (None counts as earliest)."""
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def judge_entry(stored: ArticleState | None, entry_date: str | None, article_day: date | None,
                today: date, recheck_days: int, mode: str = INCREMENTAL) -> Verdict:
    """``entry_date``: the entry's own date as a UTC ISO string, or None for an undated entry."""
    if stored is None:
        return Verdict(True, "new")
    if entry_date is not None:
        if stored.entry_date is None or entry_date > stored.entry_date:
            return Verdict(True, "date_changed")
        return Verdict(True, "refresh") if mode == REFRESH else Verdict(False, "unchanged_date")
    if mode == REFRESH:
        return Verdict(True, "refresh")
    day = article_day or _day(stored.published_at) or _day(stored.first_seen)
    if day is not None and (today - day).days < recheck_days:
        return Verdict(True, "recheck")
    return Verdict(False, "old")


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None


def entry_date(meta: dict[str, Any], tz: str) -> str | None:
    """A sitemap/feed entry's own date from request meta (``sitemap_entry``: ``lastmod``, else
    ``news:publication_date``; ``feed_entry``: ``updated``, else ``published``), as UTC ISO."""
    sitemap = meta.get("sitemap_entry") or {}
    feed = meta.get("feed_entry") or {}
    for value in (sitemap.get("lastmod"), sitemap.get("news_publication_date"),
                  feed.get("updated"), feed.get("published")):
        when = utc_iso(value, tz) if value else None
        if when:
            return when
    return None


def listing_dates(meta: dict[str, Any], tz: str) -> list[str]:
    """The dates of a listing and of the later listings of the same article that the spider folded
    into its request (``meta["listings"]``: the article in both feed and sitemap, or a second slug)."""
    found = [entry_date(listing, tz) for listing in [meta, *list(meta.get("listings", ()))]]
    return [when for when in found if when]
