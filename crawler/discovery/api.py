"""Discovery through an outlet's own JSON or GraphQL API: the common part.

An outlet record names its discovery class by dotted path (``Outlet.discovery``); the spider builds it
with itself and iterates ``start()``. A discovery class only finds articles: it hands each one back
through ``spider.entry_request(url, when, meta, fetch_url=...)``, which applies the date window, the
limit and the outlet's URL rules, and the page parser does the extraction. Requests go through the
same downloader as every other (robots.txt, MIRRORS, retries).

Stats: ``discovery/api/pages`` (API answers read), ``discovery/api/entries`` (articles listed),
``discovery/api/unreadable`` (an answer that is not the JSON expected), plus the spider's
``spider/http_error/<status>`` for failed API requests (logged as ``api``).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

if TYPE_CHECKING:
    from crawler.spiders.base import OutletSpider


class ApiDiscovery:
    """Subclasses implement ``start()`` (the first API requests) and their callbacks."""

    priority = 10  # like feeds: lists of articles before sitemaps

    def __init__(self, spider: OutletSpider) -> None:
        self.spider = spider
        self.outlet = spider.outlet
        self.stats = spider.crawler.stats
        self.logger = spider.logger

    async def start(self) -> AsyncIterator[Request]:
        for request in ():
            yield request

    def extra(self, key: str, default: Any = None) -> Any:
        return self.outlet.extra.get(key, default)

    def request(self, url: str, callback: Any, **kwargs: Any) -> Request:
        """A GET (or, with ``method``/``body``, any) request to the API, errors logged by the spider."""
        kwargs.setdefault("errback", self.on_error)
        kwargs.setdefault("priority", self.priority)
        meta = {"discovery": "api", **kwargs.pop("meta", {})}
        return Request(url, callback=callback, meta=meta, **kwargs)

    def read(self, response: Response) -> Any:
        """The JSON of an API answer, or None (counted and logged) when it is not JSON."""
        try:
            data = json.loads(response.text) if isinstance(response, TextResponse) else None
        except ValueError:
            data = None
        if data is None:
            self.stats.inc_value("discovery/api/unreadable")
            self.logger.error("Unreadable API answer %s (not JSON)", response.url)
            self.spider.note_source(response.request, "unreadable: not JSON")
        else:
            self.stats.inc_value("discovery/api/pages")
            self.spider.note_source(response.request)
        return data

    def entry(self, url: str, when: Any, meta: dict[str, Any], fetch_url: str | None = None) -> Request | None:
        self.stats.inc_value("discovery/api/entries")
        return self.spider.entry_request(url, None if when in (None, "") else str(when), meta, fetch_url=fetch_url)

    def on_error(self, failure: Failure) -> Iterator[Request]:
        self.spider.on_error(failure)
        yield from self.fallback()

    def fallback(self) -> Iterator[Request]:
        """Requests to make when the API itself fails (default: none)."""
        return iter(())
