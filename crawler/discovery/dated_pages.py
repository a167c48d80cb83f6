"""Dated archive pages: an HTML listing of one day's articles, paged, walked from the window's last day
back to its first (TV Rain's ``/archive/?search_year=…&search_month=…&search_day=…&page=N``).

The walk is one paged listing (crawler/discovery/paging.py): source ``dated:<URL template>``, cursor
``YYYY-MM-DD:<page>`` (the day and page handled; a resumed walk continues with the next page of that
day). Only the window's days are asked for, newest first, one page at a time. A day's next page is read
while a page brings article links not seen on that day yet (and, when ``page_size`` is known, while
pages are full); then the walk goes on to the previous day. Each article is listed with its day as its
date, so the window and the crawl state judge it like a sitemap entry.

Outlet data read, ``extra["dated_listing"]``: ``url`` (a ``str.format`` template with ``{year}``,
``{month}``, ``{day}``, ``{page}``; ``{month:02d}`` works), ``links`` (CSS selector of the article links'
``href``), ``first_page`` (default 1), ``page_size`` (optional). Stats: those of paging, plus
``discovery/dated/links`` (article links read from the pages).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any

from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from crawler.discovery.api import ApiDiscovery
from crawler.discovery.paging import NEXT_PAGE_PRIORITY, Paging

MAX_FAILED_DAYS = 3  # days in a row whose page failed: the walk stops


class DatedListing(ApiDiscovery):
    async def start(self) -> AsyncIterator[Request]:
        self.spec: dict[str, Any] = self.extra("dated_listing")
        self.first_page = int(self.spec.get("first_page", 1))
        self.failed_days = 0
        self.paging = Paging(self.spider, f"dated:{self.spec['url']}")
        day, page = self.spider.until, self.first_page
        resumed = self.paging.resume()
        if resumed:
            try:
                when, number = resumed.rsplit(":", 1)
                day, page = date.fromisoformat(when), int(number) + 1
            except ValueError:
                self.logger.warning("Dated listing: ignoring the unreadable resume cursor %r", resumed)
        if day < self.spider.since:
            self.paging.stop("window", resumed)
            return
        yield self.page(day, page, seen=())

    def page(self, day: date, page: int, seen: tuple[str, ...], **kwargs: Any) -> Request:
        url = self.spec["url"].format(year=day.year, month=day.month, day=day.day, page=page)
        return self.request(url, self.parse_page, errback=self.on_page_error,
                            cb_kwargs={"day": day, "page": page, "seen": seen}, meta={"discovery": "listing"},
                            **kwargs)

    def parse_page(self, response: Response, day: date, page: int, seen: tuple[str, ...]) -> Iterator[Request]:
        self.failed_days = 0
        self.spider.note_source(response.request)
        hrefs = response.css(self.spec["links"]).getall() if isinstance(response, TextResponse) else []
        self.stats.inc_value("discovery/dated/links", len(hrefs))
        links = list(dict.fromkeys(self.spider.canonical(response.urljoin(h.strip())) for h in hrefs if h.strip()))
        new = [url for url in links if url not in seen]
        for url in new:
            request = self.entry(url, day.isoformat(), meta={"listing_entry": {"url": url, "day": day.isoformat()}})
            if request:
                yield request
        size = self.spec.get("page_size")
        if new and (size is None or len(links) >= int(size)):
            following: tuple[date, int, tuple[str, ...]] | None = (day, page + 1, seen + tuple(new))
        else:
            following = (day - timedelta(days=1), self.first_page, ()) if day > self.spider.since else None
        yield from self.go_on(f"{day.isoformat()}:{page}", following)

    def go_on(self, cursor: str, following: tuple[date, int, tuple[str, ...]] | None) -> Iterator[Request]:
        if self.paging.handled(cursor, more=following is not None):
            yield self.page(*following, priority=NEXT_PAGE_PRIORITY)  # type: ignore[misc]

    def on_page_error(self, failure: Failure) -> Iterator[Request]:
        """A page that failed ends its day (counted by the spider); the walk goes on with the day before,
        unless ``MAX_FAILED_DAYS`` days in a row failed (the listing is gone or refused: stop/error)."""
        self.spider.on_error(failure)
        kwargs = failure.request.cb_kwargs  # type: ignore[attr-defined]
        day: date = kwargs["day"]
        self.failed_days += 1
        if self.failed_days >= MAX_FAILED_DAYS:
            self.paging.stop("error", f"{day.isoformat()}:{kwargs['page']}")
            return
        following = (day - timedelta(days=1), self.first_page, ()) if day > self.spider.since else None
        yield from self.go_on(f"{day.isoformat()}:{kwargs['page']}", following)
