"""Honour ``Retry-After`` on 429 and 503 before RetryMiddleware retries the request.

Reads ``RETRY_AFTER_MAX_SECONDS``: a longer wait is not made, and the request is not retried either
(``dont_retry``: retrying at once would only ask the site again what it asked us not to ask); the
response goes on as an HTTP error. The wait does not block the reactor. A 429 or 503 from a fixed-pace
download slot (a web archive's: ``meta["download_slot"]`` with ``autothrottle_dont_adjust_delay``, limits in
``DOWNLOAD_SLOTS``) also doubles that slot's delay for the rest of the run (at least 1 s, at most
``RETRY_AFTER_MAX_SECONDS``): the archives block clients that keep going at the pace that got a 429.
Stats: ``retry_after/waited``, ``retry_after/seconds``, ``retry_after/too_long``, ``retry_after/slot_slowed``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.defer import deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

logger = logging.getLogger(__name__)


def retry_after_seconds(value: str, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or an HTTP date); None if unreadable."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


class RetryAfterMiddleware:
    def __init__(self, max_seconds: float, stats: Any = None, crawler: Crawler | None = None) -> None:
        self.max_seconds = max_seconds
        self.stats = stats
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler.settings.getfloat("RETRY_AFTER_MAX_SECONDS", 300), crawler.stats, crawler)

    async def process_response(self, request: Request, response: Response) -> Response:
        if response.status in (429, 503):
            self.slow_down(request, response.status)
        header = response.headers.get("Retry-After")
        if response.status not in (429, 503) or not header:
            return response
        delay = retry_after_seconds(header.decode("latin-1"), datetime.now(timezone.utc))
        if delay is None:
            return response
        url = request.meta.get("mirror", {}).get("canonical", request.url)
        if delay > self.max_seconds:
            self.stats.inc_value("retry_after/too_long")
            request.meta["dont_retry"] = True  # RetryMiddleware (550) sees this request next
            logger.warning("HTTP %s for %s asks to wait %.0fs (> RETRY_AFTER_MAX_SECONDS=%.0f): not retried",
                           response.status, url, delay, self.max_seconds)
            return response
        self.stats.inc_value("retry_after/waited")
        self.stats.inc_value("retry_after/seconds", int(delay))
        logger.info("HTTP %s for %s: waiting %.1fs as Retry-After asks", response.status, url, delay)
        await deferred_to_future(deferLater(reactor, delay, lambda: None))
        return response

    def slow_down(self, request: Request, status: int) -> None:
        """Double the delay of the request's fixed-pace download slot (a web archive's)."""
        key = request.meta.get("download_slot")
        if not key or not request.meta.get("autothrottle_dont_adjust_delay") or self.crawler is None:
            return
        try:
            engine = self.crawler.engine
        except RuntimeError:  # no crawl running (a component tested on its own)
            return
        slot = engine.downloader.slots.get(key) if engine is not None else None
        if slot is None:
            return
        slot.delay = min(self.max_seconds, max(1.0, slot.delay * 2))
        self.stats.inc_value("retry_after/slot_slowed")
        logger.warning("%s answered HTTP %s: one request every %.1fs from now on", key, status, slot.delay)
