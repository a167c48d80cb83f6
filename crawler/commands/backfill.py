"""``scrapy backfill <outlet ...|all> --since YYYY-MM-DD [--until YYYY-MM-DD] [--sources site,wayback,commoncrawl]``:
every article of a window, from the site and, where the site cannot reach back, from web archives.

A thin front end: it runs the outlets' spiders like ``scrapy crawlall`` does (one process, one output
and manifest per outlet, one crawl state) with the spider arguments ``backfill=1``, ``since``, ``until``
and ``sources``, and delivers a file every 1,000 articles unless ``OUTPUT_BATCH_ITEMS`` says otherwise.
All the logic lives in the spiders and components those arguments switch on
(docs/backfill.md), so that Scrapyd runs a back-fill as an ordinary job:
``curl .../schedule.json -d project=ruspress -d spider=meduza -d backfill=1 -d since=2022-02-24``.

Without ``--sources``, each outlet lists from its site, plus the Wayback Machine and Common Crawl when its
own discovery cannot reach ``--since`` (``Outlet.reaches``). Resumable: run the same command again after
a stop and each outlet's listings continue where they were (cursors in the crawl state); nothing is
exported twice. Exit codes as ``scrapy crawl``: 0 delivered, 1 could not start, 2 usage error,
3 output not delivered.
"""

from __future__ import annotations

import argparse

from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

from crawler import dates
from crawler.commands.crawlall import Command as CrawlAll
from crawler.discovery.web_archives import parse_sources


BATCH_ITEMS = 1000


class Command(CrawlAll):
    def syntax(self) -> str:
        return "<outlet ...|all> --since YYYY-MM-DD [--until YYYY-MM-DD] [--sources site,wayback,commoncrawl] [options]"

    def short_desc(self) -> str:
        return "Back-fill the chosen outlets since a date, from their sites and from web archives (resumable)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--since", required=True, help="first day of the window, YYYY-MM-DD")
        parser.add_argument("--until", help="last day of the window, YYYY-MM-DD (default: today)")
        parser.add_argument("--sources", help="comma list of site, wayback, commoncrawl (default: the site, and "
                                              "both archives for outlets whose own listings cannot reach --since)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        try:
            dates.parse_date_arg(opts.since, "since")
            if opts.until:
                dates.parse_date_arg(opts.until, "until")
            parse_sources(opts.sources)
        except ValueError as exc:
            raise UsageError(str(exc).replace("-a ", "--"), print_help=False) from None
        assert self.settings is not None
        if not self.settings.getint("OUTPUT_BATCH_ITEMS") and \
                (self.settings.getpriority("OUTPUT_BATCH_ITEMS") or 0) < SETTINGS_PRIORITIES["cmdline"]:
            # a long back-fill delivers as it goes: a file every 1,000 articles, so the crawl state records
            # them, the cursors move on and the run's de-duplication index stays small (-s OUTPUT_BATCH_ITEMS=0: one file)
            self.settings.set("OUTPUT_BATCH_ITEMS", BATCH_ITEMS, priority="cmdline")
        opts.spargs.update({"backfill": "1", "since": opts.since})
        if opts.until:
            opts.spargs["until"] = opts.until
        if opts.sources:
            opts.spargs["sources"] = opts.sources

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("name the outlets to back-fill, or `all`")
        super().run([] if args == ["all"] else args, opts)
