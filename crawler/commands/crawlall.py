"""``scrapy crawlall [SPIDER ...] [-a since=...] [-o ...]``: every outlet (or the named ones) in one process.

Each outlet runs as its own crawler with its own stats, health report, feed and manifest, under
``<OUTPUT_DIR or OUTPUT_URI>/<spider>/...`` (``%(name)s`` in a ``-o``/``FEEDS`` URI also gives one file
per outlet). Spider arguments (``-a``) go to every spider. Exit codes as ``scrapy crawl``
(:mod:`crawler.outcome`): one line per outlet that did not deliver, and the exit code of the worst
outcome (``state_failed`` 5, then ``output_failed`` 3, then ``nothing_reached`` 4); 1 when a spider
could not start; 2 for an unknown spider (one line with the list).
"""

from __future__ import annotations

import argparse
import logging

from scrapy.commands import BaseRunSpiderCommand

from crawler import outcome
from crawler.commands.crawl import check_feed_paths, check_spider_arguments, check_spider_names, finished

logger = logging.getLogger(__name__)


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[spider ...] [options]"

    def short_desc(self) -> str:
        return "Run every outlet's spider (or the named ones) in one process, one output file per outlet"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        check_spider_names(self.settings, args)
        check_feed_paths(self.settings)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None
        chosen = args or self.crawler_process.spider_loader.list()
        for name in chosen:
            check_spider_arguments(self.crawler_process, name, opts.spargs)
        crawlers = {name: self._create_crawler(name) for name in chosen}
        for crawler in crawlers.values():
            self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        results = {}
        for name, crawler in crawlers.items():
            result, code = finished(crawler, name, self.crawler_process.bootstrap_failed)
            if result is None:
                if code:
                    self.exitcode = code
                continue
            results[name] = result
            if code:
                logger.error(outcome.explain(name, result, crawler.stats.get_stats(), code))
        if self.exitcode == 1:
            return
        worst = outcome.worst(list(results.values()))
        if worst != outcome.DELIVERED:
            self.exitcode = outcome.exit_code(worst, next(iter(crawlers.values())).settings)
            failed = {n: r for n, r in results.items() if r != outcome.DELIVERED}
            logger.error("crawlall: %s; exit code %d", ", ".join(f"{n} {r}" for n, r in failed.items()), self.exitcode)
