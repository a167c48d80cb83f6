"""The run manifest: one small JSON file next to a run's feed files, written after all of them were
stored, so a consumer that sees it knows the run's output is complete.

``<outlet>/<YYYY-MM-DD>/<run_id>.manifest.json``::

    {"manifest_version": 1, "run_id": "20240501T120000Z-1a2b3c4d", "job": null,
     "outlet": "moscowtimes", "spider": "moscowtimes",
     "window": {"since": "2023-06-01", "until": "2023-08-31"},
     "started_at": "...", "finished_at": "...", "finish_reason": "finished",
     "destination": "s3://bucket/prefix", "format": "jsonlines", "compression": "gzip", "batch_items": 100,
     "files": [{"name": "20240501T120000Z-1a2b3c4d-00001.jsonl.gz", "uri": "s3://...", "items": 100,
                "bytes": 81234, "sha256": "..."}],
     "items": 100, "dropped": {"validate/missing_body": 2}, "dropped_total": 2,
     "complete": false, "gaps": ["sources_failed"],
     "sources": {"ok": ["https://.../robots.txt", ...], "ok_count": 4,
                 "failed": [{"kind": "sitemap", "url": "https://.../2024-5.xml", "error": "HTTP 500"}]},
     "errors": {"spider/http_error/500": 1, "spider/download_error/TimeoutError": 2},
     "archive": {"name": "20240501T120000Z-1a2b3c4d.wacz", "uri": "s3://...", "bytes": 912345, "sha256": "...",
                 "records": 250, "responses": 124}}

``complete`` is true when the run covered its window: it finished normally, every discovery source
(robots.txt, sitemaps, feeds, the outlet's API) answered and ``-a limit`` did not cut it short;
otherwise ``gaps`` says why (``nothing_reached``: no source answered; ``sources_failed``: some did not,
listed in ``sources.failed``; ``limit``; ``finish_reason:<reason>``). ``sources.ok`` lists at most
``SOURCES_LIST_MAX`` URLs (``ok_count`` has them all). ``errors`` counts failed requests and pages
(``spider/http_error/<status>``, ``spider/download_error/<type>``, ``spider/parse_error/<type>``,
``pipeline/error/<type>``). Consumers should ignore fields they do not know: fields are only added
within a ``manifest_version``.

``archive`` (only when the run kept an evidence archive, crawler/exports/archive.py) is the run's WACZ;
a WACZ that could not be stored holds the manifest back like a feed file that could not.

When a file could not be stored, no manifest is published: with S3 the manifest is spooled with the
failed files, and the run that delivers them publishes it, adding
``"delivered_late": {"by_run": ..., "at": ...}``.
Reads: OUTPUT_MANIFEST (default True), OUTPUT_MANIFEST_URI and OUTPUT_FEED_URI (set by the output
add-on; without them the extension is off), OUTPUT_RUN_ID, FEEDS, FEED_STORAGES.
Stats: ``output/files/stored``, ``output/files/failed``, ``output/items``, ``output/manifest/stored``,
``output/manifest/spooled``, ``output/failed`` (files not delivered; the crawl command exits with
OUTPUT_FAILED_EXIT_CODE when it is set).
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import run_in_thread
from scrapy.utils.defer import ensure_awaitable
from scrapy.utils.misc import build_from_crawler, load_object
from w3lib.url import file_uri_to_path

from crawler import outcome
from crawler.exports.archive import ArchiveOutput
from crawler.exports.layout import public_uri
from crawler.exports.spool import Spool, sha256_of
from crawler.exports.storages import StoredFile, describe
from crawler.extensions.sources import SourceTracker

logger = logging.getLogger(__name__)

MANIFEST_VERSION = 1
_DROPPED = re.compile(r"^([a-z0-9_]+)/dropped/(.+)$")
ERRORS = ("spider/http_error/", "spider/download_error/", "spider/parse_error/", "pipeline/error/")


@dataclass
class FileEntry:
    name: str
    uri: str
    items: int
    bytes: int | None
    sha256: str | None
    ok: bool = True
    error: str | None = None
    spooled: str | None = None

    def public(self) -> dict[str, Any]:
        return {"name": self.name, "uri": self.uri, "items": self.items, "bytes": self.bytes,
                "sha256": self.sha256}


def dropped_by_reason(stats: dict[str, Any]) -> dict[str, int]:
    """``<component>/dropped/<reason>`` stats as ``{"<component>/<reason>": n}``."""
    found = {}
    for key, value in stats.items():
        match = _DROPPED.match(key)
        if match and isinstance(value, int):
            found[f"{match[1]}/{match[2]}"] = value
    return dict(sorted(found.items()))


def gaps(finish_reason: str | None, stats: dict[str, Any]) -> list[str]:
    """Why a run did not cover its window (empty: it did)."""
    found = []
    if finish_reason not in (None, "finished"):
        found.append(f"finish_reason:{finish_reason}")
    if outcome.nothing_reached(stats):
        found.append("nothing_reached")
    elif outcome.sources_failed(stats):
        found.append("sources_failed")
    if stats.get("discovery/skipped/limit"):
        found.append("limit")
    return found


def build_manifest(*, run_id: str, job: str | None, spider: Spider, started_at: Any, finished_at: datetime,
                   finish_reason: str | None, destination: str, feed_options: dict[str, Any],
                   files: list[FileEntry], stats: dict[str, Any],
                   sources: dict[str, Any] | None = None,
                   archive: FileEntry | None = None) -> dict[str, Any]:
    outlet = getattr(getattr(spider, "outlet", None), "key", None) or spider.name
    window = {name: _iso(getattr(spider, name, None)) for name in ("since", "until")}
    dropped = dropped_by_reason(stats)
    gzip = any("Gzip" in str(p) for p in feed_options.get("postprocessing") or [])
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "run_id": run_id,
        "job": job,
        "outlet": outlet,
        "spider": spider.name,
        "window": window,
        "started_at": _iso(started_at),
        "finished_at": _iso(finished_at),
        "finish_reason": finish_reason,
        "destination": destination,
        "format": feed_options.get("format"),
        "compression": "gzip" if gzip else None,
        "batch_items": feed_options.get("batch_item_count") or 0,
        "files": [entry.public() for entry in sorted(files, key=lambda e: e.name)],
        "items": sum(entry.items for entry in files),
        "dropped": dropped,
        "dropped_total": sum(dropped.values()),
        "complete": not gaps(finish_reason, stats),
        "gaps": gaps(finish_reason, stats),
        "sources": sources or {"ok": [], "ok_count": 0, "failed": []},
        "errors": {k: v for k, v in sorted(stats.items()) if k.startswith(ERRORS) and isinstance(v, int)},
    }
    if archive is not None:
        manifest["archive"] = {"name": archive.name, "uri": archive.uri, "bytes": archive.bytes,
                               "sha256": archive.sha256, "records": stats.get("archive/records", 0),
                               "responses": stats.get("archive/responses", 0) + stats.get("archive/rendered", 0)}
    return manifest


class RunManifest:
    def __init__(self, crawler: Crawler, manifest_uri: str, feed_uri: str, run_id: str) -> None:
        self.crawler = crawler
        self.manifest_uri = manifest_uri
        self.feed_uri = feed_uri
        self.run_id = run_id
        self.files: list[FileEntry] = []
        self.reason: str | None = None
        self.spool = Spool.from_settings(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunManifest:
        settings = crawler.settings
        if not settings.getbool("OUTPUT_MANIFEST", True):
            raise NotConfigured("OUTPUT_MANIFEST is off")
        if not settings.get("OUTPUT_MANIFEST_URI") or not settings.get("OUTPUT_FEED_URI"):
            raise NotConfigured("the project's output is not configured (FEEDS given, or no default feed)")
        ext = cls(crawler, settings["OUTPUT_MANIFEST_URI"], settings["OUTPUT_FEED_URI"], settings["OUTPUT_RUN_ID"])
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.feed_exporter_closed, signal=signals.feed_exporter_closed)
        return ext

    @property
    def feed_options(self) -> dict[str, Any]:
        return dict(self.crawler.settings.getdict("FEEDS").get(self.feed_uri) or {})

    def spider_opened(self, spider: Spider) -> None:
        options = self.feed_options
        extras = [options.get("format", "?")]
        if options.get("postprocessing"):
            extras.append("gzip")
        if options.get("batch_item_count"):
            extras.append(f"batches of {options['batch_item_count']}")
        logger.info("Output of run %s: %s to %s/ (manifest %s written last)%s", self.run_id, ", ".join(extras),
                    public_uri(self.manifest_uri.rsplit("/", 1)[0]), self.manifest_uri.rsplit("/", 1)[1],
                    f"; spool {self.spool.root}" if self.spool else "")

    async def feed_slot_closed(self, slot: Any) -> None:
        if slot.uri_template != self.feed_uri:
            return  # another feed (-o, Scrapyd's items_dir): not part of the run's published output
        self.files.append(await run_in_thread(self.describe_slot, slot))

    @staticmethod
    def describe_slot(slot: Any) -> FileEntry:
        """What became of a closed slot's file: the S3 storage reports it (``stored``); for a local
        file the delivery tracker's ``delivery_outcome`` says whether it was stored (without the
        tracker: whether the file exists), and its size and sha256 are read from disk."""
        stored: StoredFile | None = getattr(slot.storage, "stored", None)
        if stored is None:
            uri = public_uri(slot.uri)
            path = Path(file_uri_to_path(slot.uri)) if urlsplit(slot.uri).scheme in ("file", "") else None
            outcome = getattr(slot.storage, "delivery_outcome", None)
            if outcome is None:
                outcome = path is not None and path.is_file()
            stored = StoredFile(uri, ok=bool(outcome), error=None if outcome else "the feed was not stored")
            if outcome and path is not None and path.is_file():
                stored.sha256, stored.bytes = sha256_of(path)
        return FileEntry(stored.name, stored.uri, slot.itemcount, stored.bytes, stored.sha256, stored.ok,
                         stored.error, stored.spooled)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.reason = reason

    async def archive_entry(self) -> FileEntry | None:
        """The run's WACZ once it is stored (None without an archive)."""
        archive = ArchiveOutput.of(self.crawler)
        stored = await archive.finished() if archive is not None else None
        if stored is None:
            return None
        return FileEntry(stored.name, stored.uri, 0, stored.bytes, stored.sha256, stored.ok, stored.error,
                         stored.spooled)

    async def feed_exporter_closed(self) -> None:
        spider = self.crawler.spider
        stats = self.crawler.stats
        archive = await self.archive_entry()
        all_stats = stats.get_stats()
        tracker = SourceTracker.of(self.crawler)
        manifest = build_manifest(
            run_id=self.run_id, job=getattr(spider, "_job", None), spider=spider,
            started_at=all_stats.get("start_time"), finished_at=datetime.now(timezone.utc),
            finish_reason=self.reason, destination=public_uri(self.manifest_uri.rsplit("/", 3)[0]),
            feed_options=self.feed_options, files=self.files, stats=all_stats,
            sources=tracker.summary() if tracker else None, archive=archive)
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        failed = [entry for entry in self.files if not entry.ok]
        stats.set_value("output/files/stored", len(self.files) - len(failed))
        stats.set_value("output/files/failed", len(failed))
        stats.set_value("output/items", manifest["items"])
        if failed:
            stats.inc_value("output/failed", len(failed))
            outcome.settle(stats)
        if archive is not None and not archive.ok:
            failed.append(archive)  # counted in output/failed by the archive itself
        if failed:
            self.report_failure(spider, failed, data, len(self.files) + (archive is not None))
            return
        try:
            await self.store(spider, data)
        except Exception as exc:
            stats.inc_value("output/failed")
            outcome.settle(stats)
            logger.error("Output of run %s: all %d files stored, but the manifest %s was not (%s)%s",
                         self.run_id, len(self.files), public_uri(self.manifest_uri), describe(exc),
                         "; it is kept in the spool and the next run publishes it"
                         if urlsplit(self.manifest_uri).scheme == "s3" and self.spool else "")
            return
        stats.set_value("output/manifest/stored", 1)
        logger.info("Output of run %s complete: %d items in %d files; manifest %s", self.run_id,
                    manifest["items"], len(self.files), public_uri(self.manifest_uri))

    async def store(self, spider: Spider, data: bytes) -> None:
        """A local manifest is written to a temporary name and renamed; on S3 it goes through the
        same storage as the feeds, so a failed upload spools it too."""
        if urlsplit(self.manifest_uri).scheme == "file":
            path = Path(file_uri_to_path(self.manifest_uri))
            await run_in_thread(_write_local, path, data)
            return
        storages = self.crawler.settings.getwithbase("FEED_STORAGES")
        storage = build_from_crawler(load_object(storages[urlsplit(self.manifest_uri).scheme]), self.crawler,
                                     self.manifest_uri, feed_options={"overwrite": True, "spool_kind": "manifest"})
        fh = storage.open(spider)
        fh.write(data)
        await ensure_awaitable(storage.store(fh))

    def report_failure(self, spider: Spider, failed: list[FileEntry], data: bytes, total: int | None = None) -> None:
        kinds = sorted({(entry.error or "?").split(":", 1)[0] for entry in failed})
        errors = f"{', '.join(kinds)} (first: {failed[0].error})" if len(failed) > 1 else str(failed[0].error)
        spooled = [entry for entry in failed if entry.spooled]
        kept = ""
        if self.spool and len(spooled) == len(failed):
            name = PurePosixPath(urlsplit(self.manifest_uri).path).name
            self.spool.add(spider.name, self.run_id, name, data,
                           {"uri": public_uri(self.manifest_uri), "kind": "manifest", "run_id": self.run_id,
                            "spider": spider.name})
            self.crawler.stats.set_value("output/manifest/spooled", 1)
            kept = (f" They are kept, with the manifest, in the spool {self.spool.run_dir(spider.name, self.run_id)};"
                    f" the next run of {spider.name} delivers them before it crawls.")
        elif spooled:
            kept = f" {len(spooled)} of them are kept in the spool {self.spool.root if self.spool else ''}."
        logger.error("OUTPUT NOT DELIVERED: %d of %d files of run %s (%d items) could not be stored at %s: %s."
                     "%s The manifest is not published; the crawl exits with code %d.",
                     len(failed), total or len(self.files), self.run_id, sum(e.items for e in failed),
                     public_uri(self.manifest_uri.rsplit("/", 1)[0]), errors, kept,
                     self.crawler.settings.getint("OUTPUT_FAILED_EXIT_CODE", 3))


def _write_local(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return None if value is None else str(value)

