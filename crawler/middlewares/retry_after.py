"""Honour ``Retry-After`` on 429 and 503 before RetryMiddleware retries the request.

Reads ``RETRY_AFTER_MAX_SECONDS``: a longer wait is not made, and the request is not retried either
(``dont_retry``: retrying at once would only ask the site again what it asked us not to ask); the
response goes on as an HTTP error. The wait does not block the reactor. Stats: ``retry_after/waited``,
``retry_after/seconds``, ``retry_after/too_long``.
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
    def __init__(self, max_seconds: float, stats: Any = None) -> None:
        self.max_seconds = max_seconds
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler.settings.getfloat("RETRY_AFTER_MAX_SECONDS", 300), crawler.stats)

    async def process_response(self, request: Request, response: Response) -> Response:
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
