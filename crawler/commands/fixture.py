"""``scrapy fixture <outlet> <URL | WACZ#record-id | WACZ --url URL>``: a real page becomes a regression test.

Saves the page's HTML and the item the outlet's parser (and the clean pipeline) make of it, as
``<dir>/<outlet>/<name>.html`` + ``<name>.json`` (``--dir``, default the checkout's
``tests/fixtures/pages``; see :mod:`crawler.pages.saved`). The page comes from an archive (a record id
after ``#``, or the latest capture of ``--url``), with no network, or is downloaded like ``scrapy
article`` does (robots.txt, ``MIRRORS`` and the rest of the download path apply). The JSON's ``expected``
fields are for a person to review: correct what the parser got wrong, set ``"reviewed": true``, and
commit both files; ``tests/unit/pages/test_saved_pages.py`` checks every saved page.
Exit codes: 0 saved, 1 the page could not be had, 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError
from scrapy.http import Response, TextResponse

from crawler import outlets
from crawler.exports.layout import project_root
from crawler.exports.replay import SourceError, decoded_body, local_archives
from crawler.exports.wacz import Stored, WaczError, WaczReader
from crawler.pages.saved import expectation, fixture_name, parse_saved


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def from_archive(source: str, url: str | None) -> tuple[Stored, str]:
    """(the stored record, the WACZ name) for ``WACZ#record-id`` or the latest capture of ``url``."""
    path, _, record_id = source.partition("#")
    try:
        reader = WaczReader(str(local_archives(path)[0]))
    except (SourceError, WaczError) as exc:
        raise UsageError(str(exc), print_help=False) from None
    try:
        stored = None
        if record_id:
            stored = reader.find(record_id)
        elif url:
            captures = [(warc, e) for warc, e in reader.entries() if url in (e.url, e.requested)]
            if captures:
                warc, entry = max(captures, key=lambda c: (c[1].rendered, c[1].timestamp))
                stored = reader.read(warc, entry)
        else:
            raise UsageError("give the record id (WACZ#<urn:uuid:...>) or --url URL", print_help=False)
        if stored is None:
            raise UsageError(f"{source}: no such record" + (f" for {url}" if url else ""), print_help=False)
        return stored, reader.name
    finally:
        reader.close()


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "<outlet> <URL | WACZ#record-id | WACZ --url URL> [--dir DIR] [--force]"

    def short_desc(self) -> str:
        return "Save a real page (downloaded or archived) and its parsed item as a regression fixture"

    def long_desc(self) -> str:
        return __doc__ or ""

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", help="with a WACZ: the page's URL (its latest capture)")
        parser.add_argument("--dir", help="where fixtures go (default: the checkout's tests/fixtures/pages)")
        parser.add_argument("--force", action="store_true", help="replace a fixture of the same name")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        for name, value in {"FEEDS": {}, "OUTPUT_DEFAULT_FEED": False, "STATE_ENABLED": False,
                            "ARCHIVE_ENABLED": False}.items():
            self.settings.set(name, value, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 2:
            raise UsageError("give an outlet and a URL or an archive record")
        outlet_key, source = args
        try:
            outlet = outlets.get(outlet_key)
        except KeyError as exc:
            raise UsageError(str(exc.args[0]), print_help=False) from None
        folder = Path(opts.dir) if opts.dir else (project_root() or Path.cwd()) / "tests" / "fixtures" / "pages"
        if ".wacz" in source and not source.startswith(("http://", "https://")):
            stored, wacz = from_archive(source, opts.url)
            page = {"url": stored.url, "html": decoded_body(stored), "fetched_at": stored.when,
                    "content_type": dict((k.lower(), v) for k, v in stored.headers).get("content-type",
                                                                                     "text/html; charset=utf-8"),
                    "source": {"from": "archive", "archive": wacz, "record": stored.record_id,
                               "rendered": stored.rendered}}
        else:
            page = self.download(outlet.key, source, opts)
            if page is None:
                print(f"No page: {source} could not be downloaded (see the log above)", file=sys.stderr)
                self.exitcode = 1
                return
        if not outlet.match_article(page["url"]):
            print(f"Note: {page['url']} does not look like an article of {outlet.key}", file=sys.stderr)
        item = parse_saved(outlet.key, page["url"], page["html"], page["fetched_at"], page["content_type"])
        name = fixture_name(page["url"])
        html_path, json_path = folder / outlet.key / f"{name}.html", folder / outlet.key / f"{name}.json"
        if json_path.exists() and not opts.force:
            raise UsageError(f"{json_path} exists (--force replaces it)", print_help=False)
        spec = {
            "outlet": outlet.key, "url": page["url"], "content_type": page["content_type"],
            "fetched_at": page["fetched_at"].isoformat(),
            "source": {**page["source"], "saved_at": _now().isoformat(), "saved_by": "scrapy fixture"},
            "reviewed": False,
            "note": "Made by `scrapy fixture` from a real page; the expected values are the parser's output "
                    "and must be checked against the page by a person (then set reviewed to true).",
            "expected": expectation(item),
        }
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_bytes(page["html"])
        json_path.write_text(json.dumps(spec, ensure_ascii=False, indent=1) + "\n", "utf-8")
        print(f"Saved {html_path}\n  and {json_path}\n  title: {item.get('title')!r}, "
              f"{len((item.get('body') or '').split(chr(10) * 2))} paragraphs, body from {item['extraction'].get('body')}"
              "\nReview the expected values in the .json, then commit both files "
              "(tests/unit/pages/test_saved_pages.py checks them).")

    def download(self, outlet_key: str, url: str, opts: argparse.Namespace) -> dict[str, Any] | None:
        """The page as the crawl's download path gets it (decoded), from the outlet's spider."""
        assert self.crawler_process is not None
        crawler = self.crawler_process.create_crawler(outlet_key)
        got: dict[str, Any] = {}

        def received(response: Response, request: Any) -> None:
            if request.meta.get("article") and "html" not in got and response.status == 200:
                got.update({"url": response.url, "html": response.body, "fetched_at": _now(),
                            "content_type": response.headers.get("Content-Type", b"text/html").decode("latin-1"),
                            "source": {"from": "network", "status": response.status}})
                if isinstance(response, TextResponse):
                    got["content_type"] = f"text/html; charset={response.encoding}"

        crawler.signals.connect(received, signal=signals.response_received)
        self.crawler_process.crawl(crawler, **{**opts.spargs, "url": url, "render": "never"})
        self.crawler_process.start()
        return got or None
