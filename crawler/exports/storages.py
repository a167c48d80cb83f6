"""Feed storages that say what they stored, and keep what S3 refused.

* :class:`LocalFeedStorage` (``file://`` and plain paths in ``FEED_STORAGES``): Scrapy's
  ``FileFeedStorage``, except that in overwrite mode (the project's feeds, ``-O``) it writes
  ``<file>.part`` and renames it when the feed is stored, so a feed file exists only once it is
  complete (and its items can be recorded as delivered); append mode (``-o``) writes in place.
  A file that cannot be opened (its folder cannot be created, a full or read-only disk) does not
  break the crawl: the items go to a throw-away file and ``store()`` raises the error, so the feed
  counts as not stored (``feedexport/failed_count/LocalFeedStorage``, exit code 3, the items are not
  recorded as delivered). :func:`local_feed_problem` finds most such paths before the crawl starts.
* :class:`SpoolingS3FeedStorage` (``s3://``) is Scrapy's own ``S3FeedStorage`` (``AWS_*`` settings,
  ``AWS_ENDPOINT_URL`` for S3-compatible stores; keys from the environment), except that the file it
  uploads is written in the spool (``OUTPUT_SPOOL_DIR``) instead of a throw-away temporary file.
  When the upload succeeds the file is removed; when it fails the file stays in the spool with a
  sidecar saying where it belongs and how many items it holds, ``stored.spooled`` names it, and the
  error goes on to Scrapy's FeedExporter, which logs it and counts
  ``feedexport/failed_count/SpoolingS3FeedStorage``. Without a spool directory it warns and behaves
  as Scrapy's. Feed option ``spool_kind`` (``feed``, default, or ``manifest``) is what a spooled
  copy's sidecar says it is.

Both set ``storage.stored`` (:class:`StoredFile`: URI without credentials, bytes, sha256, ok or the
error, the spooled path), which the manifest and the delivery tracker read on ``feed_slot_closed``.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import urlsplit

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FileFeedStorage, S3FeedStorage
from scrapy.utils.asyncio import run_in_thread
from w3lib.url import file_uri_to_path

from crawler.exports.layout import public_uri
from crawler.exports.spool import PART, Spool, sha256_of

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


def local_feed_problem(uri: str) -> str | None:
    """Why a local feed (a path or ``file://`` URI) cannot be written, or None (also for other
    schemes). Creates the folder, as the feed would, and a temporary file in it."""
    scheme = urlsplit(uri).scheme
    if scheme not in ("", "file") and len(scheme) != 1:  # one letter: a Windows drive
        return None
    path = file_uri_to_path(uri) if scheme == "file" else uri
    literal = path.split("%(", 1)[0]  # up to the first %(name)s-style placeholder
    folder = Path(literal).expanduser() if literal.endswith(("/", os.sep)) else Path(literal).expanduser().parent
    if folder.exists() and not folder.is_dir():
        return f"{folder} is not a folder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return f"{folder}: {exc.strerror or exc}"
    if literal == path and Path(path).is_dir():
        return f"{path} is a folder"
    return None


def unwrap(storage: Any) -> Any:
    """The storage itself, when another component wrapped it (the delivery tracker does)."""
    return getattr(storage, "inner", storage)


class LocalFeedStorage(FileFeedStorage):
    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None) -> None:
        super().__init__(uri, feed_options=feed_options)
        self.uri = public_uri(uri) if "://" in uri else Path(self.path).absolute().as_uri()
        self.atomic = self.write_mode == "wb"
        self.part: Path | None = None
        self.stored: StoredFile | None = None
        self.open_error: OSError | None = None

    def open(self, spider: Spider) -> IO[bytes]:
        try:
            if not self.atomic:
                return super().open(spider)
            path = Path(self.path)
            path.parent.mkdir(parents=True, exist_ok=True)
            self.part = path.with_name(path.name + PART)
            return self.part.open("wb")
        except OSError as exc:
            logger.error("Cannot write the feed %s: %s; its items are not delivered", self.path, describe(exc))
            self.open_error, self.part = exc, None
            return tempfile.TemporaryFile()  # the crawl goes on; store() reports the failure

    async def store(self, file: IO[bytes]) -> None:  # type: ignore[override]
        try:
            if self.open_error is not None:
                file.close()
                raise self.open_error
            await run_in_thread(self._publish, file)
        except Exception as exc:
            self.stored = StoredFile(self.uri, error=describe(exc))
            raise

    def _publish(self, file: IO[bytes]) -> None:
        if not file.closed:
            file.flush()
            os.fsync(file.fileno())
            file.close()
        if self.part is not None:
            os.replace(self.part, self.path)
        digest, size = sha256_of(Path(self.path))
        self.stored = StoredFile(self.uri, size, digest, ok=True)


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
