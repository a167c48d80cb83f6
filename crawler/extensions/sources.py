"""Which discovery sources of a run answered: robots.txt, sitemaps, feeds, the outlet's API.

The spider (and the parse-error middleware, for a callback that raised) sends the signal
``source_checked(kind, url, error)`` once a source was read (``error`` None) or could not be (an HTTP
status, a download error, an unreadable document). This extension keeps, per URL, the last word
(a source read once counts as read), and:

* counts ``sources/ok/<kind>`` and ``sources/failed/<kind>``;
* at the end of the run, when sources were tried and none answered, sets ``sources/nothing_reached``
  (the run's outcome is then ``nothing_reached``, exit code 4: :mod:`crawler.outcome`); some failed
  sources are a partial failure: the run still delivers, and is recorded as ``partial`` in the crawl
  state (the next run covers its window again);
* gives the health report (which lists the failed sources) and the run manifest the lists
  (:meth:`summary`, :meth:`describe_failed`).

Robots.txt answering 404/410 counts as answered (the site has none: the outlet record's sitemaps are
used), and so does a dated listing page answering 404/410 (a day or page the archive does not have).
Reads: ``SOURCES_LIST_MAX`` (default 100): how many answered sources the manifest lists by URL (failed
ones are all listed).
"""

from __future__ import annotations

import weakref
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from crawler import outcome

source_checked = object()  # signal: kind, url, error (None: read)
KINDS = ("robots", "sitemap", "feed", "api", "listing")  # listing: dated archive pages


_BY_CRAWLER: weakref.WeakKeyDictionary[Crawler, SourceTracker] = weakref.WeakKeyDictionary()


class SourceTracker:

    def __init__(self, crawler: Crawler, list_max: int = 100) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.list_max = list_max
        self.ok: dict[str, str] = {}  # url -> kind
        self.failed: dict[str, tuple[str, str]] = {}  # url -> (kind, error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceTracker:
        tracker = cls(crawler, crawler.settings.getint("SOURCES_LIST_MAX", 100))
        crawler.signals.connect(tracker.source_checked, signal=source_checked)
        crawler.signals.connect(tracker.spider_closed, signal=signals.spider_closed)
        _BY_CRAWLER[crawler] = tracker
        return tracker

    @classmethod
    def of(cls, crawler: Crawler) -> SourceTracker | None:
        return _BY_CRAWLER.get(crawler)

    def source_checked(self, kind: str, url: str, error: str | None = None) -> None:
        if error is None:
            if url in self.ok:
                return
            self.ok[url] = kind
            self.stats.inc_value(f"sources/ok/{kind}")
            failed = self.failed.pop(url, None)
            if failed is not None:
                self.stats.inc_value(f"sources/failed/{failed[0]}", -1)
        elif url not in self.ok:
            if url not in self.failed:
                self.stats.inc_value(f"sources/failed/{kind}")
            self.failed[url] = (kind, error)

    def summary(self) -> dict[str, Any]:
        """``{"ok": [url, ...], "ok_count": n, "failed": [{"kind", "url", "error"}, ...]}``."""
        return {
            "ok": list(self.ok)[: self.list_max],
            "ok_count": len(self.ok),
            "failed": [{"kind": kind, "url": url, "error": error} for url, (kind, error) in self.failed.items()],
        }

    def describe_failed(self, limit: int = 5) -> str:
        shown = [f"{kind} {url} ({error})" for url, (kind, error) in list(self.failed.items())[:limit]]
        more = len(self.failed) - len(shown)
        return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")

    def spider_closed(self, spider: Any, reason: str) -> None:
        if outcome.nothing_reached(self.stats.get_stats()):
            self.stats.set_value("sources/nothing_reached", 1)
        outcome.settle(self.stats)
