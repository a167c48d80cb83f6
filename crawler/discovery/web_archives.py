"""What the two web-archive sources share: capture times, polite archive requests, the listed entry.

A web archive is two more ways to reach an article: its index lists the outlet's URLs for a window
(:mod:`crawler.discovery.wayback`, :mod:`crawler.discovery.commoncrawl`), and its captures stand in
for a page the site no longer serves (:mod:`crawler.middlewares.web_archives`). Both send their requests
to the archive's own download slot (``meta["download_slot"]``, limits in ``DOWNLOAD_SLOTS``), which
AutoThrottle leaves alone (``autothrottle_dont_adjust_delay``): the archives publish their limits.

An archive lists each URL with one capture; the entry travels with the article request as
``meta["webarchive_entry"]`` = ``{"source", "url", "timestamp", "archive_url", ...}`` (Common Crawl adds
``filename``, ``offset``, ``length``), so that the page can be taken from that capture without asking
the index again when the site no longer serves it.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

from scrapy import Request

SOURCES = ("site", "wayback", "commoncrawl")
ARCHIVES = SOURCES[1:]
# download slots (their limits: DOWNLOAD_SLOTS in crawler/settings.py, docs/backfill.md)
SLOT_WAYBACK_CDX = "web.archive.org/cdx"
SLOT_WAYBACK = "web.archive.org"
SLOT_CC_INDEX = "index.commoncrawl.org"
SLOT_CC_DATA = "data.commoncrawl.org"
HOSTS = ("web.archive.org", "index.commoncrawl.org", "data.commoncrawl.org")
ENTRY = "webarchive_entry"  # request meta: the capture an archive listed the article with
PAGE_PRIORITY = -10  # the next index page waits until the current page's article requests are taken


def parse_sources(value: str | None) -> tuple[str, ...] | None:
    """``-a sources=site,wayback,commoncrawl`` as a tuple in that order; None when not given."""
    if value in (None, ""):
        return None
    names = [n.strip().lower() for n in str(value).split(",") if n.strip()]
    unknown = [n for n in names if n not in SOURCES]
    if unknown or not names:
        raise ValueError(f"-a sources={value!r}: expected a comma-separated list of {', '.join(SOURCES)}")
    return tuple(n for n in SOURCES if n in names)


def capture_time(timestamp: str) -> datetime | None:
    """A capture's ``yyyyMMddhhmmss`` timestamp (UTC; shorter forms padded) as a datetime."""
    digits = "".join(c for c in str(timestamp) if c.isdigit())
    if len(digits) < 4:
        return None
    digits = (digits + "0101000000"[len(digits) - 4:])[:14] if len(digits) < 14 else digits[:14]
    try:
        return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def capture_iso(timestamp: str) -> str | None:
    when = capture_time(timestamp)
    return when.isoformat(timespec="seconds") if when else None


def window_stamps(since: date, until: date, lag_days: int) -> tuple[str, str]:
    """``from``/``to`` for an index query: captures from ``since`` until ``lag_days`` after ``until``
    (an article is often captured days after it appeared)."""
    last = until + timedelta(days=max(0, lag_days))
    return since.strftime("%Y%m%d"), last.strftime("%Y%m%d") + "235959"


def archive_request(url: str, slot: str, callback: Any = None, **kwargs: Any) -> Request:
    """A request to an archive, in the archive's own download slot, at its own fixed pace."""
    meta = {"download_slot": slot, "autothrottle_dont_adjust_delay": True, **kwargs.pop("meta", {})}
    return Request(url, callback=callback, meta=meta, **kwargs)


def read_cursor(raw: str | None) -> dict[str, Any]:
    """An archive listing's JSON cursor (``discovery_resume``), or {} to start from the beginning."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
