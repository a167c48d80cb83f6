"""Refuse every request outside the outlet's scope (crawler/scope.py), before anything is downloaded.

A downloader middleware, first in the chain (``PRIORITY_SCOPE``, where Scrapy's own
``OffsiteMiddleware`` sits, which it replaces): it runs before robots.txt is fetched for a new host and
before ``MIRRORS`` rewrites a request. It judges the request's canonical URL: the URL itself, or for a
mirror's request the outlet's URL it stands for, and for a redirect or a meta refresh answered by a
mirror the outlet's URL it points to (crawler/middlewares/mirrors.py). So redirects (``Location``,
relative or absolute) and ``<meta http-equiv="refresh">`` are followed only inside the scope, and
``file://``, ``ftp://``, ``data:`` URLs named by robots.txt, a sitemap or a feed are never opened.

Reads ``SCOPE_EXTRA_HOSTS`` (a list of host names every outlet may also request) and the spider's
``outlet``; a spider without an outlet record is not filtered. A refused request raises
``IgnoreRequest`` (its errback sees it), is counted ``spider/offsite/<reason>`` and logged in one line:
``scheme`` (not http/https), ``host`` (a host outside the scope), ``redirect`` (a 3xx to outside the
scope) or ``refresh`` (a meta refresh to outside the scope).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from crawler.middlewares.mirrors import canonical_of
from crawler.scope import Scope

logger = logging.getLogger(__name__)


class ScopeMiddleware:
    def __init__(self, extra_hosts: list[str], stats: Any) -> None:
        self.extra_hosts = extra_hosts
        self.stats = stats
        self.scope: Scope | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScopeMiddleware:
        middleware = cls(crawler.settings.getlist("SCOPE_EXTRA_HOSTS"), crawler.stats)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Any) -> None:
        outlet = getattr(spider, "outlet", None)
        self.scope = Scope.of(outlet, self.extra_hosts) if outlet is not None else None

    def process_request(self, request: Request) -> None:
        if self.scope is None:
            return None
        url = canonical_of(request)
        reason = self.scope.refusal(url)
        if reason is None:
            return None
        reasons = request.meta.get("redirect_reasons") or ()
        if reasons and reason == "host":
            reason = "refresh" if reasons[-1] == "meta refresh" else "redirect"
        self.stats.inc_value(f"spider/offsite/{reason}")
        source = request.meta.get("redirect_urls") or ()
        origin = f" (from {source[-1]})" if source else ""
        logger.warning("Refused a request outside the outlet's scope (%s): %s%s", reason, url[:300], origin)
        raise IgnoreRequest(f"outside the outlet's scope ({reason}): {url[:300]}")
