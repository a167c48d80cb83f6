"""Add-on: the project's output, chosen by settings.

Reads (all optional):
  OUTPUT_URI          where feeds go: an absolute directory, ``file:///dir`` or ``s3://bucket/prefix``
                      (env RUSPRESS_OUTPUT_URI; default: OUTPUT_DIR). No credentials in it.
  OUTPUT_DIR          local output folder (env RUSPRESS_OUTPUT_DIR; default: the checkout's output/)
  OUTPUT_FORMAT       ``jsonlines`` (default) or ``json``
  OUTPUT_GZIP         compress each file (``.jsonl.gz``)
  OUTPUT_BATCH_ITEMS  start a new file every N items (0: one file per run)
  OUTPUT_SPOOL_DIR    where failed uploads are kept (env RUSPRESS_SPOOL_DIR; default OUTPUT_DIR/.spool)
  OUTPUT_RUN_ID       the run's id (default: UTC start time + the Scrapyd job id or random hex)
  OUTPUT_DEFAULT_FEED write the project's feed when no -o/-O/FEEDS is given (default True)
  ARCHIVE_ENABLED     the evidence archive: True, False or ``auto`` (on under Scrapyd or with OUTPUT_URI set)

Adds the feed ``<OUTPUT_URI>/<outlet>/<YYYY-MM-DD>/<run_id>-<batch:05d>.<ext>`` to ``FEEDS`` when no
other feed is given, or always when ``OUTPUT_URI`` is set (so Scrapyd's ``items_dir`` feed does not
replace it), and sets OUTPUT_RUN_ID, OUTPUT_SPOOL_DIR, OUTPUT_FEED_URI and OUTPUT_MANIFEST_URI for the
manifest and spool components (crawler/exports/). It resolves ARCHIVE_ENABLED to True or False and, when
True, sets OUTPUT_ARCHIVE_URI (``<outlet>/<YYYY-MM-DD>/<run_id>.wacz`` under the same destination, also
when the feeds are only -o/-O). A wrong setting stops the crawl at start with a
message naming it. It also installs the log redaction of credentials (crawler/exports/redact.py)
before Scrapy logs the overridden settings.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from scrapy.crawler import Crawler
from scrapy.settings import SETTINGS_PRIORITIES, Settings

from crawler.exports import redact
from crawler.exports.archive import archive_wanted
from crawler.exports.layout import (OutputConfigError, OutputLayout, check_run_id, destination, local_output_dir,
                                    new_run_id, project_root, spool_dir)

# The checkout's output/ folder. Running from an egg (Scrapyd) or an installed copy there is no such folder:
# crawler.exports.layout.local_output_dir() says so (None), and OUTPUT_DIR / OUTPUT_URI must be set.
PROJECT_OUTPUT = (project_root() or Path(__file__).resolve().parent.parent) / "output"


class OutputAddon:
    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OutputAddon:
        return cls(crawler)

    def update_settings(self, settings: Settings) -> None:
        redact.install(settings)
        started = datetime.now(timezone.utc)
        spider = getattr(self.crawler, "spider", None)
        run_id = settings.get("OUTPUT_RUN_ID") or new_run_id(started, getattr(spider, "_job", None))
        _resolve(settings, "OUTPUT_RUN_ID", check_run_id(run_id))
        local_dir = local_output_dir(settings.get("OUTPUT_DIR") or "")
        spool = spool_dir(settings.get("OUTPUT_SPOOL_DIR") or "", local_dir)
        _resolve(settings, "OUTPUT_SPOOL_DIR", str(spool) if spool else "")

        scheduled = bool(getattr(spider, "_job", None) or os.environ.get("SCRAPY_JOB"))
        archive = archive_wanted(settings, scheduled)
        _resolve(settings, "ARCHIVE_ENABLED", archive)
        name = spider.name if spider is not None else getattr(self.crawler, "spidercls").name
        feeds = dict(settings.getdict("FEEDS"))
        explicit = bool(settings.get("OUTPUT_URI"))
        default_feed = settings.getbool("OUTPUT_DEFAULT_FEED", True) and not (feeds and not explicit)
        if not default_feed and not archive:
            return
        layout = OutputLayout(
            base=destination(settings.get("OUTPUT_URI") or "", local_dir),
            run_id=run_id,
            day=started.date().isoformat(),
            format=settings.get("OUTPUT_FORMAT") or "jsonlines",
            gzip=settings.getbool("OUTPUT_GZIP"),
            batch_items=settings.getint("OUTPUT_BATCH_ITEMS"),
        )
        if layout.base.startswith("s3://") and spool is None:
            raise OutputConfigError("OUTPUT_URI is on S3 but there is no local spool for failed uploads: "
                                    "set OUTPUT_SPOOL_DIR (env RUSPRESS_SPOOL_DIR) or OUTPUT_DIR")
        if archive:
            _resolve(settings, "OUTPUT_ARCHIVE_URI", layout.archive_uri(name))
        if not default_feed:
            return
        feed_uri = layout.feed_uri_template()
        feeds[feed_uri] = layout.feed_options(store_empty=settings.getbool("FEED_STORE_EMPTY", True))
        _resolve(settings, "FEEDS", feeds)
        _resolve(settings, "OUTPUT_FEED_URI", feed_uri)
        _resolve(settings, "OUTPUT_MANIFEST_URI", layout.manifest_uri(name))


def _resolve(settings: Settings, name: str, value: object) -> None:
    """Replace a setting with the value worked out from it, at its own priority (an add-on's
    priority is below the project's)."""
    settings.set(name, value, priority=max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["addon"]))
