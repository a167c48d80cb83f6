"""SQLite crawl state: ``sqlite:///<absolute path>`` (``sqlite:///relative`` is made absolute).

WAL journal, ``synchronous=FULL`` (a commit survives a crash of the process or the machine), a 64 MiB
page cache. One
crawler process per file: ``connect()`` takes an exclusive ``flock`` on ``<file>.lock`` (released by
the kernel when the process ends, however it ends) and a second process gets :class:`StateLocked`
naming the holder's pid, instead of two writers interleaving their runs. Use PostgreSQL for crawlers
that run at the same time.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit

from crawler.state.sql import SqlStore, schema

CACHE_KIB = 64 * 1024  # SQLite page cache (default 2 MiB): lookups and band inserts stay flat to ~1M articles
from crawler.state.store import StateError, StateLocked


class SqliteStore(SqlStore):
    process_exclusive = True  # the file lock: a lease of another process is stale once we hold the file

    def __init__(self, path: str | Path, readonly: bool = False) -> None:
        self.path = Path(path).expanduser().resolve()
        self.url = f"sqlite:///{self.path}"
        self.conn: sqlite3.Connection | None = None
        self._lock: IO[str] | None = None
        self.readonly = readonly

    @classmethod
    def from_url(cls, url: str, readonly: bool = False) -> SqliteStore:
        parts = urlsplit(url)
        path = unquote(parts.path)
        if parts.netloc or not path or path == "/":
            raise StateError(f"STATE_URL={url!r}: expected sqlite:///<path to a file>")
        return cls(path, readonly)

    def ddl(self) -> list[str]:
        return schema("INTEGER PRIMARY KEY", "BLOB", " WITHOUT ROWID")

    def connect(self) -> None:
        if self.readonly:
            self._connect_readonly()
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=5.0)
            mode = self.conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StateError(f"{self.path}: SQLite could not switch to WAL mode (got {mode})")
            self.conn.execute("PRAGMA synchronous=FULL")
            self.conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")  # the band index stays in memory longer
            self.conn.execute("PRAGMA foreign_keys=OFF")
            self.create_schema()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise StateError(f"cannot open the crawl state {self.path}: {exc}") from exc
        except BaseException:
            self.close()
            raise

    def _connect_readonly(self) -> None:
        """Read without the file lock (a crawl may hold it): ``scrapy status``, and a crawl that finds
        the file locked and looks whether its outlet is leased. Tables an older crawler did not create
        read as empty."""
        if not self.path.is_file():
            raise StateError(f"no crawl state at {self.path}")
        try:
            self.conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None, timeout=5.0)
            self.tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            self.close()
            raise StateError(f"cannot read the crawl state {self.path}: {exc}") from exc

    def _take_lock(self) -> None:
        lock_path = self.path.with_name(self.path.name + ".lock")
        handle = open(lock_path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise StateLocked(
                f"the crawl state {self.path} is in use by another crawler process (pid {holder}). "
                "An SQLite state serves one process at a time: wait for that crawl to end, give this "
                "crawl its own file (-s STATE_URL=sqlite:///...), or share a PostgreSQL state "
                "(-s STATE_URL=postgresql://...) between crawlers that run at the same time") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock = handle

    @contextmanager
    def transaction(self) -> Iterator[None]:
        assert self.conn is not None, "the store is not connected"
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:  # SQLite has already rolled back after some errors (a full disk)
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self._lock is not None:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None
