"""``scrapy article --url URL [--html FILE]``: one article, as the pipelines would emit it.

Runs the outlet's real spider on that one URL (through the downloader, ``MIRRORS`` included, or from a
saved file with ``--html``, which needs no network), then every item pipeline, and prints the item as
pretty JSON, or the reason it was dropped. Nothing is written to feeds.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from crawler import outlets


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "--url URL [--html FILE] [options]"

    def short_desc(self) -> str:
        return "Print one article as the pipelines would emit it, or why it would be dropped"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", required=True, help="the article's canonical URL")
        parser.add_argument("--html", help="parse this saved page instead of downloading it")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        self.settings.set("FEEDS", {}, priority="cmdline")
        self.settings.set("OUTPUT_DEFAULT_FEED", False, priority="cmdline")
        self.settings.set("STATE_ENABLED", False, priority="cmdline")
        self.settings.set("ARCHIVE_ENABLED", False, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        outlet = outlets.for_url(opts.url)
        if outlet is None:
            raise UsageError(f"no outlet knows the host of {opts.url}; see `scrapy list`")
        assert self.crawler_process is not None
        crawler = self.crawler_process.create_crawler(outlet.key)
        self.results: list[tuple[str, Any]] = []
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        spargs = {**opts.spargs, "url": opts.url}
        if opts.html:
            spargs["html"] = opts.html
        self.crawler_process.crawl(crawler, **spargs)
        self.crawler_process.start()
        if not self.results:
            print(f"No article: the page could not be fetched or parsed (see the log above) <{opts.url}>",
                  file=sys.stderr)
            self.exitcode = 1
            return
        kind, value = self.results[0]
        if kind == "item":
            print(json.dumps(ItemAdapter(value).asdict(), ensure_ascii=False, indent=2))
        else:
            print(f"Dropped: {value}", file=sys.stderr)
            self.exitcode = 2

    def item_scraped(self, item: Any) -> None:
        self.results.append(("item", item))

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        self.results.append(("dropped", exception))
