"""``scrapy crawl``, exiting non-zero when the run's output was not delivered.

Scrapy's own ``crawl`` exits 0 even when a feed could not be stored (FeedExporter logs the error and
counts ``feedexport/failed_count/<storage>``). This command runs the crawl exactly like Scrapy's and
then exits with ``OUTPUT_FAILED_EXIT_CODE`` (default 3) when any feed file, the run manifest or a
spooled file from an earlier run was not stored (``feedexport/failed_count/*`` or ``output/failed``
in the stats), after logging one line that says so. Scrapyd runs jobs through ``crawl`` too, so a
failed delivery shows there as "Process died: exitstatus=3" in Scrapyd's log.
Exit codes: 0 delivered, 1 the crawl could not start (Scrapy's), 3 output not delivered.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError

logger = logging.getLogger(__name__)


def check_spider_arguments(process: Any, name: str, spargs: dict[str, Any]) -> None:
    """Build the spider once with its ``-a`` arguments before anything starts, so that a bad
    argument (``-a since=yesterday``) is one usage error naming the expected format, not a traceback."""
    try:
        process.spider_loader.load(name)(**spargs)
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc), print_help=False) from None


def undelivered(stats: dict) -> int:
    """How many files of the run (feeds, manifest, spooled ones) were not stored."""
    failed = sum(v for k, v in stats.items() if k.startswith("feedexport/failed_count/") and isinstance(v, int))
    return max(failed, int(stats.get("output/failed") or 0))


class Command(ScrapyCrawlCommand):
    def long_desc(self) -> str:
        return (self.short_desc() + ". Exits with OUTPUT_FAILED_EXIT_CODE (default 3) when a feed file "
                "or the run manifest could not be stored.")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider" if args else None)
        assert self.crawler_process
        check_spider_arguments(self.crawler_process, args[0], opts.spargs)
        crawler: Crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        try:
            stats = crawler.stats.get_stats()
        except RuntimeError:  # the crawl never started
            stats = {}
        failed = undelivered(stats)
        if failed:
            self.exitcode = crawler.settings.getint("OUTPUT_FAILED_EXIT_CODE", 3)
            logger.error("%s: %d output file(s) not delivered (see the errors above); exit code %d",
                         args[0], failed, self.exitcode)
