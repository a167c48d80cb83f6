"""The crawl-state store: a small protocol, and ``open_store(url)`` that picks the implementation.

``sqlite:///<path>`` (a file; WAL mode; one crawler process per file, a second one gets
:class:`StateLocked`) and ``postgresql://user@host:port/db`` (several crawlers on several machines
sharing one state). A store is created unconnected; ``connect()`` opens it and creates the schema,
``close()`` releases it. Stores are not thread-safe: the crawl uses each from one worker thread
(:mod:`crawler.state.service`), so every method may block.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol
from urllib.parse import urlsplit

from crawler.state.records import Alert, ArticleState, LearnedBlock, Lease, RunRecord, Touch


class StateError(RuntimeError):
    """The state cannot be used (bad URL, unreachable database, schema from a newer version...)."""


class StateLocked(StateError):
    """Another process holds this SQLite state file."""


class LeaseBusy(StateError):
    """Another crawl holds the lease on this outlet (``scrapy crawl`` exits with code 6)."""

    def __init__(self, message: str, lease: Lease | None = None) -> None:
        super().__init__(message)
        self.lease = lease


class StateStore(Protocol):
    url: str

    def connect(self) -> None: ...

    def close(self) -> None: ...

    def find_articles(self, outlet: str, urls: Sequence[str], native_ids: Sequence[str]) -> list[ArticleState]:
        """Stored articles of ``outlet`` whose URL is one of ``urls`` or native id one of ``native_ids``."""

    def find_fingerprint(self, fingerprint: str) -> ArticleState | None:
        """A delivered article (any outlet) with exactly this text fingerprint, the oldest first."""

    def find_band_candidates(self, keys: Sequence[int], limit: int = 50) -> list[ArticleState]:
        """Delivered articles (any outlet, with their signatures) sharing at least one LSH band key."""

    def save(self, articles: Sequence[tuple[ArticleState, Sequence[int]]], touches: Iterable[Touch] = ()) -> None:
        """In one transaction: insert or update each article (by ``id`` when set, else by outlet+URL)
        with its LSH band keys, then apply the touches."""

    def last_success(self, outlet: str) -> datetime | None:
        """When the outlet's last successful (``finished``) run started."""

    def start_run(self, run: RunRecord) -> int: ...

    def finish_run(self, run: RunRecord) -> None: ...

    def count_articles(self) -> int: ...

    # learned boilerplate (crawler/boilerplate/learning.py)
    def find_blocks(self, outlet: str, fingerprints: Sequence[str]) -> list[LearnedBlock]:
        """The stored blocks of ``outlet`` with these fingerprints."""

    def save_blocks(self, blocks: Sequence[LearnedBlock]) -> None:
        """In one transaction: add each block's ``added``/``added_edge`` to the stored counts (inserting new
        blocks), widen its days, set its kind and decision unless an operator pinned it; then zero ``added``."""

    def list_blocks(self, outlet: str, min_articles: int = 2) -> list[LearnedBlock]:
        """Paragraph blocks of ``outlet`` seen in at least ``min_articles`` articles, or pinned; most frequent first."""

    def pin_block(self, outlet: str, block_id: int, decision: str | None) -> LearnedBlock | None:
        """Pin a block as ``boilerplate`` or ``content`` (``None``: unpin); the block, or None if unknown."""

    def forget_blocks(self, outlet: str, seen_before: str) -> int:
        """Delete unpinned blocks seen in only one article and not since ``seen_before``; how many."""
    def load_cursors(self, outlet: str, since: str) -> dict[str, str]:
        """A back-fill's discovery cursors (paged listing -> cursor) for ``outlet`` and window start ``since``."""

    def save_cursors(self, outlet: str, since: str, cursors: dict[str, str], now: str) -> None:
        """Insert or replace those cursors, in one transaction."""

    def runs_since(self, started_at: str, outlet: str | None = None) -> list[RunRecord]:
        """Runs that started at or after ``started_at`` (ISO, UTC), oldest first (history, status page)."""

    def articles_per_day(self, outlet: str, since_day: str) -> dict[str, int]:
        """Delivered articles of ``outlet`` per publication day (``YYYY-MM-DD``) from ``since_day`` on."""

    def outlets(self) -> list[str]: ...

    # Leases: one crawl per outlet across every process and machine sharing the state. A holder is one
    # crawler process; expiry is by the database's clock. See crawler/state/lease.py.
    def acquire_lease(self, outlet: str, holder: str, host: str, pid: int, job: str | None,
                      seconds: float) -> tuple[bool, Lease, Lease | None]:
        """(acquired, the lease as it is now, the expired lease taken over or None)."""

    def renew_lease(self, outlet: str, holder: str, seconds: float) -> bool:
        """False when ``holder`` does not hold the lease any more."""

    def release_lease(self, outlet: str, holder: str) -> bool: ...

    def leases(self) -> list[Lease]: ...

    # Alerts sent, per outlet, problem and channel (crawler/alerts/): each problem is sent once.
    def open_alerts(self, outlet: str | None = None) -> list[Alert]: ...

    def record_alerts(self, sent: Sequence[Alert], resolved: Sequence[tuple[str, str]] = ()) -> None: ...


def open_store(url: str, readonly: bool = False) -> StateStore:
    """The store for ``url`` (not yet connected). ``readonly``: an SQLite file is read without its lock
    (a crawl may hold it) and never created; PostgreSQL connects as usual."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "sqlite":
        from crawler.state.sqlite import SqliteStore

        return SqliteStore.from_url(url, readonly)
    if scheme in ("postgresql", "postgres") or scheme.startswith("postgresql+"):
        from crawler.state.postgres import PostgresStore

        return PostgresStore(url)
    raise StateError(f"STATE_URL={redact(url)!r}: expected sqlite:///<path> or postgresql://user@host/db")


def redact(url: str) -> str:
    """The URL without its password, for logs and errors."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url
