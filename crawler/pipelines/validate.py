"""Drop what is not a complete article, saying why; check every exported item against the schema.

Stats: ``validate/dropped/<reason>`` (not_article, boilerplate_only: a body that cleaning emptied,
every paragraph of it boilerplate; missing_title, missing_body, missing_published_at, schema),
``validate/passed``.
"""

from __future__ import annotations

from typing import Any

import jsonschema
from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.items import NOT_ARTICLES
from crawler.pipelines.clean import BOILERPLATE_ONLY
from crawler.schema import article_schema

REQUIRED = ("title", "body", "published_at")


class ValidatePipeline:
    def __init__(self, stats: Any) -> None:
        self.stats = stats
        self.validator = jsonschema.Draft202012Validator(article_schema())

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler.stats)

    def drop(self, reason: str, detail: str, url: str) -> DropItem:
        self.stats.inc_value(f"validate/dropped/{reason}")
        return DropItem(f"{reason}: {detail} <{url}>")

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url = adapter.get("url", "?")
        if adapter.get("kind") in NOT_ARTICLES:
            raise self.drop("not_article", f"page kind is {adapter.get('kind')!r}", url)
        if not adapter.get("body") and (adapter.get("extraction") or {}).get("clean") == BOILERPLATE_ONLY:
            raise self.drop(BOILERPLATE_ONLY, "every paragraph of the body was boilerplate", url)
        for name in REQUIRED:
            if not adapter.get(name):
                raise self.drop(f"missing_{name}", f"no {name} found on the page", url)
        errors = sorted(self.validator.iter_errors(adapter.asdict()), key=lambda e: list(e.path))
        if errors:
            first = errors[0]
            where = "/".join(str(p) for p in first.path) or "(item)"
            raise self.drop("schema", f"{where}: {first.message}", url)
        self.stats.inc_value("validate/passed")
        return item
