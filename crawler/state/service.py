"""The crawl state of one crawl: an extension that owns the store and runs it off the reactor.

Reads: ``STATE_ENABLED`` (default True; ``scrapy article`` turns it off: then no state is read or
written), ``STATE_URL`` (default ``sqlite:///<OUTPUT_DIR>/state.sqlite``; ``%(name)s`` is replaced by
the spider name), ``STATE_RECHECK_DAYS`` (2), ``STATE_WRITE_BATCH`` (500), ``STATE_LEASE_SECONDS`` (300:
the outlet's lease, :mod:`crawler.state.lease`), and the ``DEDUP_*``
settings that the matcher needs (``DEDUP_ENABLED``, ``DEDUP_NEAR_ENABLED``, ``DEDUP_NEAR_THRESHOLD``,
``DEDUP_NEAR_ACTION``, ``DEDUP_NUM_PERM``). Reads from the spider: ``outlet`` (the outlet record),
``mode``, ``since``/``until``/``since_given``, ``clock``.

Lifecycle: the store is opened when the spider opens, by the de-duplication pipeline's
``open_spider`` (a failure stops the crawl at start: ``scrapy crawl`` exits with code 1 after an
error that says why) or else on ``spider_opened`` (a failure closes the spider with reason
``state_unavailable``); the outlet's lease is taken first (held by another crawl: :class:`LeaseBusy`,
``run/outcome = lease_busy``, nothing else happens); without ``-a since`` the window is moved to start at
the outlet's last successful run (or ``STATE_RECHECK_DAYS`` back, whichever is earlier); a ``runs``
row is written. When the spider closes, after every feed has been stored, pending writes are
flushed and the run is recorded as ``finished`` (complete: it moves the next run's window),
``partial`` (``limit`` reached, a discovery source failed, or a window that ends before today) or
``failed`` (the spider did not finish, a feed was not stored, or discovery reached nothing: then the
next run's default window still starts at the last *finished* run and covers the lost days again).
Then the signal :data:`run_recorded` (``state``, ``run``) is sent (the alerts run on it, with the store
still open and the lease held), and last the lease is released.

Write failures (a full disk, a database gone): a failed write keeps its records in memory and is
retried with the next one (``state/write_errors``). When the last write of the run fails too, the
records that were not written (delivered articles, drops, the run's row) go to the state journal
(:mod:`crawler.state.journal`, ``STATE_JOURNAL_DIR``), ``state/write_failed`` is set and the run's
outcome is ``state_failed`` (exit code 5); the next run writes the journal before it crawls, so
nothing delivered is delivered again and nothing undelivered is lost. A write that fails when the
run starts (its ``runs`` row, or a journal left by an earlier run) stops the crawl there (exit 5).

All store calls run in one worker thread (a single-thread executor: calls are serialised in the order
they were made, so a note made before a judgement is seen by it); crawls of one process with the
same ``STATE_URL`` (``scrapy crawlall``) share the store and the thread (:mod:`crawler.state.shared`).
The incremental middlewares and the de-duplication pipeline find this object with
:meth:`CrawlState.of`. Articles are committed when the delivery tracker
(:mod:`crawler.extensions.delivery`) sends ``items_delivered``.

Stats: ``state/committed`` (articles written after delivery), ``state/uncommitted`` (emitted
articles whose feed was not stored: the next run emits them again), ``state/flushes``,
``state/run_status/<status>``, ``state/write_errors``, ``state/write_failed``, ``state/journaled``
(records kept in the journal), ``state/replayed`` (journal records written at start), ``state/lease_lost``.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.extensions.feedexport import FeedExporter

from crawler import outcome
from crawler.extensions import delivery
from crawler.state import shared
from crawler.state.lease import DEFAULT_SECONDS, LeaseKeeper
from crawler.state.journal import Journal, default_dir
from crawler.state.matching import Fetched, Judgement, Key, Matcher
from crawler.state.policy import INCREMENTAL, MODES
from crawler.state.records import ArticleState, RunRecord
from crawler.state.shared import SharedStore
from crawler.state.store import LeaseBusy, StateError, StateStore, redact

logger = logging.getLogger(__name__)
T = TypeVar("T")
run_recorded = object()  # signal (state: CrawlState, run: RunRecord): the run's row is final, the store open
# the final stats kept with each run (the status page and the alerts' history read them)
RUN_STATS_PREFIXES = ("incremental", "dedup", "delivery", "state", "discovery", "sources", "health", "extract",
                      "output", "validate", "clean", "run", "spider", "item_scraped_count", "finish_reason",
                      "webarchive", "backfill")
_BY_CRAWLER: weakref.WeakKeyDictionary[Crawler, CrawlState] = weakref.WeakKeyDictionary()


def default_state_url(output_dir: str) -> str:
    """``sqlite:///<OUTPUT_DIR>/state.sqlite``; without OUTPUT_DIR, the checkout's ``output/`` folder."""
    if output_dir:
        folder = Path(output_dir).expanduser().resolve()
    else:
        checkout = Path(__file__).resolve().parents[2]
        if not (checkout / "scrapy.cfg").is_file():
            raise StateError("no STATE_URL and no OUTPUT_DIR to keep the crawl state in: set STATE_URL "
                             "(sqlite:///<absolute path> or postgresql://...) or OUTPUT_DIR")
        folder = checkout / "output"
    return f"sqlite:///{folder / 'state.sqlite'}"


class CrawlState:
    def __init__(self, crawler: Crawler, url: str, recheck_days: int = 2, write_batch: int = 500,
                 near: bool = True, threshold: float = 0.5, near_action: str = "mark", num_perm: int = 64,
                 exact: bool = True, journal_dir: str = "", lease_seconds: float = DEFAULT_SECONDS) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.url_template = url
        self.recheck_days = recheck_days
        self.write_batch = write_batch
        self.near, self.threshold, self.near_action, self.num_perm = near, threshold, near_action, num_perm
        self.exact = exact
        self.journal_dir = journal_dir
        self.lease_seconds = lease_seconds
        self.lease: LeaseKeeper | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.journal: Journal | None = None
        self.write_error: str | None = None  # the last failed write, until one succeeds
        self.judging = False  # set by the de-duplication pipeline, which judges every article
        self.store: StateStore | None = None
        self.shared: SharedStore | None = None
        self.matcher: Matcher | None = None
        self.run: RunRecord | None = None
        self.outlet: Any = None
        self.mode = INCREMENTAL
        self.clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
        self.ready = False
        self.feed_failures = 0
        self.feeds_done = asyncio.Event()
        # called in the worker thread with the keys of delivered articles, once they are written
        self.commit_hooks: list[Callable[[list[Key]], None]] = []
        self._opening: asyncio.Future[None] | None = None

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlState:
        settings = crawler.settings
        if not settings.getbool("STATE_ENABLED", True):
            raise NotConfigured("STATE_ENABLED is off: no crawl state is read or written")
        action = settings.get("DEDUP_NEAR_ACTION", "mark")
        if action not in ("mark", "drop"):
            raise ValueError(f"DEDUP_NEAR_ACTION={action!r}: expected 'mark' or 'drop'")
        threshold = settings.getfloat("DEDUP_NEAR_THRESHOLD", 0.5)
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"DEDUP_NEAR_THRESHOLD={threshold}: expected a number in (0, 1]")
        state = cls(
            crawler,
            settings.get("STATE_URL") or default_state_url(settings.get("OUTPUT_DIR", "")),
            recheck_days=settings.getint("STATE_RECHECK_DAYS", 2),
            write_batch=settings.getint("STATE_WRITE_BATCH", 500),
            exact=settings.getbool("DEDUP_ENABLED", True),
            near=settings.getbool("DEDUP_ENABLED", True) and settings.getbool("DEDUP_NEAR_ENABLED", True),
            threshold=threshold, near_action=action, num_perm=settings.getint("DEDUP_NUM_PERM", 64),
            journal_dir=settings.get("STATE_JOURNAL_DIR") or "",
            lease_seconds=settings.getfloat("STATE_LEASE_SECONDS", DEFAULT_SECONDS),
        )
        if state.lease_seconds <= 0:
            raise ValueError(f"STATE_LEASE_SECONDS={state.lease_seconds}: expected a positive number of seconds")
        if not state.journal_dir:
            folder = default_dir(settings.get("OUTPUT_SPOOL_DIR") or "", state.url_template)
            state.journal_dir = str(folder) if folder else ""
        crawler.signals.connect(state.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(state.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(state.items_delivered, signal=delivery.items_delivered)
        crawler.signals.connect(state.feed_store_failed, signal=delivery.feed_store_failed)
        crawler.signals.connect(state.feed_exporter_closed, signal=signals.feed_exporter_closed)
        _BY_CRAWLER[crawler] = state
        return state

    @classmethod
    def of(cls, crawler: Crawler) -> CrawlState:
        """The crawl's state (for middlewares and pipelines); NotConfigured when state is off."""
        state = _BY_CRAWLER.get(crawler)
        if state is None:
            if not crawler.settings.getbool("STATE_ENABLED", True):
                raise NotConfigured("STATE_ENABLED is off")
            raise NotConfigured("the crawl-state extension (crawler.state.service.CrawlState) is not enabled")
        return state

    # ------------------------------------------------------------------ the worker thread
    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any] | None:
        """Run ``fn`` in the worker thread, not waiting for it (errors are logged)."""
        if not self.ready or self.shared is None:
            return None
        future = self.shared.submit(fn, *args)
        future.add_done_callback(_log_failure)
        return future

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` in the worker thread and wait for its result without blocking the reactor."""
        assert self.shared is not None, "the crawl state is not open"
        return await self.shared.call(fn, *args)

    # ------------------------------------------------------------------ open
    async def open(self) -> None:
        """Open the store, set the window, record the run's start. Idempotent. Raises StateError.

        Called by the de-duplication pipeline's ``open_spider`` (a failure there stops the crawl at
        start with exit code 1) and, failing that, on ``spider_opened``."""
        if self._opening is None:
            self._opening = asyncio.ensure_future(self._open())
        await asyncio.shield(self._opening)

    async def spider_opened(self, spider: Any) -> None:
        try:
            await self.open()
        except LeaseBusy:
            raise CloseSpider("lease_busy") from None
        except StateError:
            raise CloseSpider("state_unavailable") from None

    async def _open(self) -> None:
        spider = self.crawler.spider
        self.outlet = getattr(spider, "outlet", None)
        if self.outlet is None:
            logger.info("crawl state: spider %s has no outlet record; state not used", spider.name)
            return
        self.mode = getattr(spider, "mode", INCREMENTAL)
        if self.mode not in MODES:
            raise StateError(f"unknown mode {self.mode!r}")
        self.clock = getattr(spider, "clock", self.clock)
        if not self._feeds_tracked():
            raise StateError("a feed export is configured but the delivery tracker "
                             "(crawler.extensions.delivery.DeliveryTracker) is not enabled, so no article "
                             "could ever be recorded as delivered; enable it or set STATE_ENABLED=False")
        url = self.url_template.replace("%(name)s", spider.name)
        try:
            self.shared = await shared.acquire(url)
        except (StateError, OSError) as exc:
            logger.error("crawl state unavailable, the crawl stops: %s", exc)
            raise StateError(str(exc)) from None
        self.store = self.shared.store
        self.lease = LeaseKeeper(self.shared, self.outlet.key, self.lease_seconds, self._lease_lost)
        self._loop = asyncio.get_running_loop()
        try:
            await self.lease.acquire()
        except BaseException as exc:
            if isinstance(exc, LeaseBusy):
                self.stats.set_value(outcome.STAT, outcome.LEASE_BUSY)
                logger.error("%s", exc)
            else:
                logger.error("crawl state unavailable, the crawl stops: cannot take the lease on %s: %s",
                             self.outlet.key, exc)
            await shared.release(self.shared)
            self.shared = self.store = None
            raise
        try:
            await self._start(spider, url)
        except StateError:
            self.ready = False
            await self.lease.release()
            await shared.release(self.shared)
            self.shared = None
            raise

    async def _start(self, spider: Any, url: str) -> None:
        assert self.store is not None
        if self.journal_dir:
            self.journal = Journal(Path(self.journal_dir), url)
            await self._replay_journal()
        self.matcher = Matcher(self.store, self.clock, near=self.near, exact=self.exact,
                               threshold=self.threshold, num_perm=self.num_perm, near_action=self.near_action,
                               tz=self.outlet.timezone)
        self.matcher.judging = self.judging
        if not self.judging:
            logger.warning("crawl state: the de-duplication pipeline is not enabled, so no article is "
                           "recorded (every run emits everything again); only 404/410 URLs are remembered")
        self.ready = True
        last = await self.call(self.store.last_success, self.outlet.key)
        self._set_window(spider, last)
        self.run = RunRecord(outlet=self.outlet.key, started_at=self._now(), since=str(spider.since),
                             until=str(spider.until), mode=self.mode)
        try:
            await self.call(self.store.start_run, self.run)
        except Exception as exc:
            self._failed_at_start(f"the run could not be recorded: {_describe(exc)}")
        logger.info("crawl state %s: mode %s, last successful run of %s: %s", redact(self.store.url),
                    self.mode, self.outlet.key, last.isoformat() if last else "none")

    async def _replay_journal(self) -> None:
        """Write what earlier runs could not (crawler/state/journal.py) before anything is judged."""
        assert self.journal is not None and self.store is not None
        for path in await self.call(self.journal.pending, self.outlet.key):
            try:
                count = await self.call(self.journal.replay, self.store, path)
            except Exception as exc:
                self._failed_at_start(f"the journal {path} of an earlier run could not be written to the state "
                                      f"({_describe(exc)}); crawling without it would deliver its articles "
                                      "again, so nothing is crawled until it can be written")
            self.stats.inc_value("state/replayed", count)
            logger.info("crawl state: wrote %d record(s) kept by an earlier run in %s", count, path)

    def _failed_at_start(self, why: str) -> None:
        self.stats.set_value("state/write_failed", 1)
        self.stats.set_value("state/failed_at_start", 1)
        outcome.settle(self.stats)
        logger.error("THE CRAWL STATE COULD NOT BE WRITTEN, the crawl stops: %s", why)
        raise StateError(why)

    def _lease_lost(self, reason: str) -> None:
        """From the lease's thread: stop the crawl, another crawl of the outlet may be running now."""
        def stop() -> None:
            self.stats.set_value("state/lease_lost", 1)
            logger.error("%s: the lease on this outlet was lost (%s): the crawl stops", self.outlet.key, reason)
            engine = self.crawler.engine
            if engine is not None and engine.spider is not None:
                asyncio.ensure_future(engine.close_spider_async(reason="lease_lost"))
        assert self._loop is not None
        self._loop.call_soon_threadsafe(stop)

    def _feeds_tracked(self) -> bool:
        exts = self.crawler.extensions.middlewares if self.crawler.extensions else ()
        has_feeds = any(isinstance(e, FeedExporter) for e in exts)
        return not has_feeds or any(isinstance(e, delivery.DeliveryTracker) for e in exts)

    def _set_window(self, spider: Any, last: datetime | None) -> None:
        if last is None or getattr(spider, "since_given", True) or not hasattr(spider, "default_window_from"):
            return
        tz = ZoneInfo(self.outlet.timezone)
        today = self.clock().astimezone(tz).date()
        start = min(last.astimezone(tz).date(), today - timedelta(days=self.recheck_days))
        spider.default_window_from(start)

    # ------------------------------------------------------------------ delivery
    def items_delivered(self, keys: list[Key]) -> None:
        if self.ready and self.matcher is not None:
            self.submit(self._commit, list(keys))

    def _commit(self, keys: list[Key]) -> None:
        assert self.matcher is not None
        count = self.matcher.delivered(keys)
        self.stats.inc_value("state/committed", count)
        if self._flush():  # written: the hooks may act on it (a back-fill's cursors)
            for hook in self.commit_hooks:
                hook(keys)

    def feed_store_failed(self, **kwargs: Any) -> None:
        self.feed_failures += 1

    # ------------------------------------------------------------------ worker-side operations
    def lookup(self, outlet: str, urls: list[str], native_ids: list[str]) -> list[ArticleState]:
        """Stored articles for a batch of discovered URLs (one query per 500)."""
        assert self.store is not None
        return self.store.find_articles(outlet, urls, native_ids)

    def judge(self, item: Fetched) -> Judgement:
        assert self.matcher is not None
        judgement = self.matcher.judge(item)
        self._maybe_flush()
        return judgement

    def not_modified(self, article_id: int, key: Key) -> None:
        assert self.matcher is not None
        self.matcher.not_modified(article_id, key)
        self._maybe_flush()

    def note_response(self, key: Key, status: int, etag: str | None, last_modified: str | None,
                      native_id: str | None, stored_id: int | None) -> None:
        assert self.matcher is not None
        self.matcher.note_response(key, status, etag, last_modified, native_id, stored_id)

    def note_entry_dates(self, dated: Iterable[tuple[Key, str]], folded: Iterable[tuple[Key, list[Any]]] = ()) -> None:
        assert self.matcher is not None
        self.matcher.note_entry_dates(dated, folded)

    def _maybe_flush(self) -> None:
        """Write drops and seen-again updates once ``STATE_WRITE_BATCH`` of them have piled up."""
        assert self.matcher is not None
        if self.matcher.pending_writes() >= self.write_batch:
            self._flush()

    def _flush(self) -> bool:
        """Write what is pending; a failure keeps it for the next write (the end of the run journals it)."""
        assert self.matcher is not None
        try:
            self.matcher.flush()
        except Exception as exc:
            self.stats.inc_value("state/write_errors")
            if self.write_error is None:
                logger.error("crawl state: a write failed (%s); %d record(s) are kept and written with the next "
                             "write", _describe(exc), self.matcher.pending_writes())
            self.write_error = _describe(exc)
            return False
        if self.write_error is not None:
            logger.info("crawl state: writes work again")
        self.write_error = None
        self.stats.inc_value("state/flushes")
        return True

    # ------------------------------------------------------------------ close
    def feed_exporter_closed(self) -> None:
        self.feeds_done.set()

    async def spider_closed(self, spider: Any, reason: str) -> None:
        if not self.ready or self.shared is None:
            return
        exts = self.crawler.extensions.middlewares if self.crawler.extensions else ()
        if any(isinstance(e, FeedExporter) for e in exts):
            # FeedExporter stores the feeds in its own spider_closed handler, concurrently with this one
            await self.feeds_done.wait()
        self.ready = False
        assert self.run is not None and self.matcher is not None and self.store is not None
        matcher = self.matcher
        uncommitted = await self.call(lambda: len(matcher.staged))  # after the commits queued before it
        if uncommitted:
            self.stats.set_value("state/uncommitted", uncommitted)
            logger.warning("crawl state: %d emitted article(s) were not recorded as delivered (their feed "
                           "was not stored); the next run emits them again", uncommitted)
        self.run.status = self._status(spider, reason, uncommitted)
        self.run.finished_at = self._now()
        self.run.since, self.run.until = str(spider.since), str(spider.until)
        self.run.stats = {k: v for k, v in self.stats.get_stats().items() if k.split("/", 1)[0] in RUN_STATS_PREFIXES}
        try:
            written = await self.call(self._close_in_thread)
        except BaseException:
            await self._release()
            raise
        self.stats.inc_value(f"state/run_status/{self.run.status}")
        if written:
            logger.info("crawl state: run recorded as %s", self.run.status)
        outcome.settle(self.stats)
        try:
            await self.crawler.signals.send_catch_log_async(run_recorded, state=self, run=self.run)
        finally:
            await self._release()

    async def _release(self) -> None:
        """The lease, then the store (the last crawl of the process using it closes it)."""
        try:
            if self.lease is not None:
                await self.lease.release()
        finally:
            if self.shared is not None:
                await shared.release(self.shared)
            self.shared = None

    def _close_in_thread(self) -> bool:
        """The run's last writes; when they fail, the journal keeps them. True when all was written."""
        assert self.matcher is not None and self.store is not None and self.run is not None
        self.stats.set_value("state/kept_unusable", self.matcher.finish())
        if self._flush():
            try:
                self.store.finish_run(self.run)
                return True
            except Exception as exc:
                self.write_error = _describe(exc)
        self.run.status = "failed"
        self.stats.set_value("state/write_failed", 1)
        articles, touches = self.matcher.to_save, self.matcher.touches
        count = len(articles) + len(touches)
        delivered = sum(1 for record, _ in articles if record.status == "delivered")
        if self.journal is None:
            logger.error("THE CRAWL STATE COULD NOT BE WRITTEN (%s) and there is no STATE_JOURNAL_DIR: %d record(s) "
                         "are lost, %d of them delivered articles that the next run emits again",
                         self.write_error, count, delivered)
            return False
        try:
            path = self.journal.write(self.outlet.key, articles, touches, self.run)
        except Exception as exc:
            logger.error("THE CRAWL STATE COULD NOT BE WRITTEN (%s), nor its journal in %s (%s): %d record(s) are "
                         "lost, %d of them delivered articles that the next run emits again", self.write_error,
                         self.journal.folder, _describe(exc), count, delivered)
            return False
        self.stats.set_value("state/journaled", count)
        logger.error("THE CRAWL STATE COULD NOT BE WRITTEN (%s): %d record(s), %d of them delivered articles, are "
                     "kept in the journal %s; the next run of %s writes them before it crawls", self.write_error,
                     count, delivered, path, self.outlet.key)
        return False

    def _status(self, spider: Any, reason: str, uncommitted: int) -> str:
        stats = self.stats.get_stats()
        if reason != "finished" or self.feed_failures or uncommitted or outcome.nothing_reached(stats):
            return "failed"
        today = self.clock().astimezone(ZoneInfo(self.outlet.timezone)).date()
        until: date = getattr(spider, "until", today)
        if stats.get("discovery/skipped/limit") or until < today or outcome.sources_failed(stats):
            return "partial"
        return "finished"

    def _now(self) -> str:
        return self.clock().astimezone(timezone.utc).isoformat(timespec="seconds")


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _log_failure(future: Future[Any]) -> None:
    exc = future.exception()
    if exc is not None:
        logger.error("crawl state: a background write failed: %r", exc, exc_info=exc)
