"""The render fixture site (tests/sites/render/) with its cookie gate, and a crawl of it through MIRRORS.

``SiteServer`` cannot make a response depend on a cookie, which a challenge page needs: the gate in
``_gates.json`` (path -> cookie, status, file) answers the challenge file with its status until the
request carries the cookie, then serves the page. Used by tests/integration/test_render.py and
benchmarks/render_memory.py.
"""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests.crawl import SITES, CrawlResult, run_crawl
from tests.siteserver import SiteServer

SITE = SITES / "render"
HOST = "www.rendertest.invalid"
TEST_OUTLETS_ENV = "RUSPRESS_TEST_OUTLETS"  # registers the test outlet `rendertest` (crawler/outlets/rendertest.py)


class GatedSiteServer(SiteServer):
    def __init__(self, root: str | Path = SITE, port: int = 0) -> None:
        super().__init__(root, port)
        gates = self.root / "_gates.json"
        self.gates: dict[str, dict] = json.loads(gates.read_text("utf-8")) if gates.exists() else {}
        self.local = threading.local()
        self.challenged: list[str] = []  # paths answered with their challenge

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        base = super()._handler()
        server = self

        class Handler(base):  # type: ignore[valid-type, misc]
            def _serve(self, method: str) -> None:
                server.local.cookie = self.headers.get("Cookie", "")
                super()._serve(method)

        return Handler

    def resolve(self, method: str, raw_path: str, request_body: bytes = b"") -> tuple[int, dict[str, str], bytes | None, float]:
        path = unquote(urlsplit(raw_path).path)
        gate = self.gates.get(path)
        cookies = [c.strip() for c in getattr(self.local, "cookie", "").split(";")]
        if gate and gate["cookie"] not in cookies:
            with self.lock:
                self.challenged.append(path)
            body = (self.root / gate["file"]).read_bytes()
            return int(gate["status"]), {"Content-Type": "text/html; charset=utf-8",
                                         "Cache-Control": "no-store"}, body, 0.0
        return super().resolve(method, raw_path, request_body)


def crawl_render_site(server: SiteServer, out: Path, *args: str, settings: dict | None = None,
                      timeout: float = 240) -> CrawlResult:
    """``scrapy crawl rendertest`` through MIRRORS against ``server`` (all its articles are in 2025)."""
    before = os.environ.get(TEST_OUTLETS_ENV)
    os.environ[TEST_OUTLETS_ENV] = "1"  # for the crawl's subprocess only; restored at once
    try:
        return run_crawl("rendertest", server.url, out, "-a", "since=2025-01-01", *args,
                         mirrors={HOST: server.url}, settings=settings, timeout=timeout)
    finally:
        if before is None:
            del os.environ[TEST_OUTLETS_ENV]
        else:
            os.environ[TEST_OUTLETS_ENV] = before
