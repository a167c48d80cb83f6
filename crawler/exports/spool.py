"""The local spool: feed files (and manifests) that could not be uploaded, kept until a later run
delivers them.

Layout: ``<OUTPUT_SPOOL_DIR>/<spider>/<run_id>/<file>`` with ``<file>.spool.json`` beside it (the
target URI, kind ``feed`` or ``manifest``, items, bytes, sha256, the error). While a run uploads, its
file lives there as ``<file>.part``; a ``.part`` left behind means that run was killed mid-way and is
reported, never uploaded.

:class:`SpoolFlush` (an extension) uploads, when a spider opens and before it crawls, what earlier
runs of the same spider left in the spool: a run's feed files first, its manifest last (so the
manifest still means "this run's output is complete"). Each upload goes through Scrapy's own feed
storage for the URI's scheme. A file whose sha256 no longer matches is not uploaded.
Reads: OUTPUT_SPOOL_DIR (resolved by the output add-on), OUTPUT_SPOOL_FLUSH (default True),
OUTPUT_RUN_ID, OUTPUT_MANIFEST_URI (flushing runs only when the project's output is configured).
Stats: ``output/spool/delivered_files``, ``output/spool/delivered_items``,
``output/spool/flush_failed``, ``output/spool/incomplete``, ``output/failed``.
Signal: :data:`spooled_feed_delivered` (``uri``, ``path``, ``meta``) after each feed file is uploaded
and before it is removed from the spool.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import run_in_thread
from scrapy.utils.defer import ensure_awaitable
from scrapy.utils.misc import build_from_crawler, load_object

from crawler.exports.layout import public_uri

logger = logging.getLogger(__name__)

SIDECAR = ".spool.json"
PART = ".part"
spooled_feed_delivered = object()  # signal: (uri, path, meta) a spooled feed file was uploaded


def sha256_of(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


@dataclass
class SpooledFile:
    path: Path
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return str(self.meta.get("kind", "feed"))

    @property
    def uri(self) -> str:
        return str(self.meta["uri"])

    @property
    def items(self) -> int:
        return int(self.meta.get("items") or 0)


class Spool:
    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Spool | None:
        root = settings.get("OUTPUT_SPOOL_DIR")
        return cls(Path(root)) if root else None

    def run_dir(self, spider: str, run_id: str) -> Path:
        return self.root / spider / run_id

    def part_path(self, spider: str, run_id: str, name: str) -> Path:
        """A fresh ``<name>.part`` to write a file to while it is being uploaded."""
        folder = self.run_dir(spider, run_id)
        folder.mkdir(parents=True, exist_ok=True)
        path, n = folder / (name + PART), 1
        while path.exists() or path.with_suffix("").exists():
            n += 1
            path = folder / f"{name}.{n}{PART}"
        return path

    def keep(self, part: Path, meta: dict[str, Any]) -> SpooledFile:
        """Turn an upload's ``.part`` file into a spooled file with its sidecar."""
        final = part.with_name(part.name[: -len(PART)]) if part.name.endswith(PART) else part
        os.replace(part, final)
        return self._describe(final, meta)

    def add(self, spider: str, run_id: str, name: str, data: bytes, meta: dict[str, Any]) -> SpooledFile:
        folder = self.run_dir(spider, run_id)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        _write_atomic(path, data)
        return self._describe(path, meta)

    def _describe(self, path: Path, meta: dict[str, Any]) -> SpooledFile:
        digest, size = sha256_of(path)
        meta = {"spooled_at": _now(), **meta, "sha256": digest, "bytes": size}
        _write_atomic(path.with_name(path.name + SIDECAR), json.dumps(meta, indent=1).encode("utf-8"))
        return SpooledFile(path, meta)

    def update(self, path: Path, **fields: Any) -> None:
        """Add ``fields`` to the sidecar of the spooled file at ``path``."""
        sidecar = path.with_name(path.name + SIDECAR)
        meta = json.loads(sidecar.read_text("utf-8"))
        meta.update(fields)
        _write_atomic(sidecar, json.dumps(meta, indent=1).encode("utf-8"))

    def runs(self, spider: str, exclude: str = "") -> list[list[SpooledFile]]:
        """Spooled files of earlier runs of ``spider``, oldest run first; in each run, feed files by
        name and the manifest last."""
        folder = self.root / spider
        if not folder.is_dir():
            return []
        found = []
        for run in sorted(p for p in folder.iterdir() if p.is_dir() and p.name != exclude):
            files = []
            for sidecar in run.glob("*" + SIDECAR):
                path = sidecar.with_name(sidecar.name[: -len(SIDECAR)])
                if path.is_file():
                    files.append(SpooledFile(path, json.loads(sidecar.read_text("utf-8"))))
            if files:
                found.append(sorted(files, key=lambda f: (f.kind == "manifest", f.path.name)))
        return found

    def incomplete(self, spider: str, exclude: str = "") -> list[Path]:
        folder = self.root / spider
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.glob("*/*" + PART) if p.parent.name != exclude)

    def remove(self, spooled: SpooledFile) -> None:
        spooled.path.with_name(spooled.path.name + SIDECAR).unlink(missing_ok=True)
        spooled.path.unlink(missing_ok=True)
        try:
            spooled.path.parent.rmdir()
        except OSError:
            pass  # not empty yet


class SpoolFlush:
    def __init__(self, crawler: Crawler, spool: Spool, run_id: str) -> None:
        self.crawler = crawler
        self.spool = spool
        self.run_id = run_id

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SpoolFlush:
        settings = crawler.settings
        if not settings.getbool("OUTPUT_SPOOL_FLUSH", True):
            raise NotConfigured("OUTPUT_SPOOL_FLUSH is off")
        if not settings.get("OUTPUT_MANIFEST_URI"):
            raise NotConfigured("the project's output is not configured (FEEDS given, or no default feed)")
        spool = Spool.from_settings(settings)
        if spool is None:
            raise NotConfigured("no OUTPUT_SPOOL_DIR")
        ext = cls(crawler, spool, settings.get("OUTPUT_RUN_ID", ""))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        return ext

    async def spider_opened(self, spider: Spider) -> None:
        stats = self.crawler.stats
        for part in self.spool.incomplete(spider.name, exclude=self.run_id):
            stats.inc_value("output/spool/incomplete")
            logger.warning("Spool: %s was left by a run that did not finish; it is not uploaded", part)
        for run in self.spool.runs(spider.name, exclude=self.run_id):
            await self.flush_run(run)

    async def flush_run(self, files: list[SpooledFile]) -> bool:
        stats = self.crawler.stats
        for spooled in files:
            if spooled.kind == "manifest":
                await run_in_thread(self._mark_delivered_late, spooled)
            digest, _ = await run_in_thread(sha256_of, spooled.path)
            if digest != spooled.meta.get("sha256"):
                stats.inc_value("output/spool/flush_failed")
                stats.inc_value("output/failed")
                logger.error("Spool: %s does not match its recorded sha256; not uploaded (run %s left as is)",
                             spooled.path, spooled.path.parent.name)
                return False
            try:
                await self.upload(spooled)
            except Exception as exc:
                stats.inc_value("output/spool/flush_failed")
                stats.inc_value("output/failed")
                logger.error("Spool: could not deliver %s to %s: %s: %s; it stays in the spool",
                             spooled.path.name, public_uri(spooled.uri), type(exc).__name__, exc)
                return False
            if spooled.kind == "feed":
                stats.inc_value("output/spool/delivered_files")
                stats.inc_value("output/spool/delivered_items", spooled.items)
                await self.crawler.signals.send_catch_log_async(
                    spooled_feed_delivered, uri=spooled.uri, path=spooled.path, meta=spooled.meta)
            logger.info("Spool: delivered %s%s of run %s to %s", spooled.path.name,
                        f" ({spooled.items} items)" if spooled.kind == "feed" else "", spooled.path.parent.name,
                        public_uri(spooled.uri))
            self.spool.remove(spooled)
        return True

    async def upload(self, spooled: SpooledFile) -> None:
        """Store the file through Scrapy's own storage for the URI's scheme (not ours: a failure here
        must leave the file where it is, not spool it again)."""
        scheme = urlsplit(spooled.uri).scheme
        storage_cls = load_object(self.crawler.settings.getdict("FEED_STORAGES_BASE")[scheme])
        storage = build_from_crawler(storage_cls, self.crawler, spooled.uri, feed_options={"overwrite": True})
        fh = spooled.path.open("rb")
        try:
            await ensure_awaitable(storage.store(fh))
        finally:
            fh.close()

    def _mark_delivered_late(self, spooled: SpooledFile) -> None:
        manifest = json.loads(spooled.path.read_text("utf-8"))
        manifest["delivered_late"] = {"by_run": self.run_id, "at": _now()}
        self.spool.add(spooled.path.parent.parent.name, spooled.path.parent.name, spooled.path.name,
                       json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"), spooled.meta)
        spooled.meta.update(json.loads(spooled.path.with_name(spooled.path.name + SIDECAR).read_text("utf-8")))


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
