"""``scrapy crawl``, exiting with a code that says how the run ended (:mod:`crawler.outcome`).

Scrapy's own ``crawl`` exits 0 whatever happened: when a feed could not be stored, when nothing
could be reached, when the crawl state could not be written. This command runs the crawl exactly
like Scrapy's and then exits with the code of the run's outcome (the ``run/outcome`` stat), after one
log line that says what went wrong:

0 delivered; 1 the crawl could not start (Scrapy's: a component failed, the crawl state is
unavailable); 2 a usage error (an unknown spider, a malformed ``-a`` argument); 3 output not
delivered (``OUTPUT_FAILED_EXIT_CODE``: a feed file, the manifest, ``-o``/``-O``; a local ``-o``/``-O``
path that cannot be written is found before anything is crawled); 4 the run reached nothing; 5 the
crawl state could not be written; 6 another crawl holds the outlet's lease.

The lease (:mod:`crawler.state.lease`) is taken here, before the crawl starts: when another crawl of
the outlet holds it, on any machine sharing the crawl state, one line says who and the command exits 6
without starting the crawl (no feed, manifest, spool flush or run row; ``STATS_FILE``, if set, gets
``run/outcome = lease_busy``).
Scrapyd runs jobs through ``crawl`` too, so a failed run shows there as "Process died: exitstatus=N".
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from crawler import outcome
from crawler.exports.storages import local_feed_problem
from crawler.extensions.stats_file import write_stats
from crawler.state import lease
from crawler.state.store import LeaseBusy, StateError

logger = logging.getLogger(__name__)


def usage_error(message: str) -> None:
    """One line on stderr and exit code 2, before Scrapy starts logging (no banner, no traceback)."""
    sys.stderr.write(f"scrapy: error: {message}\n")
    sys.exit(2)


def check_spider_names(settings: Any, names: list[str]) -> None:
    known = sorted(get_spider_loader(settings).list())
    unknown = [name for name in names if name not in known]
    if unknown:
        usage_error(f"unknown spider{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                    f"the spiders are: {', '.join(known)}")


def check_feed_paths(settings: Any) -> None:
    """A local ``-o``/``-O``/``FEEDS`` path that cannot be written: exit 3 before anything is crawled."""
    for uri in settings.getdict("FEEDS"):
        problem = local_feed_problem(str(uri))
        if problem:
            code = settings.getint("OUTPUT_FAILED_EXIT_CODE", 3)
            sys.stderr.write(f"scrapy: error: cannot write the feed {uri}: {problem}; nothing was crawled "
                             f"(exit code {code})\n")
            sys.exit(code)


def check_spider_arguments(process: Any, name: str, spargs: dict[str, Any]) -> None:
    """Build the spider once with its ``-a`` arguments before anything starts, so that a bad
    argument (``-a since=yesterday``) is one usage error naming the expected format, not a traceback."""
    try:
        process.spider_loader.load(name)(**spargs)
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc), print_help=False) from None


def lease_target(settings: Any, process: Any, name: str) -> tuple[str, str] | None:
    """(state URL, outlet) of the lease a crawl of spider ``name`` takes; None without a crawl state
    or for a spider that crawls no outlet."""
    if not settings.getbool("STATE_ENABLED", True):
        return None
    outlet_key = getattr(process.spider_loader.load(name), "outlet_key", None)
    if outlet_key is None:
        return None
    from crawler.state.service import default_state_url

    try:
        url = settings.get("STATE_URL") or default_state_url(settings.get("OUTPUT_DIR", ""))
    except StateError:
        return None  # the crawl says why it has no state
    return url.replace("%(name)s", name), outlet_key or name


def take_lease(settings: Any, process: Any, name: str) -> tuple[str, str] | None:
    """Take the lease for a crawl of ``name`` before it starts. Raises :class:`LeaseBusy` after logging
    the one line that says who holds it (and writing STATS_FILE)."""
    target = lease_target(settings, process, name)
    if target is None:
        return None
    try:
        lease.take(*target, settings.getfloat("STATE_LEASE_SECONDS", lease.DEFAULT_SECONDS))
    except LeaseBusy as exc:
        logger.error("%s (exit code %d)", exc, outcome.EXIT_CODES[outcome.LEASE_BUSY])
        if settings.get("STATS_FILE"):
            write_stats(settings["STATS_FILE"], name, {outcome.STAT: outcome.LEASE_BUSY, "finish_reason": "lease_busy"})
        raise
    return target


def finished(crawler: Crawler, name: str, bootstrap_failed: bool) -> tuple[str | None, int]:
    """(outcome, exit code) of one crawler once the process has stopped (outcome None: it never started)."""
    try:
        stats = crawler.stats.get_stats()
    except (AttributeError, RuntimeError):  # the crawl never started
        stats = {}
    if bootstrap_failed or not stats:
        if stats.get(outcome.STAT) in (outcome.STATE_FAILED, outcome.LEASE_BUSY):
            result = str(stats[outcome.STAT])
            return result, outcome.exit_code(result)
        return None, 1 if bootstrap_failed else 0
    result = outcome.settle(crawler.stats)
    return result, outcome.exit_code(result, crawler.settings)


class Command(ScrapyCrawlCommand):
    def long_desc(self) -> str:
        return (self.short_desc() + ". Exit codes: 0 delivered, 1 could not start, 2 usage error, 3 output not "
                "delivered, 4 nothing reached, 5 crawl state not written, 6 outlet lease busy.")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if len(args) != 1:
            usage_error("give exactly one spider: scrapy crawl <spider> (scrapy list shows them)")
        assert self.settings is not None
        check_spider_names(self.settings, args)
        check_feed_paths(self.settings)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process and self.settings is not None
        check_spider_arguments(self.crawler_process, args[0], opts.spargs)
        lease.set_job(opts.spargs.get("_job"))  # Scrapyd's job id, named in the lease
        try:
            leased = take_lease(self.settings, self.crawler_process, args[0])
        except LeaseBusy:
            self.exitcode = outcome.EXIT_CODES[outcome.LEASE_BUSY]
            return
        try:
            crawler: Crawler = self._create_crawler(args[0])
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
            result, self.exitcode = finished(crawler, args[0], self.crawler_process.bootstrap_failed)
            if self.exitcode and result is not None:
                logger.error(outcome.explain(args[0], result, crawler.stats.get_stats(), self.exitcode))
        finally:
            if leased:
                lease.release(*leased)  # if the crawl did not (it could not start, or it crashed)
