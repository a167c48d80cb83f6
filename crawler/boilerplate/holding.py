"""Hold items briefly and decide them per batch, so that a block recurring in a first crawl is known
before the first article that has it is exported.

An item pipeline awaits :meth:`BatchHold.hold`; the batch is decided (one ``decide(batch)`` call, in
order, one batch at a time) and released when the first of these happens:

* ``size`` items are held (keep it at most ``CONCURRENT_ITEMS``: a callback that yields many items
  processes that many at once, and must be able to fill a batch);
* the engine has nothing else to do (no download in flight, nothing scheduled), twice in a row
  ``poll`` seconds apart: discovery is done, or waiting on something slow — the spider can only go idle
  once held items are released, since Scrapy counts them as work in progress;
* the engine is closing or stopping, or the scraper holds so many response bytes that Scrapy stops
  downloading (``SCRAPER_SLOT_MAX_ACTIVE_SIZE``): waiting would deadlock;
* the oldest held item has waited ``max_wait`` seconds.

Nothing is dropped or duplicated here: every held item is returned to the pipeline exactly once, and if
``decide`` raises, the batch is released undecided (logged), so delivery tracking and the crawl state
see the same items as without holding.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")

BUSY, IDLE, NOW = "busy", "idle", "now"


class BatchHold(Generic[T]):
    def __init__(self, decide: Callable[[list[T]], Awaitable[None]], size: int, max_wait: float,
                 engine_state: Callable[[], str], poll: float = 0.05,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.decide = decide
        self.size = max(1, size)
        self.max_wait = max_wait
        self.engine_state = engine_state
        self.poll = poll
        self.clock = clock
        self.held: list[tuple[T, asyncio.Future[None], float]] = []
        self.lock = asyncio.Lock()
        self.watcher: asyncio.Future[None] | None = None
        self.batches = 0
        self.largest = 0

    async def hold(self, entry: T) -> None:
        """Return once ``entry``'s batch has been decided."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.held.append((entry, future, self.clock()))
        if len(self.held) >= self.size:
            batch, self.held = self.held, []
            asyncio.ensure_future(self._decide(batch))
        elif self.watcher is None or self.watcher.done():
            self.watcher = asyncio.ensure_future(self._watch())
        await future

    async def _watch(self) -> None:
        idle = 0
        while self.held:
            await asyncio.sleep(self.poll)
            if not self.held:
                break
            state = self.engine_state()
            idle = idle + 1 if state == IDLE else 0
            if state == NOW or idle >= 2 or self.clock() - self.held[0][2] >= self.max_wait:
                await self.release()
                idle = 0

    async def release(self) -> None:
        """Decide and release everything held now."""
        batch, self.held = self.held, []
        await self._decide(batch)

    async def _decide(self, batch: list[tuple[T, asyncio.Future[None], float]]) -> None:
        if not batch:
            return
        async with self.lock:
            self.batches += 1
            self.largest = max(self.largest, len(batch))
            try:
                await self.decide([entry for entry, _, _ in batch])
            except Exception:
                logger.exception("learned boilerplate: a batch of %d item(s) could not be decided; they go on "
                                 "cleaned by the rules and the classifier only", len(batch))
            finally:
                for _, future, _ in batch:
                    if not future.done():
                        future.set_result(None)


def engine_state(crawler: Any) -> str:
    """``now`` when the engine is closing, stopping or backing out because of the scraper's load; ``idle``
    when nothing is downloading or scheduled; else ``busy``. Public engine API only."""
    engine = getattr(crawler, "engine", None)
    if engine is None or engine.spider is None or not engine.running:
        return NOW
    if engine.needs_backout() and not engine.downloader.needs_backout():
        return NOW  # closing, or the scraper holds too many response bytes to download more
    scheduler = engine.scheduler
    if not engine.downloader.active and (scheduler is None or not scheduler.has_pending_requests()):
        return IDLE
    return BUSY
