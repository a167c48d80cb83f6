"""The hostile site (tests/sites/hostile/, see its README) served on 127.0.0.1.

``HostileSite`` is the fixture server with three additions: ``@@name@@`` placeholders in headers and
bodies are filled in from ``values`` (``mirror`` is always this server's own address); article pages
without a file of their own are made from ``_pages/article.html`` (the huge page gets ``huge_bytes``
of tiny paragraphs); ``/sitemap/deep/N.xml`` is a sitemap index listing ``/sitemap/deep/N+1.xml``,
forever; ``generated`` maps paths to (content type, bytes) produced by the test.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from tests.crawl import SITES
from tests.siteserver import SiteServer

ARTICLE = re.compile(r"^/2023/08/(?P<day>\d{2})/(?P<slug>[a-z-]+)-a(?P<id>\d+)$")
DEEP = re.compile(r"^/sitemap/deep/(?P<n>\d+)\.xml$")
HUGE = "/2023/08/09/huge-page-a909"


def filler(size: int) -> bytes:
    """``size`` bytes of one-word paragraphs."""
    out = bytearray()
    n = 0
    while len(out) < size:
        out += b"".join(b"<p>%d</p>" % i for i in range(n, n + 10_000))
        n += 10_000
    return bytes(out[:size].rsplit(b"<p>", 1)[0])


class HostileSite(SiteServer):
    def __init__(self, values: dict[str, str] | None = None, generated: dict[str, tuple[str, bytes]] | None = None,
                 huge_bytes: int = 0) -> None:
        super().__init__(SITES / "hostile")
        self.values = {"mirror": self.url, **(values or {})}
        self.generated = generated or {}
        self.huge = filler(huge_bytes) if huge_bytes else b""
        self.template = (self.root / "_pages" / "article.html").read_text("utf-8")

    def fill(self, text: str) -> str:
        for name, value in self.values.items():
            text = text.replace(f"@@{name}@@", value)
        return text

    def resolve(self, method: str, raw_path: str, request_body: bytes = b"") -> tuple[int, dict[str, str], bytes | None, float]:
        path = unquote(urlsplit(raw_path).path)
        if path in self.generated:
            super().resolve(method, raw_path, request_body)  # counted like any other request
            content_type, body = self.generated[path]
            return 200, {"Content-Type": content_type}, body, 0.0
        status, headers, body, delay = super().resolve(method, raw_path, request_body)
        headers = {name: self.fill(value) for name, value in headers.items()}
        deep = DEEP.match(path)
        article = ARTICLE.match(path)
        if deep:
            child = f"https://static.themoscowtimes.com/sitemap/deep/{int(deep['n']) + 1}.xml"
            body = ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                    f'sitemap/0.9"><sitemap><loc>{child}</loc></sitemap></sitemapindex>').encode()
            return 200, {"Content-Type": "application/xml"}, body, delay
        if body is None and article:
            title = article["slug"].replace("-", " ").capitalize()
            page = self.template.replace("@@title@@", title).replace("@@day@@", article["day"]).replace("@@path@@", path)
            body = page.encode().replace(b"@@filler@@", self.huge if path == HUGE else b"")
            return 200, {"Content-Type": "text/html; charset=utf-8"}, body, delay
        if body is not None and len(body) < 1_000_000:
            body = self.fill(body.decode("utf-8")).encode("utf-8")
        return status, headers, body, delay
