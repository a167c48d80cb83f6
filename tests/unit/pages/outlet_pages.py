"""Parse a fixture site's article the way a crawl would: with the feed item that leads to it (when the
outlet's feeds list it), through the outlet's parser and the clean pipeline."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import cache
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy.http import Request
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from crawler import outlets
from crawler.discovery.feeds import parse_feed
from crawler.pipelines.clean import CleanPipeline, remove_boilerplate
from crawler.rules import shared_rules
from crawler.urls import canonical_url
from tests.unit.pages.expectations import fixture_response

FETCHED = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


@cache
def feed_entries(site: str) -> dict[str, dict]:
    """Canonical URL -> feed item, from every feed of the outlet that the fixture site serves."""
    found: dict[str, dict] = {}
    for feed in outlets.get(site).feeds:
        try:
            response = fixture_response(site, feed)
        except AssertionError:
            continue  # a feed the fixture does not have
        for entry in parse_feed(response.body):
            found.setdefault(canonical_url(entry.link), entry.__dict__)
    return found


def page_for(site: str, url: str, with_feed: bool = True):  # -> ArticlePage
    outlet = outlets.get(site)
    entry = feed_entries(site).get(url) if with_feed else None
    response = fixture_response(site, url)
    response = response.replace(request=Request(url, meta={"feed_entry": entry} if entry else {}))
    return load_object(outlet.parser)(response, outlet, FETCHED)


def parse(site: str, url: str, with_feed: bool = True) -> dict:
    """The item as the pipelines leave it (clean; validation is the integration tests' job)."""
    item = page_for(site, url, with_feed).to_article()
    CleanPipeline(MemoryStatsCollector(get_crawler())).process_item(item)
    return ItemAdapter(item).asdict()


def cleaned(site: str, paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """(kept, names of the rules that fired) for ``paragraphs`` under the outlet's + shared text rules."""
    kept, removed = remove_boilerplate(paragraphs, outlets.get(site).text_rules + shared_rules())
    return kept, [rule.name for rule, _ in removed]


def path_of(url: str) -> str:
    return urlsplit(url).path
