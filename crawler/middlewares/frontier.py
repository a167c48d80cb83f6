"""Hand out a sitemap's requests as the crawl can take them, not all at once.

A spider middleware. The spider's ``parse_sitemap`` reads a sitemap lazily (crawler/discovery/sitemaps.py)
and yields one article request per entry, then the next sitemap of its index. Scrapy would put all of
them in the scheduler as soon as the callback runs: half a million requests for a 500,000-URL sitemap.
This middleware takes the output of every sitemap callback aside, unread, and hands it out from the end
of ``start()`` instead (``process_start``): Scrapy consumes ``start()`` as it is produced, and ``drain()``
produces a request only while the engine has room (``engine.needs_backout()`` false); otherwise it waits
for the scheduler to run dry (``scheduler_empty``), as Scrapy's documentation shows for lazy start
requests. So a sitemap costs its body and a few hundred requests, whatever its size; the entries it
lists are read only as they are needed.

``drain()`` ends when no sitemap output is waiting and no discovery request (``meta["discovery"]``
``robots`` or ``sitemap``: the ones whose callbacks can bring more) is scheduled, downloading or being
handled, as Scrapy's signals and its engine's public state tell; then the spider closes as usual. Once
the spider's ``-a limit`` is reached (``spider.limit_reached()``), nothing more is read: the sitemaps
still waiting are counted ``discovery/sitemap/skipped_limit`` (``skipped_closing`` when the crawl closes
for another reason, e.g. ``CLOSESPIDER_*``).

The request after which ``drain()`` pauses (nothing more is ready, the limit is reached, the engine is
full) carries ``meta[FLUSH]``: the crawl-state filter (crawler/middlewares/incremental.py), which looks
discovered URLs up in batches, decides its batch at once instead of holding it while discovery waits.
Registered in settings (``SPIDER_FRONTIER``) close to the spider, so that every other spider middleware
sees the requests on their way out of ``start()``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

logger = logging.getLogger(__name__)

FLUSH = "discovery_pause"  # request meta: discovery pauses after this request
BRINGS_MORE = ("robots", "sitemap")  # meta["discovery"] of requests whose callbacks can add sitemaps


def brings_more(request: Request | None) -> bool:
    return request is not None and request.meta.get("discovery") in BRINGS_MORE


class DiscoveryFrontier:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.sources: deque[AsyncIterator[Any]] = deque()
        self.scheduled = 0  # discovery requests in the scheduler
        self.done = False
        self._wakeup: asyncio.Event | None = None
        crawler.signals.connect(self._wake, signal=signals.scheduler_empty)
        crawler.signals.connect(self._scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(self._unscheduled, signal=signals.request_reached_downloader)
        crawler.signals.connect(self._unscheduled, signal=signals.request_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DiscoveryFrontier:
        return cls(crawler)

    # ------------------------------------------------------------------ spider middleware
    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if self.done or response.meta.get("discovery") != "sitemap":
            async for obj in result:
                yield obj
            return
        self.sources.append(result)  # read later, by drain()
        self._wake()

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for obj in start:
            yield obj
        async for obj in self.drain():
            yield obj

    # ------------------------------------------------------------------ the lazy hand-out
    async def drain(self) -> AsyncIterator[Any]:
        engine = self.crawler.engine
        try:
            while True:
                limited = self._limit_reached()
                if not limited and not engine.needs_backout():
                    obj, busy = await self._next()
                    if obj is not None:
                        if isinstance(obj, Request) and self._pausing():
                            obj.meta[FLUSH] = True
                        yield obj
                        continue
                    if busy:  # None: a long run of entries nobody wants, let the reactor breathe
                        await asyncio.sleep(0)
                        continue
                if not self._pending():
                    if limited or not self.sources:
                        return
                await self._wait()
        finally:
            self.done = True
            await self._skip_rest()

    async def _next(self) -> tuple[Any, bool]:
        """The next output of the oldest sitemap (None if there is none now), and whether one was read: a
        sitemap yields None after a long run of entries nobody wants, to give the reactor a turn."""
        while self.sources:
            try:
                obj = await self.sources[0].__anext__()
            except StopAsyncIteration:
                self.sources.popleft()
                continue
            except Exception:  # a callback's error, raised while it is read here: the others go on
                self.sources.popleft()
                self.stats.inc_value("discovery/sitemap/failed")
                logger.exception("Reading a sitemap's entries failed")
                continue
            return obj, True
        return None, False

    def _pausing(self) -> bool:
        return not self.sources or self._limit_reached() or self.crawler.engine.needs_backout()

    def _limit_reached(self) -> bool:
        check = getattr(self.crawler.spider, "limit_reached", None)
        return bool(check and check())

    def _pending(self) -> bool:
        """A discovery request that can bring more sitemaps is scheduled, downloading or being handled."""
        engine = self.crawler.engine
        if self.scheduled and engine.scheduler is not None and not engine.scheduler.has_pending_requests():
            self.scheduled = 0  # a request vetoed on its way to the scheduler: it never got there
        if self.scheduled > 0 or any(brings_more(r) for r in engine.downloader.active):
            return True
        slot = engine.scraper.slot
        return slot is not None and (any(brings_more(r) for r in slot.active)
                                     or any(brings_more(entry[1]) for entry in slot.queue))

    async def _skip_rest(self) -> None:
        if self.sources:
            why = "limit" if self._limit_reached() else "closing"
            self.stats.inc_value(f"discovery/sitemap/skipped_{why}", len(self.sources))
            logger.info("%s: the rest of %d sitemap(s) is not read", "The limit of article requests is reached"
                        if why == "limit" else "The crawl is closing", len(self.sources))
        while self.sources:
            source = self.sources.popleft()
            aclose = getattr(source, "aclose", None)
            if aclose is not None:
                try:
                    await aclose()
                except Exception:  # noqa: BLE001 - closing what will not be read
                    pass

    async def _wait(self) -> None:
        if self._wakeup is None:
            self._wakeup = asyncio.Event()
        await self._wakeup.wait()
        self._wakeup.clear()

    def _wake(self, *args: Any, **kwargs: Any) -> None:
        if self._wakeup is not None:
            self._wakeup.set()

    def _scheduled(self, request: Request, **kwargs: Any) -> None:
        if brings_more(request):
            self.scheduled += 1

    def _unscheduled(self, request: Request, **kwargs: Any) -> None:
        if brings_more(request):
            self.scheduled = max(0, self.scheduled - 1)
            self._wake()
