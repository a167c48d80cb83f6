"""Per-outlet health report at the end of each crawl, in the log and in the stats.

Counts, per exported item, the fields it lacks (``health/missing/<field>``), and items that a
pipeline failed on (``pipeline/error/<ExceptionType>``: the item is not exported; Scrapy logs the
traceback once, :mod:`crawler.logformatter` names the URL). At close, logs one report: articles
requested, exported, dropped by reason, body extraction layer used, fields missing, the discovery
sources that answered and those that failed (from :mod:`crawler.extensions.sources`), HTTP errors,
download errors (refused, timeouts, DNS) and parse/pipeline errors.
When more than ``HEALTH_FALLBACK_RATIO`` (default 0.5) of the parsed articles needed the generic
extractor, or as many lacked a field the outlet normally has, it logs an ERROR saying the outlet's
layout has probably changed and sets ``health/layout_changed`` = 1. It also lists the blocks the clean
pipeline learned as boilerplate in this run (kind, in how many articles, first words): see
``scrapy boilerplate <outlet>`` to review or pin them.
Reads: HEALTH_ENABLED (default True), HEALTH_FALLBACK_RATIO, HEALTH_MIN_ARTICLES (default 3), and the
outlet record's ``extra["health_optional"]``: essential fields the outlet often leaves out (Meduza's news
items have no byline), which are then reported but never taken for a layout change.
"""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.extensions.sources import SourceTracker
from crawler.pipelines.learned import newly_learned

logger = logging.getLogger(__name__)

WATCHED = ("title", "authors", "published_at", "modified_at", "section", "lead", "tags", "images", "body")
ESSENTIAL = ("title", "published_at", "body", "authors")


class HealthReport:
    def __init__(self, crawler: Crawler, ratio: float, min_articles: int) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.ratio = ratio
        self.min_articles = min_articles

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HealthReport:
        if not crawler.settings.getbool("HEALTH_ENABLED", True):
            raise NotConfigured("HEALTH_ENABLED is off")
        ext = cls(crawler, crawler.settings.getfloat("HEALTH_FALLBACK_RATIO", 0.5),
                  crawler.settings.getint("HEALTH_MIN_ARTICLES", 3))
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_scraped(self, item: Any) -> None:
        adapter = ItemAdapter(item)
        for name in WATCHED:
            if not adapter.get(name):
                self.stats.inc_value(f"health/missing/{name}")

    def item_error(self, item: Any, failure: Any) -> None:
        self.stats.inc_value(f"pipeline/error/{type(failure.value).__name__}")

    def report(self, name: str, optional: tuple[str, ...] = ()) -> tuple[str, bool]:
        stats = self.stats.get_stats()
        layers = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("extract/body/")}
        parsed = sum(layers.values())
        exported = stats.get("item_scraped_count", 0)
        dropped = {k.split("/", 1)[1]: v for k, v in stats.items()
                   if k.startswith(("validate/dropped/", "dedup/dropped/"))}
        missing = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("health/missing/")}
        problems = []
        if parsed >= self.min_articles:
            fallback = parsed - layers.get("outlet", 0) - layers.get("api", 0)  # the outlet's markup or its own API
            if fallback / parsed > self.ratio:
                problems.append(f"{fallback}/{parsed} bodies did not come from the outlet's markup or API")
            for field in (f for f in ESSENTIAL if f not in optional):
                lacking = missing.get(field, 0) + stats.get(f"validate/dropped/missing_{field}", 0)
                if lacking / parsed > self.ratio:
                    problems.append(f"{lacking}/{parsed} articles lack {field}")
        lines = [
            f"Health of {name}: {stats.get('discovery/article_requests', 0)} article requests, "
            f"{parsed} parsed, {exported} exported",
            f"  dropped: {_fmt(dropped)}",
            f"  body layer: {_fmt(layers)}",
            f"  fields missing in exported items: {_fmt(missing)}",
            f"  sources: {self.sources()}",
            f"  HTTP errors: {_fmt(_under(stats, 'spider/http_error/'))}",
            f"  download errors: {_fmt(_under(stats, 'spider/download_error/'))}",
            f"  parse errors: {_fmt(_under(stats, 'spider/parse_error/'))}; pipeline errors: "
            f"{_fmt(_under(stats, 'pipeline/error/'))}",
        ]
        learned = newly_learned(self.crawler)
        lines.append(f"  newly learned boilerplate: {len(learned) or 'none'}")
        for block in learned[:20]:
            lines.append(f"    {block.kind}, {block.paragraphs} paragraph(s), in {block.articles} articles: "
                         f"{block.first_words!r}")
        if len(learned) > 20:
            lines.append(f"    ... and {len(learned) - 20} more")
        if problems:
            lines.append(f"  LAYOUT PROBABLY CHANGED: {'; '.join(problems)}")
        return "\n".join(lines), bool(problems)

    def sources(self) -> str:
        tracker = SourceTracker.of(self.crawler)
        if tracker is None or not (tracker.ok or tracker.failed):
            return "none tried"
        text = f"{len(tracker.ok)} answered, {len(tracker.failed)} failed"
        if tracker.failed:
            text += f" ({tracker.describe_failed()})"
            if not tracker.ok:
                text = "NOTHING REACHED: " + text
        return text

    def spider_closed(self, spider: Any, reason: str) -> None:
        outlet = getattr(spider, "outlet", None)
        text, broken = self.report(spider.name, tuple(outlet.extra.get("health_optional", ())) if outlet else ())
        self.stats.set_value("health/layout_changed", int(broken))
        tracker = SourceTracker.of(self.crawler)
        level = logging.ERROR if broken else logging.WARNING if tracker and tracker.failed else logging.INFO
        logger.log(level, text)


def _under(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)}


def _fmt(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"
