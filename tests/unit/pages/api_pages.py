"""Parse a fixture article the way the spider does for API-based outlets: the page (or the API answer
the outlet record's ``fetch_url`` names) plus, where the outlet fetches one, its API record."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy.http import TextResponse
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from crawler import outlets
from crawler.pipelines.clean import CleanPipeline
from tests.unit.pages.expectations import fixture_response

FETCHED = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)


def api_json(site: str, url: str) -> Any:
    """The JSON the fixture site answers at ``url`` (an outlet's API address)."""
    return json.loads(fixture_response(site, url).text)


def response_for(site: str, url: str, fetch: str | None = None, **meta: Any) -> TextResponse:
    """The fixture's answer at ``fetch`` (default: the page) for the article ``url``, with ``meta``."""
    response = fixture_response(site, fetch or url)
    if fetch:  # downloaded from elsewhere: the item keeps the article's URL
        meta["canonical_url"] = url
        response = TextResponse(url=fetch, body=response.body, encoding="utf-8", request=response.request)
    response.request.meta.update(meta)
    return response


def parse(outlet_key: str, response: TextResponse, clean: bool = True) -> tuple[dict, Any]:
    """(item as a dict after the clean pipeline, the page parser) for one response."""
    outlet = outlets.get(outlet_key)
    page = load_object(outlet.parser)(response, outlet, FETCHED)
    item = page.to_article()
    if clean:
        CleanPipeline(MemoryStatsCollector(get_crawler())).process_item(item)
    return ItemAdapter(item).asdict(), page


def path(url: str) -> str:
    return urlsplit(url).path.lstrip("/")
