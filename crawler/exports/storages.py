"""S3 feed storage with a local spool: failed uploads lose nothing.

:class:`SpoolingS3FeedStorage` (``s3://`` in ``FEED_STORAGES``) is Scrapy's own ``S3FeedStorage``
(``AWS_*`` settings, ``AWS_ENDPOINT_URL`` for S3-compatible stores; keys from the environment),
except that the file it uploads is written in the spool (``OUTPUT_SPOOL_DIR``) instead of a
throw-away temporary file. When the upload succeeds the file is removed; when it fails the file
stays in the spool with a sidecar saying where it belongs and how many items it holds, and the error
goes on to Scrapy's FeedExporter, which logs it and counts
``feedexport/failed_count/SpoolingS3FeedStorage`` (and the delivery tracker marks the slot's items
as not delivered). Without a spool directory it warns and behaves as Scrapy's.

``storage.stored`` (:class:`StoredFile`: URI without credentials, bytes, sha256, ok or the error,
the spooled path) is read by the manifest on ``feed_slot_closed``. Feed option ``spool_kind``
(``feed``, default, or ``manifest``) is what a spooled copy's sidecar says it is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import S3FeedStorage
from scrapy.utils.asyncio import run_in_thread

from crawler.exports.layout import public_uri
from crawler.exports.spool import Spool, sha256_of

logger = logging.getLogger(__name__)


@dataclass
class StoredFile:
    uri: str  # never with credentials
    bytes: int | None = None
    sha256: str | None = None
    ok: bool = False
    error: str | None = None
    spooled: str | None = None  # path of the spooled copy, when the upload failed

    @property
    def name(self) -> str:
        return PurePosixPath(self.uri.split("?", 1)[0]).name


def describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def unwrap(storage: Any) -> Any:
    """The storage itself, when another component wrapped it (the delivery tracker does)."""
    return getattr(storage, "inner", storage)


class SpoolingS3FeedStorage(S3FeedStorage):
    uri: str = ""
    kind: str = "feed"
    spider_name: str = ""
    spool: Spool | None = None
    run_id: str = ""
    part: Path | None = None
    stored: StoredFile | None = None
    crawler_signals: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, uri: str, *,
                     feed_options: dict[str, Any] | None = None) -> SpoolingS3FeedStorage:
        storage = super().from_crawler(crawler, uri, feed_options=feed_options)
        storage.uri = public_uri(uri)
        storage.kind = (feed_options or {}).get("spool_kind", "feed")
        storage.spool = Spool.from_settings(crawler.settings)
        storage.run_id = crawler.settings.get("OUTPUT_RUN_ID") or "no-run-id"
        storage.crawler_signals = crawler.signals
        crawler.signals.connect(storage.slot_closed, signal=signals.feed_slot_closed)
        return storage

    def open(self, spider: Spider) -> IO[bytes]:
        self.spider_name = spider.name
        if self.spool is None:
            logger.warning("No OUTPUT_SPOOL_DIR: if the upload to %s fails, its items are lost", self.uri)
            return super().open(spider)
        name = PurePosixPath(self.keyname).name or "feed"
        self.part = self.spool.part_path(spider.name, self.run_id, name)
        return self.part.open("w+b")

    async def store(self, file: IO[bytes]) -> None:  # type: ignore[override]
        size = digest = None
        try:
            if self.part is not None:
                file.flush()
                digest, size = await run_in_thread(sha256_of, self.part)
            await run_in_thread(self._store_in_thread, file)
        except Exception as exc:
            self.stored = StoredFile(self.uri, size, digest, error=describe(exc))
            if self.spool is not None and self.part is not None and self.part.exists():
                kept = await run_in_thread(self.spool.keep, self.part, {
                    "uri": self.uri, "kind": self.kind, "run_id": self.run_id, "spider": self.spider_name,
                    "error": self.stored.error})
                self.stored.spooled = str(kept.path)
            raise
        self.stored = StoredFile(self.uri, size, digest, ok=True)
        if self.part is not None:
            self.part.unlink(missing_ok=True)
            try:
                self.part.parent.rmdir()
            except OSError:
                pass  # other files of the run are still there

    def slot_closed(self, slot: Any) -> None:
        """``feed_slot_closed``: the item count is the slot's; a spooled copy's sidecar records it."""
        if unwrap(slot.storage) is not self:
            return
        self.crawler_signals.disconnect(self.slot_closed, signal=signals.feed_slot_closed)
        if self.stored and self.stored.spooled and self.spool is not None:
            self.spool.update(Path(self.stored.spooled), items=slot.itemcount)
