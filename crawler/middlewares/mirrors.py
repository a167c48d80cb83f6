"""Download a host's pages from a mirror while the crawl keeps the outlet's canonical URLs.

Reads the ``MIRRORS`` setting: a dict (or a JSON object on the command line) host -> base URL, e.g.
``{"www.themoscowtimes.com": "http://127.0.0.1:8765"}``. A request for a mirrored host is re-issued
to ``<base><path>?<query>``; its response is handed back under the canonical URL, so spiders,
parsers, items and logs of articles see the outlet's address. Robots rules are checked on the
canonical URL (this middleware runs after ``RobotsTxtMiddleware``), and the outlet's robots.txt is
itself fetched through the mirror.

A redirect or meta refresh answered by a mirror (a relative ``Location``, the mirror's own address, or
an absolute URL on the outlet's canonical host) is turned back into the outlet's URL and goes through
the whole chain again: the scope (crawler/middlewares/scope.py), robots.txt, then this middleware,
which sends it to the mirror once more. A redirect never reaches the mirrored (blocked) host directly.
Stats: ``mirrors/requests``, ``mirrors/redirects``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

META = "mirror"  # {"canonical": url, "base": mirror base, "url": the mirror's URL, "restore": {...}, "dont_filter"}
ADDED_META = ("allow_offsite", "dont_obey_robotstxt")  # set on the mirror's request only


def on_mirror(url: str, base: str) -> bool:
    return url == base or url.startswith((base + "/", base + "?"))


def canonical_of(request: Request) -> str:
    """The outlet's URL of a request: its own URL, the canonical URL of a mirror's request, or, for a
    request made from a mirror's answer (a redirect, a meta refresh), the same path on the canonical
    host when it points at the mirror."""
    info = request.meta.get(META)
    if not info:
        return request.url
    if request.url == info.get("url"):
        return info["canonical"]
    if on_mirror(request.url, info["base"]):
        canonical = urlsplit(info["canonical"])
        return f"{canonical.scheme}://{canonical.netloc}{request.url[len(info['base']):] or '/'}"
    return request.url


def is_derived(request: Request) -> bool:
    """A request made from a mirror's answer (it carries the mirror's meta but not its URL)."""
    info = request.meta.get(META)
    return bool(info) and request.url != info.get("url")


def unmirrored(request: Request) -> Request:
    """A request derived from a mirror's answer, at the outlet's URL and without the mirror's meta, so
    that it is judged (scope, robots.txt) and mirrored again as a new request to the outlet."""
    info = request.meta[META]
    meta = {k: v for k, v in request.meta.items() if k != META and k not in ADDED_META}
    meta.update(info.get("restore", {}))
    return request.replace(url=canonical_of(request), meta=meta,
                           dont_filter=info.get("dont_filter", request.dont_filter))


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
            if not is_derived(request):
                return None  # already the mirror's request (or a retry of it)
            if self.stats:
                self.stats.inc_value("mirrors/redirects")
            return unmirrored(request)  # a redirect from the mirror: the outlet's URL, judged again
        parts = urlsplit(request.url)
        base = self.mirrors.get((parts.hostname or "").lower())
        if not base:
            return None
        target = base + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if self.stats:
            self.stats.inc_value("mirrors/requests")
        mirrored = request.replace(
            url=target,
            dont_filter=True,
            meta={**request.meta, META: {"canonical": request.url, "base": base,
                                         "restore": {k: request.meta[k] for k in ADDED_META if k in request.meta},
                                         "dont_filter": request.dont_filter},
                  "allow_offsite": True, "dont_obey_robotstxt": True},
        )
        mirrored.meta[META]["url"] = mirrored.url  # as Request normalised it
        return mirrored

    def process_response(self, request: Request, response: Response) -> Response:
        info = request.meta.get(META)
        if not info or not on_mirror(response.url, info["base"]):
            return response
        canonical = urlsplit(info["canonical"])
        rest = response.url[len(info["base"]):] or "/"
        return response.replace(url=f"{canonical.scheme}://{canonical.netloc}{rest}")
