"""Common Crawl as a discovery source: the URL index of every collection that overlaps the window.

``GET https://index.commoncrawl.org/collinfo.json`` lists the collections (``id``, ``cdx-api``, and the
time span of the crawl as ``from``/``to``; without them the span is taken from the id's year and week,
``CC-MAIN-2024-10``: the crawl ends about that week). For each collection whose span overlaps the
window (``since`` .. ``until`` + ``WEBARCHIVE_CAPTURE_LAG_DAYS``), oldest first, the index server (pywb's
CDX server API: webrecorder/pywb, docs/manual/cdxserver_api.rst) is asked
``<cdx-api>?url=<prefix>*&output=json&filter=status:200&filter=mime:text/html&from=..&to=..&showNumPages=true``
(answer ``{"pages": N, ...}``) and then the same query with ``&page=0`` .. ``N-1``: one JSON object per
line with ``url``, ``timestamp``, ``status``, ``mime``, ``filename``, ``offset``, ``length``. The record
gives what is needed to take the page from the WARC file later (:func:`read_record`), so each entry
travels with its article request as ``meta["webarchive_entry"]``.

Pages are read one at a time (``spider.next_page``: the next once this page's articles are done), like
the Wayback listing; the cursor after each page is
``{"until": ..., "collection": <id>, "page": <n>}`` (``{"until": ..., "done": true}`` at the end) under
``commoncrawl:<prefix>``. Please do not overload the index server: it is one machine (Common Crawl's
notice on index.commoncrawl.org; ``DOWNLOAD_SLOTS`` keeps one request at a time, 2 s apart), and
``collinfo.json`` is read once per run.

Stats: ``discovery/commoncrawl/collections`` (collections read), ``discovery/commoncrawl/pages``,
``discovery/commoncrawl/entries``, ``discovery/commoncrawl/unreadable``, ``discovery/commoncrawl/resumed``,
``discovery/commoncrawl/done_before``.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler.discovery.web_archives import (ENTRY, PAGE_PRIORITY, SLOT_CC_INDEX, archive_request, capture_iso,
                                       read_cursor, window_stamps)
from crawler.discovery.wayback import prefixes

if TYPE_CHECKING:
    from crawler.spiders.base import OutletSpider

logger = logging.getLogger(__name__)

INDEX = "https://index.commoncrawl.org/"
COLLINFO = INDEX + "collinfo.json"
DATA = "https://data.commoncrawl.org/"
_ID = re.compile(r"^CC-MAIN-(?P<year>\d{4})-(?P<week>\d{2})$")


@dataclass(frozen=True)
class Collection:
    id: str
    api: str
    first: date
    last: date

    def overlaps(self, since: date, until: date) -> bool:
        return self.first <= until and self.last >= since


def parse_collinfo(body: bytes) -> list[Collection]:
    """The collections of ``collinfo.json``, oldest first; those whose span cannot be told are left out.
    Raises ValueError when the body is not a JSON list."""
    data = json.loads(body.decode("utf-8"))
    if not isinstance(data, list):
        raise ValueError("collinfo.json is not a JSON list")
    found = []
    for item in data:
        if not isinstance(item, dict) or not item.get("id") or not item.get("cdx-api"):
            continue
        span = _span(item)
        if span:
            found.append(Collection(str(item["id"]), str(item["cdx-api"]), *span))
    return sorted(found, key=lambda c: (c.first, c.id))


def _span(item: dict[str, Any]) -> tuple[date, date] | None:
    try:
        return (datetime.fromisoformat(str(item["from"]).replace("Z", "")).date(),
                datetime.fromisoformat(str(item["to"]).replace("Z", "")).date())
    except (KeyError, ValueError):
        pass
    m = _ID.match(str(item["id"]))
    if not m:
        return None
    try:
        monday = date.fromisocalendar(int(m["year"]), int(m["week"]), 1)
    except ValueError:
        return None
    return monday - timedelta(days=21), monday + timedelta(days=6)


def index_query(api: str, url: str, since: str | None = None, until: str | None = None,
                page: int | None = None) -> str:
    """``page`` None: the number-of-pages query."""
    params = [("url", url), ("output", "json"), ("filter", "status:200"), ("filter", "mime:text/html")]
    if since and until:
        params += [("from", since), ("to", until)]
    params.append(("showNumPages", "true") if page is None else ("page", str(page)))
    return f"{api}?{urlencode(params)}"


def parse_index_lines(body: bytes) -> list[dict[str, str]]:
    """One JSON object per line; lines that are not are skipped (and counted by the caller)."""
    records = []
    for line in body.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append({k: str(v) for k, v in record.items()})
    return records


def usable(record: dict[str, str]) -> bool:
    """A 200 HTML capture with everything needed to read it from its WARC file."""
    return (record.get("status") == "200" and "html" in record.get("mime", "text/html")
            and all(record.get(k) for k in ("url", "timestamp", "filename", "offset", "length"))
            and record["offset"].isdigit() and record["length"].isdigit())


def record_url(record: dict[str, str]) -> str:
    """Where the capture is: the WARC file and the byte range (``…warc.gz#<offset>,<length>``)."""
    return f"{DATA}{record['filename']}#{record['offset']},{record['length']}"


def range_request_args(entry: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The WARC file URL and the ``Range`` header that fetch one record (a gzip member)."""
    start, length = int(entry["offset"]), int(entry["length"])
    return f"{DATA}{entry['filename']}", {"Range": f"bytes={start}-{start + length - 1}"}


@dataclass
class WarcPage:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    target: str | None
    date: str | None


def read_record(data: bytes, max_size: int = 64 * 1024 * 1024) -> WarcPage:
    """The HTTP response stored in one gzipped WARC record (warcio; chunked and gzip content decoded).
    Raises ValueError when ``data`` holds no WARC ``response`` record."""
    from warcio.archiveiterator import ArchiveIterator  # imported when a record is read

    try:
        for record in ArchiveIterator(io.BytesIO(data)):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            body = record.content_stream().read(max_size + 1)
            if len(body) > max_size:
                raise ValueError(f"the record's payload is larger than {max_size} bytes")
            status = int((record.http_headers.get_statuscode() or "0")[:3] or 0)
            headers = [(k, v) for k, v in record.http_headers.headers
                       if k.lower() not in ("content-encoding", "transfer-encoding", "content-length")]
            return WarcPage(status, headers, body, record.rec_headers.get_header("WARC-Target-URI"),
                            record.rec_headers.get_header("WARC-Date"))
    except ValueError:
        raise
    except Exception as exc:  # warcio raises ArchiveLoadFailed, EOFError, zlib errors...
        raise ValueError(f"not a WARC record: {type(exc).__name__}: {exc}") from None
    raise ValueError("no WARC response record in the range")


@dataclass
class _Listing:
    prefix: str
    source: str
    until: str
    collections: list[Collection] = field(default_factory=list)
    start_page: int = 0
    pages: int = 0  # of the collection being read


class CommonCrawlDiscovery:
    name = "commoncrawl"

    def __init__(self, spider: OutletSpider) -> None:
        self.spider = spider
        self.outlet = spider.outlet
        self.stats = spider.crawler.stats
        self.lag = spider.settings.getint("WEBARCHIVE_CAPTURE_LAG_DAYS", 30)

    async def start(self) -> AsyncIterator[Request]:
        listings = []
        for prefix in prefixes(self.outlet):
            source = f"{self.name}:{prefix}"
            cursor = read_cursor(self.spider.discovery_resume(source))
            if cursor.get("done"):
                self.stats.inc_value("discovery/commoncrawl/done_before")
                logger.info("%s: listed completely by an earlier run of this back-fill", source)
                continue
            listings.append((_Listing(prefix, source, cursor.get("until") or self.spider.until.isoformat()), cursor))
        if listings:
            yield archive_request(COLLINFO, SLOT_CC_INDEX, callback=self.parse_collinfo, errback=self.on_error,
                                  priority=PAGE_PRIORITY, meta={"discovery": "commoncrawl"},
                                  cb_kwargs={"listings": listings})

    def parse_collinfo(self, response: Response, listings: list[tuple[_Listing, dict[str, Any]]]) -> Iterator[Request]:
        try:
            collections = parse_collinfo(response.body)
        except ValueError as exc:
            self.stats.inc_value("discovery/commoncrawl/unreadable")
            logger.error("Unreadable collinfo.json %s: %s; Common Crawl is not listed", response.url, exc)
            return
        for listing, cursor in listings:
            until = date.fromisoformat(listing.until)
            chosen = [c for c in collections if c.overlaps(self.spider.since, until + timedelta(days=self.lag))]
            if cursor.get("collection"):
                ids = [c.id for c in chosen]
                if cursor["collection"] in ids:
                    self.stats.inc_value("discovery/commoncrawl/resumed")
                    logger.info("%s: resuming after page %s of %s", listing.source, cursor.get("page"),
                                cursor["collection"])
                    chosen = chosen[ids.index(cursor["collection"]):]
                    listing.start_page = int(cursor.get("page", -1)) + 1
            listing.collections = chosen
            logger.info("%s: %d Common Crawl collection(s) overlap the window: %s", listing.source, len(chosen),
                        ", ".join(c.id for c in chosen) or "none")
            request = self.next_collection(listing)
            if request is not None:
                yield request

    def next_collection(self, listing: _Listing) -> Request | None:
        if not listing.collections:
            self.spider.discovery_checkpoint(listing.source, json.dumps({"until": listing.until, "done": True}))
            return None
        collection = listing.collections[0]
        return self.index_request(listing, collection, None)

    def index_request(self, listing: _Listing, collection: Collection, page: int | None) -> Request:
        since, to = window_stamps(self.spider.since, date.fromisoformat(listing.until), self.lag)
        url = index_query(collection.api, listing.prefix + "*", since, to, page)
        callback = self.parse_num_pages if page is None else self.parse_page
        return archive_request(url, SLOT_CC_INDEX, callback=callback, errback=self.on_error, priority=PAGE_PRIORITY,
                               meta={"discovery": "commoncrawl"},
                               cb_kwargs={"listing": listing, "collection": collection, "page": page})

    def parse_num_pages(self, response: Response, listing: _Listing, collection: Collection,
                        page: None) -> Iterator[Request]:
        try:
            pages = int(json.loads(response.body.decode("utf-8"))["pages"])
        except (ValueError, KeyError, TypeError) as exc:
            self.stats.inc_value("discovery/commoncrawl/unreadable")
            logger.error("Unreadable page count %s: %s; Common Crawl's %s is skipped", response.url, exc, collection.id)
            pages = 0
        self.stats.inc_value("discovery/commoncrawl/collections")
        listing.pages = pages
        first = listing.start_page
        listing.start_page = 0
        if first < pages:
            yield self.index_request(listing, collection, first)
        else:
            self._after_collection(listing)

    def parse_page(self, response: Response, listing: _Listing, collection: Collection, page: int) -> Iterator[Request]:
        records = parse_index_lines(response.body)
        self.stats.inc_value("discovery/commoncrawl/pages")
        self.stats.inc_value("discovery/commoncrawl/entries", len(records))
        for record in records:
            request = self.entry(record)
            if request is not None:
                yield request
        self.spider.discovery_checkpoint(listing.source, json.dumps(
            {"until": listing.until, "collection": collection.id, "page": page}))
        if self.spider.limit_reached():
            return
        if page + 1 < listing.pages:
            self.spider.next_page(self.index_request(listing, collection, page + 1))
        else:
            self._after_collection(listing)

    def _after_collection(self, listing: _Listing) -> None:
        listing.collections = listing.collections[1:]
        request = self.next_collection(listing)
        if request is not None:
            self.spider.next_page(request)

    def entry(self, record: dict[str, str]) -> Request | None:
        if not usable(record):
            self.stats.inc_value("discovery/commoncrawl/unusable")
            return None
        url = self.spider.canonical(record["url"])
        when = None if self.outlet.url_date(url) else capture_iso(record["timestamp"])
        entry = {"source": self.name, "url": record["url"], "timestamp": record["timestamp"],
                 "filename": record["filename"], "offset": record["offset"], "length": record["length"],
                 "archive_url": record_url(record)}
        return self.spider.entry_request(url, when, meta={ENTRY: entry})

    def on_error(self, failure: Failure) -> None:
        self.spider.on_error(failure)
