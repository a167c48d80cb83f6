"""Meduza's search API: ``GET /api/w5/search?chrono=<news|articles>&page=N&per_page=24&locale=<ru|en>``
answers ``{collection: [path…], documents: {path: {url, title, datetime, published_at, pub_date, layout,
tag…}}, has_next}``, newest first (``baradusov/meduza-lite@20d2420:lib/api.js``, 2021; newsbot Scrapy
spider, 2019–2025). Pages are followed while ``has_next`` holds and the page still reaches into the
window (at most ``extra["api_max_pages"]`` per chrono).

Outlet data read: ``extra["api_search"]`` (URL template with ``{chrono}``, ``{page}``, ``{locale}``),
``extra["api_chronos"]``, ``extra["api_locale"]``, ``extra["api_max_pages"]``, ``extra["api_article_base"]``
(the documents' ``url`` is a path relative to it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from urllib.parse import urljoin

from scrapy.http import Request, Response

from crawler import dates
from crawler.discovery.api import ApiDiscovery


class MeduzaSearch(ApiDiscovery):
    async def start(self) -> AsyncIterator[Request]:
        for chrono in self.extra("api_chronos", ("news",)):
            yield self.search(chrono, 0)

    def search(self, chrono: str, page: int) -> Request:
        url = self.extra("api_search").format(chrono=chrono, page=page, locale=self.extra("api_locale", "ru"))
        return self.request(url, self.parse_search, cb_kwargs={"chrono": chrono, "page": page})

    def parse_search(self, response: Response, chrono: str, page: int) -> Iterator[Request]:
        data = self.read(response)
        if not isinstance(data, dict):
            return
        documents = data.get("documents") or {}
        oldest: date | None = None
        for key in data.get("collection") or list(documents):
            doc = documents.get(key) or {}
            when = doc.get("published_at") or doc.get("datetime") or doc.get("pub_date")
            day = dates.parse_datetime(when, self.outlet.timezone) if when else None
            if day and (oldest is None or day.date() < oldest):
                oldest = day.date()
            request = self.entry(urljoin(self.extra("api_article_base"), doc.get("url") or key), when,
                                 meta={"api_entry": doc})
            if request:
                yield request
        more = data.get("has_next") and page + 1 < int(self.extra("api_max_pages", 20))
        if more and (oldest is None or oldest >= self.spider.since):
            yield self.search(chrono, page + 1)
