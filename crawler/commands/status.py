"""``scrapy status [--html FILE] [--json FILE] [--days 60] [OUTLET ...]``: how every outlet has been doing,
from the crawl state.

Per outlet: articles per day of publication for the last ``--days`` days (a small inline SVG chart on
the page), the last run's time, result and health verdict, the body layers used, drift and spool
warnings, alerts already sent and still open, and who crawls it now (its lease). ``--html`` writes one
self-contained page (inline CSS and SVG; no script, nothing fetched), ``--json`` the same data; with
neither, the JSON goes to stdout.

Reads ``STATE_URL`` (as the crawls do; with ``%(name)s``, one state per spider: each that exists is
read). SQLite is read without its lock (a crawl may be running); nothing is written to the state.
Exit codes: 0 written; 1 no crawl state could be read; 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from crawler.state.service import default_state_url
from crawler.state.store import StateError, open_store, redact
from crawler.statuspage import OutletStatus, collect, to_html, to_json


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[--html FILE] [--json FILE] [--days N] [OUTLET ...]"

    def short_desc(self) -> str:
        return "Write a status page (HTML and/or JSON) of every outlet from the crawl state"

    def long_desc(self) -> str:
        return __doc__ or self.short_desc()

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--html", metavar="FILE", help="write the page here")
        parser.add_argument("--json", metavar="FILE", help="write the data here ('-': stdout)")
        parser.add_argument("--days", type=int, default=60, help="the period shown (default 60 days)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if opts.days < 1:
            raise UsageError("--days must be at least 1")
        now = datetime.now(timezone.utc)
        try:
            template = self.settings.get("STATE_URL") or default_state_url(self.settings.get("OUTPUT_DIR", ""))
        except StateError as exc:
            print(f"status: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        urls = [template]
        if "%(name)s" in template:
            urls = [template.replace("%(name)s", name) for name in get_spider_loader(self.settings).list()]
        statuses: list[OutletStatus] = []
        read = []
        for url in urls:
            store = open_store(url, readonly=True)
            try:
                store.connect()
                statuses += collect(store, now.date(), opts.days, only=args or None)
                read.append(redact(url))
            except StateError as exc:
                if len(urls) == 1:
                    print(f"status: {exc}", file=sys.stderr)
            finally:
                store.close()
        if not read:
            self.exitcode = 1
            if len(urls) > 1:
                print(f"status: no crawl state found at {redact(template)}", file=sys.stderr)
            return
        merged: dict[str, OutletStatus] = {}
        for status in statuses:  # an outlet appears in the state of its own spider only
            if status.last_run is not None or status.outlet not in merged:
                merged[status.outlet] = status
        ordered = sorted(merged.values(), key=lambda s: s.name.lower())
        generated = now.isoformat(timespec="seconds")
        if opts.html:
            source = read[0] if len(read) == 1 else f"{len(read)} crawl states ({redact(template)})"
            Path(opts.html).write_text(to_html(ordered, generated, opts.days, source), "utf-8")
        if opts.json and opts.json != "-":
            Path(opts.json).write_text(to_json(ordered, generated, opts.days), "utf-8")
        elif opts.json == "-" or not opts.html:
            print(to_json(ordered, generated, opts.days))
