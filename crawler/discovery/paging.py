"""Paged discovery: a listing read newest first, one page at a time, only as far as the window needs.

Meduza's search pages, The Bell's GraphQL cursors, the children of a sitemap index and dated archive
pages are all read the same way:

* the listing starts where ``spider.discovery_resume(source)`` says (None: at the newest page);
* the next page is asked for only once the current one is handled, and with a priority below article
  requests (``NEXT_PAGE_PRIORITY``), so the scheduler drains one page's articles before the next page
  is read: discovery never holds a whole listing's requests in memory;
* each handled page is reported with ``spider.discovery_checkpoint(source, cursor)``;
* the listing stops when it ends, when a page reaches past the window (its oldest entry is before
  ``spider.since``: the listing is newest first), when a page lists nothing, or when ``-a limit`` is
  reached.

Stats: ``discovery/paging/pages`` (pages handled), ``discovery/paging/resumed`` (listings that started
from a cursor), ``discovery/paging/stop/<end|window|limit|empty|error|refused>`` (why each listing stopped).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawler.spiders.base import OutletSpider

logger = logging.getLogger(__name__)

NEXT_PAGE_PRIORITY = -10  # below article requests (0): the current page's articles go first


class Paging:
    """The progress of one paged listing (``source``) of one spider."""

    def __init__(self, spider: OutletSpider, source: str) -> None:
        self.spider = spider
        self.source = source
        self.stats = spider.crawler.stats

    def resume(self) -> str | None:
        """The cursor of the last page a previous run handled (the listing continues after it), or None."""
        cursor = self.spider.discovery_resume(self.source)
        if cursor is not None:
            self.stats.inc_value("discovery/paging/resumed")
            logger.info("%s: resuming after %s", self.source, cursor)
        return cursor

    def limit_reached(self) -> bool:
        spider = self.spider
        return spider.limit is not None and spider.requested >= spider.limit

    def handled(self, cursor: str, *, more: bool, listed: int = 1, oldest: date | None = None) -> bool:
        """Page ``cursor`` is handled (its article requests were yielded): report it, and say whether to
        read the next one. ``more``: the listing says there is a next page; ``listed``: how many entries
        the page held; ``oldest``: the date of its oldest entry, when the listing dates its entries."""
        self.stats.inc_value("discovery/paging/pages")
        self.spider.discovery_checkpoint(self.source, cursor)
        if not more:
            return self.stop("end", cursor)
        if listed == 0:
            return self.stop("empty", cursor)
        if oldest is not None and oldest < self.spider.since:
            return self.stop("window", cursor)
        if self.limit_reached():
            return self.stop("limit", cursor)
        return True

    def stop(self, reason: str, cursor: str | None = None) -> bool:
        self.stats.inc_value(f"discovery/paging/stop/{reason}")
        logger.info("%s: stopped at %s (%s)", self.source, cursor or "the start", {
            "end": "the listing ends", "window": f"past the window start {self.spider.since}",
            "limit": f"limit of {self.spider.limit} articles reached", "empty": "a page listed nothing",
            "error": "a page could not be read", "refused": "the server does not page this listing"}.get(reason, reason))
        return False
