"""Take an article's page from a web archive when the site no longer serves it.

A downloader middleware, on only when the run names an archive among its sources (``-a sources=
site,wayback,commoncrawl``; a back-fill of an outlet whose own discovery cannot reach the window names
both). It looks at the final answer to an article page request (after retries and rendering):

* ``gone``: 404 or 410 (the item gets ``deleted_from_site: true``);
* ``blocked``: 403 or 451;
* ``challenge``: a JavaScript challenge page (``RENDER_CHALLENGE_*``) that rendering, where the outlet
  renders, did not get past;
* ``unreachable``: a download error after retries (refused, DNS, timeout); after
  ``WEBARCHIVE_SITE_DOWN_AFTER`` such failures with no answer from the host at all, the site counts as
  down for the rest of the run and its article pages go to the archives directly;

and answers instead with the archived page, under the article's canonical URL, so that the spider, the
parser and the pipelines run unchanged. Which capture: the one the archive listed the article with
(``meta["webarchive_entry"]``, when an archive discovered it: this spares a rate-limited index query per
page), else the newest 200 HTML capture the Wayback CDX API lists for the URL, else a Common Crawl
record from the first of ``WEBARCHIVE_CC_LOOKUP_COLLECTIONS`` collections after the article's day that
holds it. Wayback pages are the raw captures (``https://web.archive.org/web/<timestamp>id_/<url>``);
Common Crawl records are read with an HTTP range request on the WARC file and decoded with warcio.
Archive requests go through the downloader (robots.txt, MIRRORS, retries, Retry-After) in the
archive's own download slot (``DOWNLOAD_SLOTS``).

Provenance travels in the request meta ``webarchive_capture`` = ``{source, archived_at, archive_url,
deleted_from_site, site_status}``; the spider copies it to the item's ``source``, ``archived_at``,
``archive_url``, ``deleted_from_site``.

Stats: ``webarchive/fetched/<wayback|commoncrawl>``, ``webarchive/reason/<gone|blocked|challenge|unreachable>``,
``webarchive/missing/<reason>`` (no archive had the page: the site's answer goes on as it was),
``webarchive/lookups/<wayback|commoncrawl>`` (index queries made for one page), ``webarchive/unreadable/<source>``,
``webarchive/site_down``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode, urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import (CannotResolveHostError, DownloadConnectionRefusedError, DownloadFailedError,
                               DownloadTimeoutError, IgnoreRequest, NotConfigured)
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.responsetypes import responsetypes
from twisted.internet import error as net

from crawler.discovery import commoncrawl, wayback
from crawler.discovery.web_archives import (ENTRY, SLOT_CC_DATA, SLOT_CC_INDEX, SLOT_WAYBACK, SLOT_WAYBACK_CDX,
                                       archive_request, capture_iso)
from crawler.middlewares.challenge import PageCheck
from crawler.middlewares.incremental import canonical_of

logger = logging.getLogger(__name__)

META = "webarchive_capture"
LOOKUP = "webarchive_lookup"  # on the middleware's own requests to the archives
MISSING = "webarchive_missing"  # set on a page request no archive had: not asked again for its retries
GONE, BLOCKED = (404, 410), (403, 451)
UNREACHABLE = (DownloadConnectionRefusedError, CannotResolveHostError, DownloadTimeoutError, DownloadFailedError,
               net.ConnectionRefusedError, net.DNSLookupError, net.TCPTimedOutError, net.TimeoutError,
               net.ConnectError, net.ConnectionLost)  # Scrapy's download errors, and Twisted's for other handlers
DROP_HEADERS = {b"etag", b"last-modified", b"set-cookie", b"content-encoding", b"transfer-encoding",
                b"content-length", b"content-range", b"accept-ranges"}


@dataclass
class Capture:
    source: str
    body: bytes
    headers: list[tuple[str, str]]
    archived_at: str | None
    archive_url: str


class WebArchiveMiddleware:
    def __init__(self, crawler: Crawler, sources: tuple[str, ...], check: PageCheck, down_after: int = 3,
                 cc_collections: int = 3, max_size: int = 32 * 1024 * 1024) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.sources = sources
        self.check = check
        self.down_after = down_after
        self.cc_collections = cc_collections
        self.max_size = max_size
        self.answered: set[str] = set()  # hosts that answered at least once in this run
        self.failures: dict[str, int] = {}
        self.down: set[str] = set()
        self._collections: list[commoncrawl.Collection] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WebArchiveMiddleware:
        sources = tuple(getattr(crawler.spider, "archive_sources", ()) or ())
        if not sources:
            raise NotConfigured  # the run takes pages from the site only (no log line)
        settings = crawler.settings
        check = PageCheck.of(settings.getlist("RENDER_CHALLENGE_MARKERS"), settings.getlist("RENDER_SHELL_SELECTORS"),
                             settings.getlist("RENDER_CHALLENGE_STATUSES"), settings.getint("RENDER_MIN_TEXT"))
        return cls(crawler, sources, check, settings.getint("WEBARCHIVE_SITE_DOWN_AFTER", 3),
                   settings.getint("WEBARCHIVE_CC_LOOKUP_COLLECTIONS", 3), settings.getint("DOWNLOAD_MAXSIZE"))

    # ------------------------------------------------------------------ which requests
    @staticmethod
    def is_page(request: Request) -> bool:
        """An article's own page (not its API record, not a request of ours to an archive)."""
        meta = request.meta
        if meta.get(LOOKUP) or meta.get("local_html"):
            return False
        return bool(meta.get("fetch_fallback") or (meta.get("article") and "canonical_url" not in meta))

    async def process_request(self, request: Request) -> Response | None:
        if not self.is_page(request) or META in request.meta:
            return None
        host = urlsplit(canonical_of(request)).hostname or ""
        if host in self.down:
            return await self.from_archive(request, "unreachable", None)
        return None

    async def process_response(self, request: Request, response: Response) -> Response:
        if not self.is_page(request) or "webarchive" in response.flags:
            return response
        self.answered.add(urlsplit(canonical_of(request)).hostname or "")
        reason = self.reason(response)
        if reason is None:
            return response
        return await self.from_archive(request, reason, response.status) or response

    async def process_exception(self, request: Request, exception: BaseException) -> Response | None:
        if not self.is_page(request) or not isinstance(exception, UNREACHABLE):
            return None
        host = urlsplit(canonical_of(request)).hostname or ""
        self.failures[host] = self.failures.get(host, 0) + 1
        if host not in self.answered and host not in self.down and self.failures[host] >= self.down_after:
            self.down.add(host)
            self.stats.inc_value("webarchive/site_down")
            logger.warning("%s has not answered once in %d attempts (%s): its article pages are taken from "
                           "%s for the rest of the run", host, self.failures[host], type(exception).__name__,
                           " and ".join(self.sources))
        return await self.from_archive(request, "unreachable", None)

    def reason(self, response: Response) -> str | None:
        if response.status in GONE:
            return "gone"
        if response.status in BLOCKED:
            return "blocked"
        if isinstance(response, TextResponse) and self.check.reason(response.status, response.text) == "challenge":
            return "challenge"
        return None

    # ------------------------------------------------------------------ the archived page
    async def from_archive(self, request: Request, reason: str, status: int | None) -> Response | None:
        if request.meta.get(MISSING):  # asked already for this page (before its retries): not again
            return None
        url = canonical_of(request)
        self.stats.inc_value(f"webarchive/reason/{reason}")
        entry = request.meta.get(ENTRY) or {}
        # the archive that listed the article first: it has the capture already
        for source in sorted(self.sources, key=lambda name: name != entry.get("source")):
            try:
                capture = await (self.wayback(url, entry) if source == "wayback"
                                 else self.commoncrawl(url, entry, _day(request.meta.get("article_day"))))
            except IgnoreRequest:
                capture = None
            if capture is None:
                continue
            self.stats.inc_value(f"webarchive/fetched/{source}")
            logger.info("Article %s taken from %s (%s; site: %s), captured %s: %s", url, source, reason,
                        status or "no answer", capture.archived_at, capture.archive_url)
            request.meta[META] = {"source": source, "archived_at": capture.archived_at,
                                  "archive_url": capture.archive_url, "deleted_from_site": reason == "gone",
                                  "site_status": status}
            return self.response(url, request, capture)
        request.meta[MISSING] = True
        self.stats.inc_value(f"webarchive/missing/{reason}")
        logger.warning("Article %s (%s; site: %s) is in no web archive that was asked (%s)", url, reason,
                       status or "no answer", ", ".join(self.sources))
        return None

    def response(self, url: str, request: Request, capture: Capture) -> Response:
        headers = [(k, v) for k, v in capture.headers if k.lower().encode("latin-1") not in DROP_HEADERS]
        if not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", "text/html"))
        cls = responsetypes.from_args(headers=dict(headers), url=url, body=capture.body)
        if not issubclass(cls, TextResponse):
            cls = HtmlResponse
        return cls(url=url, status=200, headers=headers, body=capture.body, request=request, flags=["webarchive"])

    # ------------------------------------------------------------------ Wayback Machine
    async def wayback(self, url: str, entry: dict[str, Any]) -> Capture | None:
        if entry.get("source") == "wayback":
            timestamp, original = entry["timestamp"], entry["url"]
        else:
            self.stats.inc_value("webarchive/lookups/wayback")
            answer = await self.download(wayback.lookup_query(url), SLOT_WAYBACK_CDX)
            if answer is None:
                return None
            try:
                rows = wayback.parse_cdx(answer.body).rows
            except ValueError as exc:
                self.stats.inc_value("webarchive/unreadable/wayback")
                logger.error("Unreadable CDX answer for %s: %s", url, exc)
                return None
            rows = [r for r in rows if r.get("timestamp") and r.get("original")]
            if not rows:
                return None
            newest = max(rows, key=lambda r: r["timestamp"])
            timestamp, original = newest["timestamp"], newest["original"]
        location = wayback.capture_url(timestamp, original)
        page = await self.download(location, SLOT_WAYBACK)
        if page is None or not page.body.strip():
            return None
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in page.headers.items() for v in vs]
        return Capture("wayback", page.body, headers, capture_iso(timestamp), location)

    # ------------------------------------------------------------------ Common Crawl
    async def commoncrawl(self, url: str, entry: dict[str, Any], day: date | None) -> Capture | None:
        record = entry if entry.get("source") == "commoncrawl" else await self.cc_lookup(url, day)
        if not record:
            return None
        location, headers = commoncrawl.range_request_args(record)
        answer = await self.download(location, SLOT_CC_DATA, headers=headers)
        if answer is None:
            return None
        data = answer.body
        if answer.status == 200 and len(data) > int(record["length"]):  # the Range header was not honoured
            start = int(record["offset"])
            data = data[start:start + int(record["length"])]
        try:
            page = commoncrawl.read_record(data, self.max_size)
        except ValueError as exc:
            self.stats.inc_value("webarchive/unreadable/commoncrawl")
            logger.error("Unreadable WARC record for %s at %s: %s", url, commoncrawl.record_url(record), exc)
            return None
        if page.status != 200 or not page.body.strip():
            return None
        return Capture("commoncrawl", page.body, page.headers, capture_iso(record["timestamp"]),
                       commoncrawl.record_url(record))

    async def cc_lookup(self, url: str, day: date | None) -> dict[str, str] | None:
        collections = await self.collections()
        if day is not None:
            chosen = [c for c in collections if c.last >= day][: self.cc_collections]
        else:
            chosen = list(reversed(collections))[: self.cc_collections]
        for collection in chosen:
            self.stats.inc_value("webarchive/lookups/commoncrawl")
            query = f"{collection.api}?{urlencode([('url', url), ('output', 'json'), ('filter', 'status:200'), ('filter', 'mime:text/html')])}"
            answer = await self.download(query, SLOT_CC_INDEX)
            if answer is None:
                continue
            records = [r for r in commoncrawl.parse_index_lines(answer.body) if commoncrawl.usable(r)]
            if records:
                return max(records, key=lambda r: r["timestamp"])
        return None

    async def collections(self) -> list[commoncrawl.Collection]:
        if self._collections is None:
            answer = await self.download(commoncrawl.COLLINFO, SLOT_CC_INDEX)
            try:
                self._collections = commoncrawl.parse_collinfo(answer.body) if answer is not None else []
            except ValueError as exc:
                self.stats.inc_value("webarchive/unreadable/commoncrawl")
                logger.error("Unreadable collinfo.json: %s", exc)
                self._collections = []
        return self._collections

    # ------------------------------------------------------------------ requests to the archives
    async def download(self, url: str, slot: str, headers: dict[str, str] | None = None) -> Response | None:
        """An archive answer (2xx), or None: not archived (4xx), failing (5xx after retries), unreachable."""
        request = archive_request(url, slot, headers=headers, meta={LOOKUP: True}, dont_filter=True)
        try:
            response = await self.crawler.engine.download_async(request)
        except IgnoreRequest:
            raise
        except Exception as exc:  # a download error after retries: that archive is not reachable now
            self.stats.inc_value(f"webarchive/error/{type(exc).__name__}")
            logger.warning("Web archive request failed: %s: %s: %s", url, type(exc).__name__, exc)
            return None
        if response.status >= 300:
            if response.status != 404:
                self.stats.inc_value(f"webarchive/http_error/{response.status}")
                logger.warning("Web archive answered HTTP %s: %s", response.status, url)
            return None
        return response


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
