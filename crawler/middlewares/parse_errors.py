"""A page whose parsing raised costs that page, never the crawl, and never silently.

Spider middleware: any exception raised by a spider callback (an article parser, a sitemap or feed
reader, an API reader) is caught here, counted ``spider/parse_error/<ExceptionType>``, logged once as
an ERROR line with the page's URL and where it was raised (the traceback goes to the DEBUG log), and
the crawl goes on with the other pages. A discovery page (robots.txt, sitemap, feed, API) that raised
also counts as a failed source (crawler/extensions/sources.py). HTTP errors are not parse errors
(Scrapy's HttpErrorMiddleware and the spider's errbacks handle them).
Disabled with ``PARSE_ERRORS_ENABLED = False`` (Scrapy then logs "Spider error processing" with the
traceback and counts ``spider_exceptions/<type>``).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.extensions import sources

logger = logging.getLogger(__name__)


class ParseErrorMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParseErrorMiddleware:
        if not crawler.settings.getbool("PARSE_ERRORS_ENABLED", True):
            raise NotConfigured("PARSE_ERRORS_ENABLED is off")
        return cls(crawler)

    def process_spider_exception(self, response: Response, exception: Exception) -> Iterable[Any] | None:
        if isinstance(exception, HttpError):
            return None
        name = type(exception).__name__
        request = response.request
        meta = request.meta if request is not None else {}
        url = meta.get("canonical_url") or meta.get("mirror", {}).get("canonical") or response.url
        self.stats.inc_value(f"spider/parse_error/{name}")
        frames = traceback.extract_tb(exception.__traceback__)
        where = f" at {_short(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
        logger.error("Parse error %s: %s%s; page skipped, the crawl goes on <%s>", name,
                     str(exception)[:200], where, url)
        logger.debug("Parse error traceback for %s", url, exc_info=exception)
        kind = meta.get("discovery")
        if kind in sources.KINDS:
            self.crawler.signals.send_catch_log(sources.source_checked, kind=kind, url=url, error=f"parse error: {name}")
        return []


def _short(path: str) -> str:
    """``crawler/pages/tree.py`` rather than the full path of the checkout or virtualenv."""
    for marker in ("/crawler/", "/site-packages/"):
        if marker in path:
            return path.split(marker, 1)[1] if marker == "/site-packages/" else "crawler/" + path.split(marker, 1)[1]
    return path
