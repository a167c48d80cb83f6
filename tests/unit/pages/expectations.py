"""Compare parsed or exported articles with a fixture site's ``_expected.json`` (its author's ground truth)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse, Request

from crawler.text import split_paragraphs
from tests.crawl import SITES
from tests.siteserver import Site

SCALARS = ("title", "subtitle", "lead", "authors", "section", "kind", "tags", "language", "paywalled",
           "foreign_agent_label")
INSTANTS = ("published_at", "modified_at")  # compared as points in time: feeds give UTC, pages local time


def fixture_response(site: str, url: str) -> HtmlResponse:
    """The fixture page of ``url`` as the site server would answer it, under its canonical URL."""
    parts = urlsplit(url)
    site_files = Site(SITES / site)
    for _ in range(3):  # paths that fail once (503, 429) answer on a retry, as for the crawler
        status, headers, body, _ = site_files.resolve("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        if status == 200:
            break
    assert body is not None and status == 200, f"{url}: fixture answers {status}"
    return HtmlResponse(url=url, body=body, headers=headers, request=Request(url))


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def mismatches(item: dict, want: dict) -> list[str]:
    """Human-readable differences between an item and its expectation (empty when they agree)."""
    problems = []
    for key in SCALARS:
        if key in want and item.get(key) != want[key]:
            problems.append(f"{key}: got {item.get(key)!r}, want {want[key]!r}")
    for key in INSTANTS:
        if key in want and _instant(item.get(key)) != _instant(want[key]):
            problems.append(f"{key}: got {item.get(key)!r}, want {want[key]!r}")
    if "body" in want and item.get("body") != want["body"]:
        problems.append(f"body: got {item.get('body')!r}, want {want['body']!r}")
    for kept in want.get("body_includes", []):
        if kept not in (item.get("body") or ""):
            problems.append(f"body lost a paragraph that must stay: {kept[:80]!r}")
    paragraphs = split_paragraphs(item.get("body") or "")
    if "body_paragraphs" in want and len(paragraphs) != want["body_paragraphs"]:
        problems.append(f"body_paragraphs: got {len(paragraphs)}, want {want['body_paragraphs']}: {paragraphs!r}")
    if want.get("body_first") and (not paragraphs or paragraphs[0] != want["body_first"]):
        problems.append(f"body_first: got {paragraphs[:1]!r}")
    if want.get("body_last") and (not paragraphs or paragraphs[-1] != want["body_last"]):
        problems.append(f"body_last: got {paragraphs[-1:]!r}")
    for gone in want.get("body_excludes", []):
        if gone in (item.get("body") or ""):
            problems.append(f"body contains excluded text {gone!r}")
    if "images" in want:
        got = [{k: i.get(k) for k in ("url", "caption", "credit")} for i in item.get("images", [])]
        wanted = [{k: i.get(k) for k in ("url", "caption", "credit")} for i in want["images"]]
        if got != wanted:
            problems.append(f"images: got {got!r}, want {wanted!r}")
    return problems
