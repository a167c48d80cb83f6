"""Meduza's search API: ``GET /api/w5/search?chrono=<news|articles>&page=N&per_page=24&locale=<ru|en>``
answers ``{collection: [path…], documents: {path: {url, title, datetime, published_at, pub_date, layout,
tag…}}, has_next}``, newest first (``baradusov/meduza-lite@20d2420:lib/api.js``, 2021; newsbot Scrapy
spider, 2019–2025). Each chrono is a paged listing (crawler/discovery/paging.py, source
``search:<chrono>``, cursor = the page number handled): pages are followed while ``has_next`` holds,
one at a time, back to the window's start, with no fixed page cap.

Outlet data read: ``extra["api_search"]`` (URL template with ``{chrono}``, ``{page}``, ``{locale}``),
``extra["api_chronos"]``, ``extra["api_locale"]``, ``extra["api_article_base"]`` (the documents' ``url``
is a path relative to it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from urllib.parse import urljoin

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler import dates
from crawler.discovery.api import ApiDiscovery
from crawler.discovery.paging import NEXT_PAGE_PRIORITY, Paging


class MeduzaSearch(ApiDiscovery):
    async def start(self) -> AsyncIterator[Request]:
        for chrono in self.extra("api_chronos", ("news",)):
            paging = Paging(self.spider, f"search:{chrono}")
            cursor = paging.resume()
            page = int(cursor) + 1 if cursor and cursor.isdigit() else 0
            yield self.search(paging, chrono, page)

    def search(self, paging: Paging, chrono: str, page: int, **kwargs: object) -> Request:
        url = self.extra("api_search").format(chrono=chrono, page=page, locale=self.extra("api_locale", "ru"))
        return self.request(url, self.parse_search, cb_kwargs={"paging": paging, "chrono": chrono, "page": page},
                            errback=self.on_page_error, **kwargs)

    def parse_search(self, response: Response, paging: Paging, chrono: str, page: int) -> Iterator[Request]:
        data = self.read(response)
        if not isinstance(data, dict):
            paging.stop("error", str(page))
            return
        documents = data.get("documents") or {}
        oldest: date | None = None
        keys = data.get("collection") or list(documents)
        for key in keys:
            doc = documents.get(key) or {}
            when = doc.get("published_at") or doc.get("datetime") or doc.get("pub_date")
            day = dates.parse_datetime(when, self.outlet.timezone) if when else None
            if day and (oldest is None or day.date() < oldest):
                oldest = day.date()
            request = self.entry(urljoin(self.extra("api_article_base"), doc.get("url") or key), when,
                                 meta={"api_entry": doc})
            if request:
                yield request
        if paging.handled(str(page), more=bool(data.get("has_next")), listed=len(keys), oldest=oldest):
            yield self.search(paging, chrono, page + 1, priority=NEXT_PAGE_PRIORITY)

    def on_page_error(self, failure: Failure) -> Iterator[Request]:
        self.spider.on_error(failure)
        kwargs = failure.request.cb_kwargs  # type: ignore[attr-defined]
        kwargs["paging"].stop("error", str(kwargs["page"]))
        return iter(())
