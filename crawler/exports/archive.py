"""The evidence archive: every response the crawler parsed, kept as WARC records in one WACZ per run,
beside the run's feed files (``<outlet>/<YYYY-MM-DD>/<run_id>.wacz``), through the same storages.

Reads: ``ARCHIVE_ENABLED`` (resolved by the output add-on: ``auto`` means on for scheduled runs, i.e.
under Scrapyd or with ``OUTPUT_URI`` set), ``OUTPUT_ARCHIVE_URI`` (set by the output add-on),
``ARCHIVE_ARTICLES_ONLY`` (keep only article pages and their API records), ``ARCHIVE_GZIP_LEVEL`` (default 3),
``FEED_STORAGES`` (the WACZ is stored like a feed file: a local file is written as ``.part`` and
renamed; on S3 it is written in the spool and uploaded, and stays in the spool when the upload
fails, to be delivered by the outlet's next run).

What is written (:mod:`crawler.middlewares.archive` calls :meth:`ArchiveOutput.record` for every
response handed to a spider callback): a ``response`` record holding the status line, headers and body
as the server sent them (the body still in its ``Content-Encoding``; the canonical URL, never a
mirror's, as ``WARC-Target-URI``), its ``request`` record, and for a page rendered in the browser a
``conversion`` record (``resource`` when there was no plain response) with the rendered HTML, marked
``Ruspress-Rendered: <reason>``. The response's meta gets ``archive`` = ``{"wacz", "record", "date"}``,
which the spider copies into the article (``archive``: the WACZ name and the record id).

When the spider closes, the WACZ is completed (index, page list with titles, datapackage) and stored;
the run manifest lists it under ``archive`` (:mod:`crawler.exports.manifest` waits for it).
Stats: ``archive/records``, ``archive/responses``, ``archive/rendered``, ``archive/skipped/<kind>``
(not kept with ``ARCHIVE_ARTICLES_ONLY``), ``archive/bytes``, ``archive/stored``, ``archive/spooled``,
``archive/failed`` (and ``output/failed``: the crawl exits 3).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from typing import IO, Any
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import run_in_thread
from scrapy.utils.defer import ensure_awaitable
from scrapy.utils.misc import build_from_crawler, load_object

from crawler import outcome
from crawler.exports.layout import public_uri
from crawler.middlewares import render
from crawler.exports.storages import StoredFile, describe
from crawler.exports.wacz import Capture, WaczWriter, new_record_id

logger = logging.getLogger(__name__)

META = "archive"  # request meta: {"wacz": name, "record": WARC-Record-ID, "date": ISO time of the capture}
RAW = "_archive_raw"  # request meta: the response as received, before decompression (set by the capture middleware)
ARTICLE_KINDS = ("article", "api_document")
AUTO = "auto"


def archive_wanted(settings: BaseSettings, scheduled: bool) -> bool:
    """``ARCHIVE_ENABLED``: True/False as given; ``auto`` (the default) is on for scheduled runs:
    a Scrapyd job, or a run with ``OUTPUT_URI`` set (the deployments that build the corpus)."""
    value = settings.get("ARCHIVE_ENABLED", AUTO)
    if value is None or str(value).lower() == AUTO:
        return scheduled or bool(settings.get("OUTPUT_URI"))
    return settings.getbool("ARCHIVE_ENABLED")


def kind_of(meta: dict[str, Any]) -> str:
    """What the crawler did with a response: article, api_document, sitemap, feed, robots, api, ..."""
    if meta.get("article") or meta.get("fetch_fallback") or meta.get("local_html"):
        return "article"
    return str(meta.get("discovery") or "other")


class ArchiveOutput:
    def __init__(self, crawler: Crawler, uri: str, articles_only: bool = False, gzip_level: int = 3) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.uri = uri
        self.name = urlsplit(uri).path.rsplit("/", 1)[-1]
        self.articles_only = articles_only
        self.gzip_level = gzip_level
        self.storage: Any = None
        self.file: IO[bytes] | None = None
        self.writer: WaczWriter | None = None
        self.result: asyncio.Future[StoredFile | None] | None = None
        self.broken: str | None = None
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive")  # keeps the records in order

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveOutput:
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_ENABLED"):
            raise NotConfigured("ARCHIVE_ENABLED is off")
        uri = settings.get("OUTPUT_ARCHIVE_URI")
        if not uri:
            raise NotConfigured("no OUTPUT_ARCHIVE_URI (the output add-on sets it)")
        level = settings.getint("ARCHIVE_GZIP_LEVEL", 3)
        if not 1 <= level <= 9:
            raise ValueError(f"ARCHIVE_GZIP_LEVEL={level}: expected 1 (fastest) .. 9 (smallest)")
        ext = cls(crawler, uri, settings.getbool("ARCHIVE_ARTICLES_ONLY"), level)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @classmethod
    def of(cls, crawler: Crawler) -> ArchiveOutput | None:
        exts = crawler.extensions.middlewares if crawler.extensions else ()
        return next((e for e in exts if isinstance(e, cls)), None)

    # ------------------------------------------------------------------ open
    def spider_opened(self, spider: Spider) -> None:
        scheme = urlsplit(self.uri).scheme or "file"
        storages = self.crawler.settings.getwithbase("FEED_STORAGES")
        self.storage = build_from_crawler(load_object(storages[scheme]), self.crawler, self.uri,
                                          feed_options={"overwrite": True, "spool_kind": "archive"})
        try:
            self.file = self.storage.open(spider)
            self.writer = WaczWriter(self.file, title=f"{spider.name} {self.name}", software=_software(),
                                     description=f"Responses parsed by ruspress-crawler, run {self.name[:-5]}",
                                     warcinfo=self.warcinfo(spider), gzip_level=self.gzip_level)
        except OSError as exc:
            self.broken = describe(exc)
            logger.error("Archive %s cannot be written: %s; the crawl goes on without it",
                         public_uri(self.uri), self.broken)
            return
        logger.info("Archive of run: %s (%s)", public_uri(self.uri),
                    "article pages only" if self.articles_only else "every parsed response")

    def warcinfo(self, spider: Spider) -> dict[str, Any]:
        """The run's context, read back by ``scrapy reextract`` (the spider and its window)."""
        info: dict[str, Any] = {"software": _software(), "format": "WARC File Format 1.1",
                                "isPartOf": self.name, "spider": spider.name,
                                "robots": "obey" if self.crawler.settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                                "http-header-user-agent": self.crawler.settings.get("USER_AGENT", "")}
        for name in ("since", "until", "mode", "render_mode", "limit"):
            value = getattr(spider, name, None)
            if value is not None:
                info[f"ruspress-{name.replace('_', '-')}"] = str(value)
        return info

    # ------------------------------------------------------------------ records
    def record(self, response: Response) -> dict[str, str] | None:
        """Archive ``response`` (about to be parsed); returns the meta that names its capture."""
        if self.writer is None or self.writer.closed:
            return None
        meta = response.meta
        kind = kind_of(meta)
        if self.articles_only and kind not in ARTICLE_KINDS:
            self.stats.inc_value(f"archive/skipped/{kind}")
            return None
        when = datetime.now(timezone.utc).replace(microsecond=0)
        request = response.request
        requested = (meta.get("mirror") or {}).get("canonical") or (meta.get("redirect_urls") or [None])[0]
        request_headers = _header_list(request.headers) if request is not None else []
        raw = meta.get(RAW)
        captures = []
        if render.is_rendered(response):
            plain_id = (meta.get(META) or {}).get("record")  # re-rendered by the spider: its plain page's record
            if raw is not None:
                plain = self._plain(response, raw, when, kind, requested, request_headers)
                captures.append(plain)
                plain_id = plain.record_id
                self.stats.inc_value("archive/responses")
            captures.append(Capture(
                response.url, when, body=response.body, kind=kind, requested_url=requested,
                rendered=str(meta.get(render.META_REASON) or "always"), refers_to=plain_id,
                mime=response.headers.get("Content-Type", b"text/html").decode("latin-1"), record_id=new_record_id()))
            self.stats.inc_value("archive/rendered")
        else:
            captures.append(self._plain(response, raw, when, kind, requested, request_headers))
            self.stats.inc_value("archive/responses")
        self.worker.submit(self._write, captures)
        return {"wacz": self.name, "record": captures[-1].record_id or "", "date": when.isoformat()}

    def _write(self, captures: list[Capture]) -> None:
        """In the writer thread: build, gzip and append the records (zlib and hashlib release the GIL,
        so this runs beside the crawl instead of in the reactor's thread)."""
        if self.writer is None or self.broken:
            return
        try:
            for capture in captures:
                self.writer.add(capture)
        except Exception as exc:
            self.broken = describe(exc)
            logger.error("Archive %s: writing failed (%s); no more responses are archived in this run",
                         public_uri(self.uri), self.broken)

    @staticmethod
    def _plain(response: Response, raw: Any, when: datetime, kind: str, requested: str | None,
               request_headers: list[tuple[str, str]]) -> Capture:
        if raw is not None:  # as received: before decompression (and before a browser re-fetch)
            status, headers, body, protocol = raw
        else:
            status, headers, body, protocol = response.status, response.headers, response.body, response.protocol
        request = response.request
        return Capture(response.url, when, status, _header_list(headers), body, protocol or "HTTP/1.1",
                       method=request.method if request is not None else "GET",
                       request_headers=request_headers,
                       request_body=request.body if request is not None else b"",
                       kind=kind, requested_url=requested, record_id=new_record_id())

    def item_scraped(self, item: Any) -> None:
        if self.writer is None:
            return
        adapter = ItemAdapter(item)
        capture = adapter.get("archive") if "archive" in adapter.field_names() else None
        if capture and capture.get("record"):
            self.writer.title_page(capture["record"], adapter.get("title"))

    # ------------------------------------------------------------------ close
    async def spider_closed(self, spider: Spider) -> None:
        await self.finished()

    async def finished(self) -> StoredFile | None:
        """The stored WACZ (None when the archive was not written): completes and stores it once, when
        the spider closes or the manifest asks first (both happen after the last response was parsed)."""
        if self.result is None:
            self.result = asyncio.ensure_future(self._finish())
        return await asyncio.shield(self.result)

    async def _finish(self) -> StoredFile | None:
        if self.writer is None or self.file is None:
            if self.broken:
                self._failed(StoredFile(public_uri(self.uri), error=self.broken))
            return None
        writer = self.writer
        try:
            await run_in_thread(self.worker.shutdown, True)  # every record written
            await run_in_thread(writer.close)
            if self.broken:
                raise OSError(self.broken)
        except Exception as exc:
            stored = StoredFile(public_uri(self.uri), error=describe(exc))
            self._failed(stored)
            return stored
        self.stats.set_value("archive/records", writer.records)
        try:
            await ensure_awaitable(self.storage.store(self.file))
        except Exception as exc:
            stored = getattr(self.storage, "stored", None) or StoredFile(public_uri(self.uri), error=describe(exc))
            if stored.spooled:
                self.stats.set_value("archive/spooled", 1)
                logger.error("Archive %s was not uploaded (%s); it is kept in the spool (%s) and the next run "
                             "delivers it", public_uri(self.uri), stored.error, stored.spooled)
            self._failed(stored)
            return stored
        stored = getattr(self.storage, "stored", None) or StoredFile(public_uri(self.uri), ok=True)
        self.stats.set_value("archive/stored", 1)
        if stored.bytes is not None:
            self.stats.set_value("archive/bytes", stored.bytes)
        logger.info("Archive stored: %s (%d records, %d responses, %s bytes)", stored.uri, writer.records,
                    writer.responses, stored.bytes)
        return stored

    def _failed(self, stored: StoredFile) -> None:
        self.stats.set_value("archive/failed", 1)
        self.stats.inc_value("output/failed")
        outcome.settle(self.stats)
        if not stored.spooled:
            logger.error("ARCHIVE NOT DELIVERED: %s: %s; the crawl exits with code %d", stored.uri, stored.error,
                         self.crawler.settings.getint("OUTPUT_FAILED_EXIT_CODE", 3))


def _header_list(headers: Any) -> list[tuple[str, str]]:
    """Scrapy ``Headers`` (or a list of pairs) as (name, value) text pairs, every value of a repeated header."""
    if isinstance(headers, list):
        return headers
    pairs = []
    for name, values in headers.items():
        for value in values:
            pairs.append((name.decode("latin-1"), value.decode("latin-1")))
    return pairs


def _software() -> str:
    try:
        return f"ruspress-crawler {version('ruspress-crawler')}"
    except PackageNotFoundError:
        return "ruspress-crawler"
