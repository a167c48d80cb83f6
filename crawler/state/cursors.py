"""When a paged listing's cursor may be written to the crawl state: only past articles already recorded.

A back-fill reads paged listings (CDX pages, Common Crawl index pages, Meduza's search pages...) and
reports each page with ``discovery_checkpoint(source, cursor)`` once its article requests are made.
Writing that cursor at once would lose articles if the run stopped before they were fetched and
delivered: the resumed run would start after the page. So the ledger numbers every article request
in the order discovery makes them, keeps those not yet *settled*, and lets a checkpoint through only
when every article listed up to it is settled: delivered (its feed stored and the state written), or
known to the state already (the incremental filter skipped it), or dropped by a pipeline, or gone
(404/410 with no archive copy), or a page that gave no article. An article that failed for a reason
that may pass (a 5xx, a timeout, a block no archive could work around) never settles: the cursor stays
before it and the next run lists it again. A listing cut short by ``-a limit`` blocks all later
checkpoints of the run.

Thread-safe: the spider calls it on the reactor, the crawl state's worker thread after each commit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque


class CursorLedger:
    def __init__(self, saved: dict[str, str] | None = None) -> None:
        self.saved = dict(saved or {})  # source -> cursor written by earlier runs (where to resume)
        self.lock = threading.Lock()
        self.serial = 0
        self.pending: OrderedDict[str, int] = OrderedDict()  # listed URL -> serial, oldest first
        self.aliases: dict[str, str] = {}  # an item's URL -> the URL it was listed under, when they differ
        self.checkpoints: deque[tuple[int, str, str]] = deque()  # (serial at the checkpoint, source, cursor)
        self.blocked_at: int | None = None
        self.listed_count = 0
        self.settled_count = 0
        self.finished: set[str] = set()  # emitted, waiting for their feed to be stored (still pending)

    def resume(self, source: str) -> str | None:
        return self.saved.get(source)

    def listed(self, url: str) -> None:
        """Discovery requested the article ``url`` (canonical)."""
        with self.lock:
            self.serial += 1
            if url not in self.pending:
                self.pending[url] = self.serial
                self.listed_count += 1

    def link(self, item_url: str, listed_url: str) -> None:
        """The page fetched for ``listed_url`` gave an article under ``item_url`` (its canonical link)."""
        if item_url != listed_url:
            with self.lock:
                self.aliases[item_url] = listed_url

    def settle(self, url: str) -> None:
        with self.lock:
            url = self.aliases.pop(url, url)
            self.finished.discard(url)
            if self.pending.pop(url, None) is not None:
                self.settled_count += 1

    def done(self, url: str) -> None:
        """The run is through with the listed article ``url`` (its item emitted, dropped, or none to be
        had), whether or not its feed is stored yet: what progress counts."""
        with self.lock:
            if url not in self.finished and url in self.pending:
                self.finished.add(url)

    @property
    def done_count(self) -> int:
        return self.settled_count + len(self.finished)

    def block(self) -> None:
        """An article was listed but not requested (``-a limit``): no later checkpoint may be written."""
        with self.lock:
            if self.blocked_at is None:
                self.blocked_at = self.serial

    def checkpoint(self, source: str, cursor: str) -> None:
        with self.lock:
            self.checkpoints.append((self.serial, source, cursor))

    def ready(self) -> dict[str, str]:
        """The newest cursor per source that may be written now (each is handed out once)."""
        with self.lock:
            low = next(iter(self.pending.values()), None)
            if low is None:
                low = self.serial + 1
            if self.blocked_at is not None:
                low = min(low, self.blocked_at)
            out: dict[str, str] = {}
            while self.checkpoints and self.checkpoints[0][0] < low:
                _, source, cursor = self.checkpoints.popleft()
                out[source] = cursor
            return out

    @property
    def outstanding(self) -> int:
        return len(self.pending)
