"""Cut a page too large to parse to a budget before the parser sees it.

A page of tens of megabytes (or of millions of tiny elements) would take gigabytes and block the crawl
while it is parsed, cleaned and de-duplicated. This downloader middleware cuts the HTML of a page (any
``HtmlResponse`` except discovery documents) to ``PARSE_MAX_BYTES`` bytes and ``PARSE_MAX_NODES``
elements (opening tags), at a tag boundary; HTML parsers close what the cut leaves open, so the head
(metadata, JSON-LD) and the beginning of the body are read as usual and the article is still exported
when what is left is readable. Either setting at 0 turns that budget off. Its ``process_response`` runs
right after decompression (``PRIORITY_PAGE_BUDGET``), before the meta-refresh, rendering and retry
middlewares read the page, and on saved pages (``scrapy article --html``) too.

Stats: ``parse/truncated/bytes``, ``parse/truncated/nodes``; one log line per page cut.
"""

from __future__ import annotations

import itertools
import logging
import re
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response

logger = logging.getLogger(__name__)

OPENING_TAG = re.compile(rb"<[A-Za-z]")


def cut(body: bytes, max_bytes: int, max_nodes: int) -> tuple[bytes, str | None]:
    """``body`` within the budget, and which budget cut it (``bytes``, ``nodes``) or None."""
    reason = None
    if max_bytes and len(body) > max_bytes:
        end = body.rfind(b"<", 0, max_bytes + 1)  # before a tag, not inside one
        body = body[:end if end > 0 else max_bytes]
        reason = "bytes"
    if max_nodes and body.count(b"<") > max_nodes:  # a cheap upper bound on the number of elements
        beyond = next(itertools.islice(OPENING_TAG.finditer(body), max_nodes, None), None)
        if beyond is not None:
            body = body[:beyond.start()]
            reason = "nodes"
    return body, reason


class PageBudgetMiddleware:
    def __init__(self, max_bytes: int, max_nodes: int, stats: Any) -> None:
        self.max_bytes = max_bytes
        self.max_nodes = max_nodes
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageBudgetMiddleware:
        settings = crawler.settings
        max_bytes, max_nodes = settings.getint("PARSE_MAX_BYTES"), settings.getint("PARSE_MAX_NODES")
        if max_bytes <= 0 and max_nodes <= 0:
            raise NotConfigured("PARSE_MAX_BYTES and PARSE_MAX_NODES are 0: pages are parsed whole")
        return cls(max(0, max_bytes), max(0, max_nodes), crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, HtmlResponse) or request.meta.get("discovery"):
            return response
        body, reason = cut(response.body, self.max_bytes, self.max_nodes)
        if reason is None:
            return response
        self.stats.inc_value(f"parse/truncated/{reason}")
        limit = f"PARSE_MAX_BYTES={self.max_bytes}" if reason == "bytes" else f"PARSE_MAX_NODES={self.max_nodes}"
        logger.warning("Page too large to parse whole (%d bytes): cut to %d bytes (%s): %s",
                       len(response.body), len(body), limit,
                       request.meta.get("mirror", {}).get("canonical", request.url))
        return response.replace(body=body, encoding=response.encoding)
