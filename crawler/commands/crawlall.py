"""``scrapy crawlall [SPIDER ...] [-a since=...] [-o ...]``: every outlet (or the named ones) in one process.

Each outlet runs as its own crawler with its own stats, health report and feed: by default
``output/<spider>/<UTC time>.jsonl`` (``%(name)s`` in a ``-o``/``FEEDS`` URI also gives one file per
outlet). Spider arguments (``-a``) go to every spider. Exits non-zero when a spider could not start.
"""

from __future__ import annotations

import argparse

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError


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
            self.crawler_process.crawl(self._create_crawler(name), **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
