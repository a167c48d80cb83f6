"""``scrapy crawlall [SPIDER ...] [-a since=...] [-o ...]``: every outlet (or the named ones) in one process.

Each outlet runs as its own crawler with its own stats, health report, feed and manifest, under
``<OUTPUT_DIR or OUTPUT_URI>/<spider>/...`` (``%(name)s`` in a ``-o``/``FEEDS`` URI also gives one file
per outlet). Spider arguments (``-a``) go to every spider. Exit codes as ``scrapy crawl``: 1 when a
spider could not start, ``OUTPUT_FAILED_EXIT_CODE`` (3) when any outlet's output was not delivered.
"""

from __future__ import annotations

import argparse

import logging

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from crawler.commands.crawl import check_spider_arguments, undelivered

logger = logging.getLogger(__name__)


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[spider ...] [options]"

    def short_desc(self) -> str:
        return "Run every outlet's spider (or the named ones) in one process, one output file per outlet"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None
        known = self.crawler_process.spider_loader.list()
        chosen = args or known
        unknown = sorted(set(chosen) - set(known))
        if unknown:
            raise UsageError(f"unknown spider(s): {', '.join(unknown)}; known: {', '.join(known)}")
        for name in chosen:
            check_spider_arguments(self.crawler_process, name, opts.spargs)
        crawlers = {name: self._create_crawler(name) for name in chosen}
        for crawler in crawlers.values():
            self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        failed = {}
        for name, crawler in crawlers.items():
            try:
                count = undelivered(crawler.stats.get_stats())
            except RuntimeError:  # never started
                count = 0
            if count:
                failed[name] = count
        if failed:
            self.exitcode = next(iter(crawlers.values())).settings.getint("OUTPUT_FAILED_EXIT_CODE", 3)
            logger.error("output not delivered for %s; exit code %d",
                         ", ".join(f"{n} ({c} file(s))" for n, c in failed.items()), self.exitcode)
