"""Saved pages as regression fixtures: a real page's HTML and the item the parsers make of it.

``scrapy fixture`` writes ``<dir>/<outlet>/<name>.html`` and ``<name>.json``; the test suite
(``tests/unit/pages/test_saved_pages.py``) parses every saved page again with :func:`parse_saved` and
compares the result with the JSON's ``expected`` fields, which a person reviews (and corrects, when the
parser got something wrong: the test then fails until the outlet record is fixed). The JSON::

    {"outlet": "moscowtimes", "url": "https://...", "content_type": "text/html; charset=utf-8",
     "fetched_at": "2024-05-01T12:00:03+00:00",
     "source": {"from": "archive", "archive": "<run>.wacz", "record": "<urn:uuid:...>", "saved_at": "..."},
     "reviewed": false, "note": "...", "expected": {"title": ..., "body": ..., ...}}

The page is parsed alone (no feed item, no API record): what its markup gives.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy.http import HtmlResponse, Request
from scrapy.utils.misc import load_object

from crawler import outlets
from crawler.pipelines.clean import CleanPipeline

# what a saved page's expectation holds: the parsed fields (not the run's: fetched_at, version, story_id...)
FIELDS = ("url", "outlet", "language", "title", "subtitle", "lead", "authors", "published_at", "modified_at",
          "section", "kind", "tags", "body", "images", "word_count", "paywalled", "foreign_agent_label",
          "foreign_agent_text", "native_id", "extraction")


def parse_saved(outlet_key: str, url: str, html: bytes, fetched_at: datetime,
                content_type: str = "text/html; charset=utf-8") -> dict[str, Any]:
    """The item the outlet's parser and the clean pipeline make of a saved page."""
    outlet = outlets.get(outlet_key)
    response = HtmlResponse(url=url, body=html, headers={"Content-Type": content_type}, request=Request(url))
    item = load_object(outlet.parser)(response, outlet, fetched_at).to_article()
    CleanPipeline(_Counts()).process_item(item)
    return ItemAdapter(item).asdict()


class _Counts(dict[str, int]):
    """Stats for a pipeline run outside a crawl."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self[key] = self.get(key, start) + count


def expectation(item: dict[str, Any]) -> dict[str, Any]:
    return {name: item.get(name) for name in FIELDS}


def differences(item: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """Each expected field the item does not match, as ``field: got ..., want ...``."""
    return [f"{name}: got {item.get(name)!r}, want {want!r}" for name, want in expected.items()
            if item.get(name) != want]


def fixture_name(url: str) -> str:
    """A file name for the page: its URL path's last segment (or the path), safe on every system."""
    path = urlsplit(url).path.strip("/")
    last = path.rsplit("/", 1)[-1] if path else urlsplit(url).hostname or "page"
    last = re.sub(r"\.(html?|php|aspx?)$", "", last)
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", last).strip("-.") or "page"
    return name[:80]
