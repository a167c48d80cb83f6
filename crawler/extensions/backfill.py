"""A back-fill run (``-a backfill=1``, what ``scrapy backfill`` starts): resumable, and visible.

Resumable: when the spider opens (the crawl state is open by then), the discovery cursors written by
earlier runs of the same outlet and window start (``since``) are read from the crawl state and handed to
the spider (``spider.cursors``, a :class:`~crawler.state.cursors.CursorLedger`), whose paged
discoveries (web archives, and the site's own paged listings) resume after them. A cursor is written
back once every article listed before it is recorded in the state: after each commit of delivered
articles (in the state's worker thread, right after the articles), every ``BACKFILL_PROGRESS_INTERVAL``
seconds, and when the spider closes. Nothing is exported twice: articles already delivered are skipped
by the incremental filter, whatever the cursors say.

Visible: ``BACKFILL_PROGRESS`` = ``auto`` (default: a tqdm progress bar when stderr is a terminal, else a
log line every ``BACKFILL_PROGRESS_INTERVAL`` seconds, default 60), ``bar``, ``log`` or ``off``. Both show
articles listed, done (emitted, dropped, skipped or gone), exported, taken from an archive, and an
ETA for what is listed so far (listings grow as discovery goes on, so the total grows too).

Reads: ``BACKFILL_PROGRESS``, ``BACKFILL_PROGRESS_INTERVAL``; from the spider ``backfill``, ``outlet``,
``since``, ``sources``. Disabled (NotConfigured) for runs that are not back-fills.
Stats: ``backfill/listed``, ``backfill/done``, ``backfill/settled`` (recorded in the state), ``backfill/cursors_written``, ``backfill/resumed``
(listings that started from a cursor).
"""

from __future__ import annotations

import logging
import sys
import time
from datetime import datetime, timezone
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.state.cursors import CursorLedger
from crawler.state.service import CrawlState

logger = logging.getLogger(__name__)
MODES = ("auto", "bar", "log", "off")


class BackfillProgress:
    def __init__(self, crawler: Crawler, mode: str, interval: float) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.mode = mode
        self.interval = interval
        self.state: CrawlState | None = None
        self.ledger: CursorLedger | None = None
        self.bar: Any = None
        self._redirect: Any = None  # log lines printed above the bar while it is shown
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()
        self.exported = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackfillProgress:
        if not getattr(crawler.spider, "backfill", False):
            raise NotConfigured  # an ordinary crawl: nothing to resume or show (no log line)
        mode = (crawler.settings.get("BACKFILL_PROGRESS") or "auto").lower()
        if mode not in MODES:
            raise ValueError(f"BACKFILL_PROGRESS={mode!r}: expected one of {', '.join(MODES)}")
        ext = cls(crawler, mode, crawler.settings.getfloat("BACKFILL_PROGRESS_INTERVAL", 60))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        return ext

    # ------------------------------------------------------------------ open
    async def spider_opened(self, spider: Any) -> None:
        try:
            state = CrawlState.of(self.crawler)
            await state.open()
        except Exception as exc:  # NotConfigured, StateError: the crawl state extension says why
            logger.warning("back-fill without a crawl state (%s): a stopped run starts again from the "
                           "beginning next time", exc)
            state = None
        saved: dict[str, str] = {}
        if state is not None and state.ready and state.store is not None:
            self.state = state
            saved = await state.call(state.store.load_cursors, spider.outlet.key, spider.since.isoformat())
            state.commit_hooks.append(self._after_commit)
        self.ledger = spider.cursors = CursorLedger(saved)
        if saved:
            self.stats.set_value("backfill/resumed", len(saved))
        logger.info("back-fill of %s since %s from %s%s", spider.outlet.name, spider.since, ", ".join(spider.sources),
                    f"; resuming {len(saved)} listing(s) where an earlier run stopped" if saved else "")
        show = self.mode
        if show == "auto":
            show = "bar" if sys.stderr.isatty() else "log"
        if show == "bar":
            self.bar, self._redirect = _bar(spider.name)
        if show != "off" or self.state is not None:
            self.loop = task.LoopingCall(self.tick)
            self.loop.start(1.0 if self.bar is not None else self.interval, now=False)
        self._last_log = time.monotonic()

    # ------------------------------------------------------------------ events
    def item_scraped(self, item: Any) -> None:
        self.exported += 1
        url = getattr(item, "url", None)
        if url and self.ledger is not None:
            self.ledger.done(self.ledger.aliases.get(url, url))  # emitted: settled once its feed is stored

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        url = getattr(item, "url", None) or (item.get("url") if isinstance(item, dict) else None)
        if url and self.ledger is not None:
            self.ledger.settle(url)  # a duplicate, an unchanged or invalid article: nothing more to do

    def _after_commit(self, keys: list[tuple[str, str]]) -> None:
        """In the crawl state's worker thread, right after delivered articles were written."""
        if self.ledger is None:
            return
        for _, url in keys:
            self.ledger.settle(url)
        self._write(self.ledger.ready())

    def _write(self, cursors: dict[str, str]) -> None:
        """(worker thread) Store cursors that every listed article before them allows."""
        state, spider = self.state, self.crawler.spider
        if not cursors or state is None or state.store is None:
            return
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        state.store.save_cursors(spider.outlet.key, spider.since.isoformat(), cursors, now)
        self.stats.inc_value("backfill/cursors_written", len(cursors))

    def tick(self) -> None:
        """Every second (bar) or ``interval`` (log): show progress; write cursors that became free
        without a delivery (articles the state already had, gone pages)."""
        ledger = self.ledger
        if ledger is None:
            return
        if self.state is not None and self.state.ready:
            ready = ledger.ready()
            if ready:
                self.state.submit(self._write, ready)
        self.stats.set_value("backfill/listed", ledger.listed_count)
        self.stats.set_value("backfill/settled", ledger.settled_count)
        self.stats.set_value("backfill/done", ledger.done_count)
        if self.bar is not None:
            self.bar.total = max(ledger.listed_count, 1)
            self.bar.n = ledger.done_count
            self.bar.set_postfix_str(self._counts(), refresh=False)
            self.bar.refresh()
        elif self.mode != "off" and time.monotonic() - self._last_log >= self.interval - 0.5:
            self._last_log = time.monotonic()
            logger.info("back-fill progress: %s", self._summary())

    def _counts(self) -> str:
        archived = sum(v for k, v in self.stats.get_stats().items() if k.startswith("webarchive/fetched/"))
        return f"exported {self.exported}, from archives {archived}"

    def _summary(self) -> str:
        assert self.ledger is not None
        listed, settled = self.ledger.listed_count, self.ledger.done_count
        elapsed = time.monotonic() - self.started
        rate = settled / elapsed if elapsed > 0 else 0.0
        left = listed - settled
        eta = f"{_duration(left / rate)}" if rate > 0 and left else ("-" if left else "0s")
        return (f"listed {listed}, done {settled} ({rate * 60:.0f}/min), {self._counts()}, "
                f"ETA for what is listed so far {eta}")

    # ------------------------------------------------------------------ close
    async def spider_closed(self, spider: Any, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.ledger is not None and self.state is not None and self.state.ready:
            self.state.submit(self._write, self.ledger.ready())
        if self.ledger is not None:
            self.stats.set_value("backfill/listed", self.ledger.listed_count)
            self.stats.set_value("backfill/settled", self.ledger.settled_count)
            self.stats.set_value("backfill/done", self.ledger.done_count)
            logger.info("back-fill %s: %s", reason, self._summary())
        if self.bar is not None:
            self.bar.close()
            self._redirect.__exit__(None, None, None)
        # the last delivered articles commit their cursors through _after_commit, before the state closes


def _bar(name: str) -> tuple[Any, Any]:
    """A tqdm bar on stderr, and tqdm's logging redirect (entered): log lines go above the bar."""
    from tqdm import tqdm  # only on a terminal
    from tqdm.contrib.logging import logging_redirect_tqdm

    redirect = logging_redirect_tqdm()
    redirect.__enter__()
    return tqdm(total=1, desc=name, unit="article", dynamic_ncols=True, leave=True, file=sys.stderr), redirect


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"
