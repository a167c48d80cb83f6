"""Incremental crawling: request only what is new or changed since the runs the crawl state knows.

``IncrementalSpiderMiddleware`` takes the article requests discovery yields (``meta["article"]`` and
``meta["listings"]``, set by the spider's ``entry_request``; follow-ups of an article being fetched
pass untouched), from callbacks and from ``start()`` (where sitemap entries are handed out:
crawler/middlewares/frontier.py), looks them up in the crawl state in batches of ``STATE_LOOKUP_BATCH``
(default 200; one query in the state's worker thread, never on the reactor; a request marked
``meta[FLUSH]`` closes its batch early), and lets through only
those that :func:`crawler.state.policy.judge_entry` says to fetch. Another request yielded after
them (a paged listing's next page) waits for the batch, so the scheduler gets a page's articles
before the next page: a listing is read page by page instead of racing ahead of its articles. Requests for stored articles get
``If-None-Match`` / ``If-Modified-Since`` from the stored validators and ``meta["state_check"]``.
The spider requests an article once per run even when several listings name it (feed and sitemap,
or a second slug for its native id); it folds the later listings into the first request's
``meta["listings"]``, and every listing's date counts. A request skipped here is handed back to the
spider (``request_dropped``): it does not count toward ``limit``, and a listing that comes later is
requested again, so an entry whose date changed is not hidden by an earlier unchanged one. Reads from
request meta: ``sitemap_entry`` / ``feed_entry`` (the entry's own date: ``lastmod``, then
``news:publication_date``; ``updated``, then ``published``) and ``article_day`` (the date in the
URL or entry), both set by the spider; from the spider: ``outlet`` and ``mode``. Every entry date
seen is noted, so an article discovered in both a sitemap and a feed stores the later date.
Stats: ``incremental/requested/<reason>``, ``incremental/skipped/<reason>`` (reasons in
:mod:`crawler.state.policy`, plus ``already_requested``).

``IncrementalDownloaderMiddleware`` turns a 304 answer to a re-check into ``IgnoreRequest`` (stat
``incremental/not_modified``; the state notes the article as seen) and tells the state the status
of every answer to an article request, with the ``ETag``/``Last-Modified`` of a 200 (stored with
the article when it is delivered) — a 404/410 or a 200 that yields no article is kept at the end of
the run so that it is not fetched by every run.

Both are disabled (NotConfigured) when ``STATE_ENABLED`` is off.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.middlewares.frontier import FLUSH
from crawler.state.policy import INCREMENTAL, judge_entry, listing_dates
from crawler.state.records import ArticleState
from crawler.state.service import CrawlState

logger = logging.getLogger(__name__)
META = "state_check"  # {"id": stored article id, "reason": why it is re-checked, "key": (outlet, url)}


def is_discovered_article(request: Request) -> bool:
    """An article request made by discovery (the spider's ``entry_request`` gives it ``listings``), not
    a follow-up of an article already being fetched (its API record, a fallback, a re-render)."""
    return bool(request.meta.get("article")) and "listings" in request.meta


class IncrementalSpiderMiddleware:
    def __init__(self, state: CrawlState, batch: int = 200) -> None:
        self.state = state
        self.batch = batch
        self.requested_native: set[tuple[str, str]] = set()
        self.requested_urls: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalSpiderMiddleware:
        return cls(CrawlState.of(crawler), crawler.settings.getint("STATE_LOOKUP_BATCH", 200))

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for obj in self.judged(result):
            yield obj

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """The article requests discovery hands out from the spider's ``start()`` (a sitemap's entries,
        crawler/middlewares/frontier.py), judged like callback output."""
        async for obj in self.judged(start):
            yield obj

    async def judged(self, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """``result`` with its discovered article requests judged in batches; a request marked
        ``FLUSH`` (the producer pauses after it) has its batch judged at once."""
        held: list[Request] = []
        async for obj in result:
            if isinstance(obj, Request) and self.state.ready and is_discovered_article(obj):
                held.append(obj)
                if obj.meta.pop(FLUSH, False) or len(held) >= self.batch:
                    for request in await self.decide(held):
                        yield request
                    held = []
            else:
                if held and isinstance(obj, Request):  # keep discovery's order: a listing's next page goes
                    for request in await self.decide(held):  # after this page's articles, not before them
                        yield request
                    held = []
                yield obj
        if held:
            for request in await self.decide(held):
                yield request

    async def decide(self, requests: list[Request]) -> list[Request]:
        state = self.state
        outlet = state.outlet
        stats = state.stats
        urls = [canonical_of(r) for r in requests]
        natives = {url: outlet.native_id(url) for url in urls}
        stored = await state.call(state.lookup, outlet.key, urls, [n for n in natives.values() if n])
        by_url = {a.url: a for a in stored}
        by_native = {a.native_id: a for a in stored if a.native_id}
        today = state.clock().astimezone(ZoneInfo(outlet.timezone)).date()
        dated: list[tuple[tuple[str, str], str]] = []
        folded: list[tuple[tuple[str, str], list[dict[str, Any]]]] = []
        out = []
        for request, url in zip(requests, urls):
            native = natives[url]
            record: ArticleState | None = by_url.get(url) or (by_native.get(native) if native else None)
            dates = listing_dates(request.meta, outlet.timezone)
            when = max(dates) if dates else None
            dated.extend(((outlet.key, url), d) for d in dates)
            if "listings" in request.meta:  # the spider may fold more listings in later
                folded.append(((outlet.key, url), request.meta["listings"]))
            if url in self.requested_urls or (native and (outlet.key, native) in self.requested_native):
                stats.inc_value("incremental/skipped/already_requested")
                self._dropped(request)
                continue
            verdict = judge_entry(record, when, _day(request.meta.get("article_day")), today,
                                  state.recheck_days, state.mode or INCREMENTAL)
            if not verdict.fetch:
                stats.inc_value(f"incremental/skipped/{verdict.reason}")
                logger.debug("incremental: skipped %s (%s)", url, verdict.reason)
                self._dropped(request)
                continue
            stats.inc_value(f"incremental/requested/{verdict.reason}")
            self.requested_urls.add(url)
            if native:
                self.requested_native.add((outlet.key, native))
            if record is not None:
                request = self.conditional(request, record, verdict.reason, url)
            out.append(request)
        if dated or folded:
            state.submit(state.note_entry_dates, dated, folded)
        return out

    def _dropped(self, request: Request) -> None:
        spider = self.state.crawler.spider
        if hasattr(spider, "request_dropped"):
            spider.request_dropped(request)  # not requested after all: limit, and later listings

    @staticmethod
    def conditional(request: Request, record: ArticleState, reason: str, url: str) -> Request:
        headers = dict(request.headers.to_unicode_dict())
        if record.etag:
            headers["If-None-Match"] = record.etag
        if record.last_modified:
            headers["If-Modified-Since"] = record.last_modified
        meta = {**request.meta, META: {"id": record.id, "reason": reason, "key": (record.outlet, url)}}
        return request.replace(headers=headers, meta=meta)


class IncrementalDownloaderMiddleware:
    def __init__(self, state: CrawlState) -> None:
        self.state = state

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalDownloaderMiddleware:
        return cls(CrawlState.of(crawler))

    def process_response(self, request: Request, response: Response) -> Response:
        if not request.meta.get("article") or not self.state.ready:
            return response
        check = request.meta.get(META)
        canonical = canonical_of(request)
        if response.status == 304 and check:
            self.state.stats.inc_value("incremental/not_modified")
            self.state.submit(self.state.not_modified, check["id"], tuple(check["key"]))
            logger.debug("incremental: not modified since the last crawl: %s", canonical)
            raise IgnoreRequest(f"not modified since the last crawl: {canonical}")
        outlet = self.state.outlet
        self.state.submit(self.state.note_response, (outlet.key, canonical), response.status,
                          _header(response, b"ETag"), _header(response, b"Last-Modified"),
                          outlet.native_id(canonical), check["id"] if check else None)
        return response


def canonical_of(request: Request) -> str:
    """The article's canonical URL: ``canonical_url`` meta (fetched elsewhere), else the URL before a
    mirror rewrote it, else the request's."""
    return (request.meta.get("canonical_url") or request.meta.get("mirror", {}).get("canonical")
            or request.url)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value)).date()
    except ValueError:
        return None


