"""The Internet Archive's Wayback Machine as a discovery source: its CDX API lists the outlet's URLs.

One query per prefix (``extra["archive_prefixes"]`` on the outlet record, else the host of ``home``):
``GET https://web.archive.org/cdx/search/cdx?url=<prefix>&matchType=prefix&from=<since>&to=<until+lag>
&collapse=urlkey&filter=statuscode:200&filter=mimetype:text/html&output=json&showResumeKey=true
&limit=<WEBARCHIVE_CDX_PAGE_SIZE>&fl=urlkey,timestamp,original,mimetype,statuscode``. The answer is a JSON
array: a header row of field names, one row per URL (``collapse=urlkey`` keeps the first capture of
each URL in the range), and, when more rows wait, an empty row and ``[<resume key>]``; the same query
with ``&resumeKey=<key>`` gives the next page (internetarchive/wayback, wayback-cdx-server/README.md,
"Resumption Key"). Pages are read one at a time, the next one once the current page's articles are
done (``spider.next_page``), so a listing of any length is never held in memory.

Each row goes to ``spider.entry_request`` (URL pattern, window, duplicates, limit, crawl state), with
the capture as ``meta["webarchive_entry"]``. The window is judged by the date in the URL when the outlet's
URLs carry one, else by the capture time: a page captured in the window may have been published before
it, but one captured before the window was published before it too.

Paging is resumable: after each page the spider is told ``discovery_checkpoint("wayback:<prefix>",
cursor)`` with a JSON cursor ``{"until": ..., "resume": <key>}`` (``{"until": ..., "done": true}`` after
the last page); ``discovery_resume`` gives it back to a resumed back-fill, which continues the same
query (same window) after that page.

Stats: ``discovery/wayback/pages``, ``discovery/wayback/entries``, ``discovery/wayback/unreadable``,
``discovery/wayback/resumed``, ``discovery/wayback/done_before`` (a resumed listing already complete).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler.discovery.web_archives import (ENTRY, PAGE_PRIORITY, SLOT_WAYBACK_CDX, archive_request, capture_iso,
                                       read_cursor, window_stamps)

if TYPE_CHECKING:
    from crawler.spiders.base import OutletSpider

logger = logging.getLogger(__name__)

CDX_API = "https://web.archive.org/cdx/search/cdx"
CAPTURE = "https://web.archive.org/web/{timestamp}id_/{url}"  # the raw capture, without the Wayback toolbar
FIELDS = "urlkey,timestamp,original,mimetype,statuscode"


def capture_url(timestamp: str, url: str) -> str:
    return CAPTURE.format(timestamp=timestamp, url=url)


def prefixes(outlet: Any) -> list[str]:
    """What to ask the CDX API for: the outlet's ``extra["archive_prefixes"]``, else its home host."""
    given = outlet.extra.get("archive_prefixes")
    if given:
        return list(given)
    return [f"{urlsplit(outlet.home).hostname}/"]


def listing_query(prefix: str, since: str, until: str, page_size: int, resume_key: str | None = None) -> str:
    params: list[tuple[str, str]] = [
        ("url", prefix), ("matchType", "prefix"), ("from", since), ("to", until), ("collapse", "urlkey"),
        ("filter", "statuscode:200"), ("filter", "mimetype:text/html"), ("output", "json"),
        ("showResumeKey", "true"), ("limit", str(page_size)), ("fl", FIELDS)]
    if resume_key:
        params.append(("resumeKey", resume_key))
    return f"{CDX_API}?{urlencode(params)}"


def lookup_query(url: str) -> str:
    """Every 200 HTML capture of one URL, oldest first (the newest is the last row)."""
    params = [("url", url), ("output", "json"), ("fl", "timestamp,original,mimetype,statuscode"),
              ("filter", "statuscode:200"), ("filter", "mimetype:text/html"), ("collapse", "digest")]
    return f"{CDX_API}?{urlencode(params)}"


@dataclass
class CdxPage:
    rows: list[dict[str, str]]
    resume_key: str | None


def parse_cdx(body: bytes) -> CdxPage:
    """A CDX API answer with ``output=json``: rows as dicts keyed by the header row, and the resume key.
    Raises ValueError when the body is not that shape."""
    data = json.loads(body.decode("utf-8") or "[]")
    if not isinstance(data, list) or any(not isinstance(row, list) for row in data):
        raise ValueError("not a JSON array of rows")
    if not data:
        return CdxPage([], None)
    header, rows, resume = [str(f) for f in data[0]], [], None
    body_rows = data[1:]
    for i, row in enumerate(body_rows):
        if not row:  # an empty row, then [resume key]
            following = body_rows[i + 1] if i + 1 < len(body_rows) else []
            resume = str(following[0]) if following else None
            break
        rows.append(dict(zip(header, (str(v) for v in row))))
    return CdxPage(rows, resume)


class WaybackDiscovery:
    name = "wayback"

    def __init__(self, spider: OutletSpider) -> None:
        self.spider = spider
        self.outlet = spider.outlet
        self.stats = spider.crawler.stats
        self.page_size = spider.settings.getint("WEBARCHIVE_CDX_PAGE_SIZE", 5000)
        self.lag = spider.settings.getint("WEBARCHIVE_CAPTURE_LAG_DAYS", 30)

    async def start(self) -> AsyncIterator[Request]:
        for prefix in prefixes(self.outlet):
            source = f"{self.name}:{prefix}"
            cursor = read_cursor(self.spider.discovery_resume(source))
            until = cursor.get("until") or self.spider.until.isoformat()
            if cursor.get("done"):
                self.stats.inc_value("discovery/wayback/done_before")
                logger.info("%s: listed completely by an earlier run of this back-fill", source)
                continue
            if cursor.get("resume"):
                self.stats.inc_value("discovery/wayback/resumed")
                logger.info("%s: resuming the listing where an earlier run stopped", source)
            yield self.page(prefix, source, until, cursor.get("resume"))

    def page(self, prefix: str, source: str, until: str, resume_key: str | None) -> Request:
        since, to = window_stamps(self.spider.since, date.fromisoformat(until), self.lag)
        return archive_request(listing_query(prefix, since, to, self.page_size, resume_key), SLOT_WAYBACK_CDX,
                               callback=self.parse, errback=self.on_error, priority=PAGE_PRIORITY,
                               meta={"discovery": "wayback"},
                               cb_kwargs={"prefix": prefix, "source": source, "until": until})

    def parse(self, response: Response, prefix: str, source: str, until: str) -> Iterator[Request]:
        try:
            page = parse_cdx(response.body)
        except ValueError as exc:  # also UnicodeDecodeError and json's errors
            self.stats.inc_value("discovery/wayback/unreadable")
            logger.error("Unreadable CDX answer %s: %s; the Wayback listing of %s stops here", response.url, exc, prefix)
            return
        self.stats.inc_value("discovery/wayback/pages")
        self.stats.inc_value("discovery/wayback/entries", len(page.rows))
        for row in page.rows:
            request = self.entry(row)
            if request is not None:
                yield request
        done = page.resume_key is None
        self.spider.discovery_checkpoint(source, json.dumps(
            {"until": until, "done": True} if done else {"until": until, "resume": page.resume_key}))
        if not done and not self.spider.limit_reached():
            self.spider.next_page(self.page(prefix, source, until, page.resume_key))

    def entry(self, row: dict[str, str]) -> Request | None:
        original, timestamp = row.get("original"), row.get("timestamp", "")
        if not original or not capture_iso(timestamp):
            return None
        url = self.spider.canonical(original)
        when = None if self.outlet.url_date(url) else capture_iso(timestamp)
        entry = {"source": self.name, "url": original, "timestamp": timestamp,
                 "archive_url": capture_url(timestamp, original)}
        return self.spider.entry_request(url, when, meta={ENTRY: entry})

    def on_error(self, failure: Failure) -> None:
        self.spider.on_error(failure)

