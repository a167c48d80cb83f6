"""``scrapy crawlall [SPIDER ...] [-a since=...] [-o ...]``: every outlet (or the named ones) in one process.

Each outlet runs as its own crawler with its own stats, health report, feed and manifest, under
``<OUTPUT_DIR or OUTPUT_URI>/<spider>/...`` (``%(name)s`` in a ``-o``/``FEEDS`` URI also gives one file
per outlet). Spider arguments (``-a``) go to every spider. Exit codes as ``scrapy crawl``
(:mod:`crawler.outcome`): one line per outlet that did not deliver, and the exit code of the worst
outcome (``state_failed`` 5, then ``output_failed`` 3, then ``nothing_reached`` 4); 1 when a spider
could not start; 2 for an unknown spider (one line with the list); 6 (``lease_busy``) for an outlet whose
lease another crawl holds: it is skipped with one line, the others run.
"""

from __future__ import annotations

import argparse
import logging

from scrapy.commands import BaseRunSpiderCommand

from crawler import outcome
from crawler.commands.crawl import check_feed_paths, check_spider_arguments, check_spider_names, finished, take_lease
from crawler.state import lease
from crawler.state.store import LeaseBusy

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
        assert self.settings is not None
        chosen = list(dict.fromkeys(args)) or self.crawler_process.spider_loader.list()
        for name in chosen:
            check_spider_arguments(self.crawler_process, name, opts.spargs)
        lease.set_job(opts.spargs.get("_job"))
        leased, busy = [], []
        for name in chosen:
            try:
                target = take_lease(self.settings, self.crawler_process, name)
            except LeaseBusy:
                busy.append(name)
                continue
            if target:
                leased.append(target)
        try:
            self._crawl([name for name in chosen if name not in busy], opts, busy)
        finally:
            for target in leased:
                lease.release(*target)

    def _crawl(self, chosen: list[str], opts: argparse.Namespace, busy: list[str]) -> None:
        assert self.crawler_process is not None
        crawlers = {name: self._create_crawler(name) for name in chosen}
        for crawler in crawlers.values():
            self.crawler_process.crawl(crawler, **opts.spargs)
        if crawlers:
            self.crawler_process.start()
        results = {name: outcome.LEASE_BUSY for name in busy}
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
            self.exitcode = outcome.exit_code(worst, self.settings)
            failed = {n: r for n, r in results.items() if r != outcome.DELIVERED}
            logger.error("crawlall: %s; exit code %d", ", ".join(f"{n} {r}" for n, r in failed.items()), self.exitcode)
