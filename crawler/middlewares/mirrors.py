"""Download a host's pages from a mirror while the crawl keeps the outlet's canonical URLs.

Reads the ``MIRRORS`` setting: a dict (or a JSON object on the command line) host -> base URL, e.g.
``{"www.themoscowtimes.com": "http://127.0.0.1:8765"}``. A request for a mirrored host is re-issued
to ``<base><path>?<query>``; its response is handed back under the canonical URL, so spiders,
parsers, items and logs of articles see the outlet's address. Robots rules are checked on the
canonical URL (this middleware runs after ``RobotsTxtMiddleware``), and the outlet's robots.txt is
itself fetched through the mirror. Stats: ``mirrors/requests``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

META = "mirror"  # {"canonical": url, "base": mirror base}


class MirrorMiddleware:
    def __init__(self, mirrors: dict[str, str], stats: Any = None) -> None:
        self.mirrors = {host.lower(): base.rstrip("/") for host, base in mirrors.items()}
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MirrorMiddleware:
        raw = crawler.settings.get("MIRRORS") or {}
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError as exc:
                raise ValueError(f"MIRRORS must be a JSON object host -> base URL: {exc}") from None
        if not isinstance(raw, dict):
            raise ValueError("MIRRORS must be a JSON object host -> base URL")
        if not raw:
            raise NotConfigured  # off by default: no log line
        return cls(raw, crawler.stats)

    def process_request(self, request: Request) -> Request | None:
        if META in request.meta:
            return None  # already the mirror's request
        parts = urlsplit(request.url)
        base = self.mirrors.get((parts.hostname or "").lower())
        if not base:
            return None
        target = base + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if self.stats:
            self.stats.inc_value("mirrors/requests")
        return request.replace(
            url=target,
            dont_filter=True,
            meta={**request.meta, META: {"canonical": request.url, "base": base},
                  "allow_offsite": True, "dont_obey_robotstxt": True},
        )

    def process_response(self, request: Request, response: Response) -> Response:
        info = request.meta.get(META)
        if not info or not response.url.startswith(info["base"]):
            return response
        canonical = urlsplit(info["canonical"])
        rest = response.url[len(info["base"]):] or "/"
        return response.replace(url=f"{canonical.scheme}://{canonical.netloc}{rest}")
