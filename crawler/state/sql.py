"""The crawl-state schema and queries, shared by the SQLite and PostgreSQL stores.

Tables:
  articles   one row per article URL (an alias URL dropped as a duplicate has its own row, status
             ``duplicate``); unique (outlet, url); indexes on (outlet, native_id) and fingerprint
  bands      (key, article): the MinHash LSH band keys of delivered articles, for near-duplicates
  runs       one row per crawl: outlet, start/end, window, mode, status, final stats (JSON)
  learned_blocks  per outlet, the fingerprints of body paragraphs (and of pairs of consecutive ones) with
             how many distinct articles had them, kind, decision and operator pins: learned boilerplate
             (:mod:`crawler.boilerplate.learning`); unique (outlet, fingerprint)
  leases     one row per outlet being crawled: holder (host/pid/random), Scrapyd job, times by the
             database's clock (epoch seconds); a crawl renews its row, a row past ``expires_at`` is free
  alerts     the open problems each alert channel has been told about, per outlet (sent once)
  discovery_cursors  per (outlet, paged listing, back-fill start date): where a back-fill's listing may
             resume (crawler/extensions/backfill.py); written only once every article listed before the
             cursor is recorded here
  state_meta schema version

Queries are written with ``?`` placeholders; a dialect converts them. Subclasses provide the
connection, the DDL types and a transaction context.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from crawler.state.records import DELIVERED, UNDECIDED, Alert, ArticleState, LearnedBlock, Lease, RunRecord, Touch
from crawler.state.store import StateError

SCHEMA_VERSION = 1
COLUMNS = ("outlet", "url", "native_id", "entry_date", "etag", "last_modified", "fingerprint", "version",
           "published_at", "modified_at", "first_seen", "last_seen", "story_id", "duplicate_of", "status",
           "signature")
UPDATABLE = tuple(c for c in COLUMNS if c not in ("outlet", "url", "first_seen"))
SELECT = "SELECT id, " + ", ".join(COLUMNS) + " FROM articles"
BLOCK_COLUMNS = ("outlet", "fingerprint", "paragraphs", "text", "articles", "edge", "first_seen", "last_seen",
                 "first_day", "last_day", "kind", "decision", "pinned")
SELECT_BLOCKS = "SELECT id, " + ", ".join(BLOCK_COLUMNS) + " FROM learned_blocks"
BLOCK_TEXT = 500  # characters of a recurring block's text kept for the operator


def schema(id_type: str, blob: str, without_rowid: str) -> list[str]:
    return [
        "CREATE TABLE IF NOT EXISTS state_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"""CREATE TABLE IF NOT EXISTS articles (
            id {id_type},
            outlet TEXT NOT NULL, url TEXT NOT NULL, native_id TEXT, entry_date TEXT,
            etag TEXT, last_modified TEXT, fingerprint TEXT, version INTEGER NOT NULL DEFAULT 1,
            published_at TEXT, modified_at TEXT, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
            story_id TEXT, duplicate_of TEXT, status TEXT NOT NULL, signature {blob},
            UNIQUE (outlet, url))""",
        "CREATE INDEX IF NOT EXISTS articles_native_id ON articles (outlet, native_id)",
        "CREATE INDEX IF NOT EXISTS articles_fingerprint ON articles (fingerprint)",
        f"""CREATE TABLE IF NOT EXISTS bands (
            key BIGINT NOT NULL, article BIGINT NOT NULL, PRIMARY KEY (key, article)){without_rowid}""",
        f"""CREATE TABLE IF NOT EXISTS runs (
            id {id_type},
            outlet TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, since TEXT, until TEXT,
            mode TEXT NOT NULL, status TEXT NOT NULL, stats TEXT)""",
        "CREATE INDEX IF NOT EXISTS runs_outlet ON runs (outlet, status, started_at)",
        f"""CREATE TABLE IF NOT EXISTS learned_blocks (
            id {id_type},
            outlet TEXT NOT NULL, fingerprint TEXT NOT NULL, paragraphs INTEGER NOT NULL, text TEXT NOT NULL,
            articles INTEGER NOT NULL, edge INTEGER NOT NULL, first_seen TEXT, last_seen TEXT,
            first_day TEXT, last_day TEXT, kind TEXT NOT NULL, decision TEXT NOT NULL,
            pinned INTEGER NOT NULL DEFAULT 0, UNIQUE (outlet, fingerprint))""",
        """CREATE TABLE IF NOT EXISTS leases (
            outlet TEXT PRIMARY KEY, holder TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, job TEXT,
            acquired_at DOUBLE PRECISION NOT NULL, renewed_at DOUBLE PRECISION NOT NULL,
            expires_at DOUBLE PRECISION NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS alerts (
            outlet TEXT NOT NULL, problem TEXT NOT NULL, channel TEXT NOT NULL, message TEXT NOT NULL,
            first_seen TEXT NOT NULL, sent_at TEXT NOT NULL, PRIMARY KEY (outlet, problem, channel))""",
        """CREATE TABLE IF NOT EXISTS discovery_cursors (
            outlet TEXT NOT NULL, source TEXT NOT NULL, since TEXT NOT NULL, cursor TEXT NOT NULL,
            updated_at TEXT NOT NULL, PRIMARY KEY (outlet, source, since))""",
    ]

LEASE_COLUMNS = ("outlet", "holder", "host", "pid", "job", "acquired_at", "renewed_at", "expires_at")


class SqlStore:
    """The store logic over a DB-API connection (``self.conn``), in autocommit mode outside
    ``transaction()``."""

    url: str
    placeholder = "?"
    conn: Any = None
    epoch_sql = "((julianday('now') - 2440587.5) * 86400.0)"  # the database's clock, in epoch seconds
    # True when holding the store proves that no other process uses it (SQLite's file lock): a lease
    # left by another process is then stale, whatever its expiry says
    process_exclusive = False
    tables: set[str] | None = None  # set by a read-only connection: the tables that exist (None: all)

    # ------------------------------------------------------------------ dialect
    def transaction(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def ddl(self) -> list[str]:
        raise NotImplementedError

    def _sql(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self._sql(sql), tuple(params))

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        cursor = self.conn.cursor()
        cursor.executemany(self._sql(sql), [tuple(r) for r in rows])

    def _blob(self, value: Any) -> bytes | None:
        return bytes(value) if value is not None else None

    # ------------------------------------------------------------------ schema
    def _lock_schema(self) -> None:
        """Serialise schema creation between processes (PostgreSQL: an advisory lock)."""

    def create_schema(self) -> None:
        with self.transaction():
            self._lock_schema()
            for statement in self.ddl():
                self._execute(statement)
            row = self._execute("SELECT value FROM state_meta WHERE key = 'schema'").fetchone()
            if row is None:
                self._execute("INSERT INTO state_meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            elif int(row[0]) > SCHEMA_VERSION:
                raise StateError(f"the state at {self.url} has schema version {row[0]}; this crawler "
                                 f"knows version {SCHEMA_VERSION}: upgrade the crawler")

    # ------------------------------------------------------------------ reads
    def _rows(self, sql: str, params: Sequence[Any]) -> list[ArticleState]:
        out = []
        for row in self._execute(sql, params).fetchall():
            values = dict(zip(("id",) + COLUMNS, row))
            values["signature"] = self._blob(values["signature"])
            out.append(ArticleState(**values))
        return out

    def find_articles(self, outlet: str, urls: Sequence[str], native_ids: Sequence[str]) -> list[ArticleState]:
        found: dict[int, ArticleState] = {}
        for column, values in (("url", list(dict.fromkeys(urls))), ("native_id", list(dict.fromkeys(native_ids)))):
            for chunk in _chunks(values, 500):
                marks = ", ".join("?" * len(chunk))
                for article in self._rows(f"{SELECT} WHERE outlet = ? AND {column} IN ({marks})", [outlet, *chunk]):
                    found.setdefault(article.id, article)  # type: ignore[arg-type]
        return sorted(found.values(), key=lambda a: a.id or 0)

    def find_fingerprint(self, fingerprint: str) -> ArticleState | None:
        rows = self._rows(f"{SELECT} WHERE fingerprint = ? AND status = ? ORDER BY id LIMIT 1",
                          [fingerprint, DELIVERED])
        return rows[0] if rows else None

    def find_band_candidates(self, keys: Sequence[int], limit: int = 50) -> list[ArticleState]:
        if not keys:
            return []
        marks = ", ".join("?" * len(keys))
        ranked = self._execute(
            f"SELECT article, COUNT(*) AS shared FROM bands WHERE key IN ({marks}) "
            f"GROUP BY article ORDER BY shared DESC, article LIMIT ?", [*keys, limit]).fetchall()
        if not ranked:
            return []
        ids = [row[0] for row in ranked]
        marks = ", ".join("?" * len(ids))
        return self._rows(f"{SELECT} WHERE id IN ({marks}) AND status = ?", [*ids, DELIVERED])

    def last_success(self, outlet: str) -> datetime | None:
        row = self._execute("SELECT started_at FROM runs WHERE outlet = ? AND status = 'finished' "
                            "ORDER BY started_at DESC LIMIT 1", (outlet,)).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def count_articles(self) -> int:
        return int(self._execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def load_cursors(self, outlet: str, since: str) -> dict[str, str]:
        rows = self._execute("SELECT source, cursor FROM discovery_cursors WHERE outlet = ? AND since = ?",
                             (outlet, since)).fetchall()
        return {str(r[0]): str(r[1]) for r in rows}

    def runs(self, outlet: str) -> list[RunRecord]:
        rows = self._execute("SELECT id, outlet, started_at, finished_at, since, until, mode, status, stats "
                             "FROM runs WHERE outlet = ? ORDER BY id", (outlet,)).fetchall()
        return [RunRecord(id=r[0], outlet=r[1], started_at=r[2], finished_at=r[3], since=r[4], until=r[5],
                          mode=r[6], status=r[7], stats=json.loads(r[8]) if r[8] else {}) for r in rows]

    # ------------------------------------------------------------------ learned boilerplate
    def _blocks(self, sql: str, params: Sequence[Any]) -> list[LearnedBlock]:
        out = []
        for row in self._execute(sql, params).fetchall():
            values = dict(zip(("id",) + BLOCK_COLUMNS, row))
            values["pinned"] = bool(values["pinned"])
            out.append(LearnedBlock(**values))
        return out

    def find_blocks(self, outlet: str, fingerprints: Sequence[str]) -> list[LearnedBlock]:
        found: list[LearnedBlock] = []
        for chunk in _chunks(list(dict.fromkeys(fingerprints)), 500):
            marks = ", ".join("?" * len(chunk))
            found += self._blocks(f"{SELECT_BLOCKS} WHERE outlet = ? AND fingerprint IN ({marks})", [outlet, *chunk])
        return found

    def list_blocks(self, outlet: str, min_articles: int = 2) -> list[LearnedBlock]:
        return self._blocks(f"{SELECT_BLOCKS} WHERE outlet = ? AND paragraphs = 1 AND (articles >= ? OR pinned = 1) "
                            "ORDER BY articles DESC, id", [outlet, min_articles])

    def save_blocks(self, blocks: Sequence[LearnedBlock]) -> None:
        rows = [b for b in blocks if b.added or b.changed]
        if not rows:
            return
        with self.transaction():
            self._executemany(
                f"INSERT INTO learned_blocks ({', '.join(BLOCK_COLUMNS)}) VALUES ({', '.join('?' * len(BLOCK_COLUMNS))}) "
                "ON CONFLICT (outlet, fingerprint) DO UPDATE SET "
                "articles = learned_blocks.articles + excluded.articles, edge = learned_blocks.edge + excluded.edge, "
                "text = CASE WHEN learned_blocks.text = '' THEN excluded.text ELSE learned_blocks.text END, "
                "last_seen = COALESCE(excluded.last_seen, learned_blocks.last_seen), "
                "first_day = CASE WHEN learned_blocks.first_day IS NULL OR excluded.first_day < learned_blocks.first_day "
                "THEN excluded.first_day ELSE learned_blocks.first_day END, "
                "last_day = CASE WHEN learned_blocks.last_day IS NULL OR excluded.last_day > learned_blocks.last_day "
                "THEN excluded.last_day ELSE learned_blocks.last_day END, "
                "kind = CASE WHEN learned_blocks.pinned = 1 THEN learned_blocks.kind ELSE excluded.kind END, "
                "decision = CASE WHEN learned_blocks.pinned = 1 THEN learned_blocks.decision ELSE excluded.decision END",
                [(b.outlet, b.fingerprint, b.paragraphs, b.text[:BLOCK_TEXT] if b.articles >= 2 else "", b.added,
                  b.added_edge, b.first_seen, b.last_seen, b.first_day, b.last_day, b.kind, b.decision, 0)
                 for b in rows])
        for block in rows:
            block.added = block.added_edge = 0
            block.changed = False

    def pin_block(self, outlet: str, block_id: int, decision: str | None) -> LearnedBlock | None:
        """Pin a block's decision (``boilerplate`` or ``content``), or unpin it (``None``)."""
        with self.transaction():
            if decision is None:
                self._execute("UPDATE learned_blocks SET pinned = 0, decision = ? WHERE outlet = ? AND id = ?",
                              (UNDECIDED, outlet, block_id))
            else:
                self._execute("UPDATE learned_blocks SET pinned = 1, decision = ? WHERE outlet = ? AND id = ?",
                              (decision, outlet, block_id))
        found = self._blocks(f"{SELECT_BLOCKS} WHERE outlet = ? AND id = ?", [outlet, block_id])
        return found[0] if found else None

    def forget_blocks(self, outlet: str, seen_before: str) -> int:
        """Delete blocks seen in one article only, not since ``seen_before``, and not pinned."""
        with self.transaction():
            cursor = self._execute("DELETE FROM learned_blocks WHERE outlet = ? AND articles <= 1 AND pinned = 0 "
                                   "AND last_seen < ?", (outlet, seen_before))
        return max(cursor.rowcount, 0)

    def runs_since(self, started_at: str, outlet: str | None = None) -> list[RunRecord]:
        """Runs (every outlet, or one) that started at or after ``started_at`` (ISO, UTC), oldest first."""
        sql = ("SELECT id, outlet, started_at, finished_at, since, until, mode, status, stats FROM runs "
               "WHERE started_at >= ?")
        params: list[Any] = [started_at]
        if outlet is not None:
            sql += " AND outlet = ?"
            params.append(outlet)
        rows = self._execute(sql + " ORDER BY started_at, id", params).fetchall()
        return [RunRecord(id=r[0], outlet=r[1], started_at=r[2], finished_at=r[3], since=r[4], until=r[5],
                          mode=r[6], status=r[7], stats=json.loads(r[8]) if r[8] else {}) for r in rows]

    def outlets(self) -> list[str]:
        """Every outlet the state has a run or a lease of."""
        rows = self._execute("SELECT DISTINCT outlet FROM runs").fetchall()
        return sorted({r[0] for r in rows} | {lease.outlet for lease in self.leases()})

    def articles_per_day(self, outlet: str, since_day: str) -> dict[str, int]:
        """Delivered articles of ``outlet`` per day of publication (``YYYY-MM-DD`` as the article gives
        it, in the outlet's time zone) from ``since_day`` on; articles without a date are not counted."""
        rows = self._execute(
            "SELECT substr(published_at, 1, 10) AS day, COUNT(*) FROM articles WHERE outlet = ? AND status = ? "
            "AND published_at >= ? GROUP BY substr(published_at, 1, 10)", (outlet, DELIVERED, since_day)).fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    # ------------------------------------------------------------------ leases
    def _has(self, table: str) -> bool:
        return self.tables is None or table in self.tables

    def _lease(self, outlet: str) -> Lease | None:
        if not self._has("leases"):
            return None
        row = self._execute(f"SELECT {', '.join(LEASE_COLUMNS)}, {self.epoch_sql} FROM leases WHERE outlet = ?",
                            (outlet,)).fetchone()
        return Lease(*row[:5], float(row[5]), float(row[6]), float(row[7]), now=float(row[8])) if row else None

    def leases(self) -> list[Lease]:
        if not self._has("leases"):
            return []
        rows = self._execute("SELECT outlet FROM leases ORDER BY outlet").fetchall()
        return [lease for lease in (self._lease(r[0]) for r in rows) if lease is not None]

    def acquire_lease(self, outlet: str, holder: str, host: str, pid: int, job: str | None,
                      seconds: float) -> tuple[bool, Lease, Lease | None]:
        """Take the lease on ``outlet`` for ``seconds`` unless another holder's lease is still running.

        Returns (acquired, the lease now, the expired lease that was taken over or None). Atomic: the
        insert-or-take-over is one statement (PostgreSQL makes a concurrent one wait for this
        transaction and re-checks its condition on the row it committed; SQLite has one writer)."""
        with self.transaction():
            before = self._lease(outlet)
            stale = " OR NOT (leases.host = excluded.host AND leases.pid = excluded.pid)" if self.process_exclusive else ""
            now = self.epoch_sql
            self._execute(
                f"INSERT INTO leases ({', '.join(LEASE_COLUMNS)}) VALUES (?, ?, ?, ?, ?, {now}, {now}, {now} + ?) "
                f"ON CONFLICT (outlet) DO UPDATE SET holder = excluded.holder, host = excluded.host, "
                f"pid = excluded.pid, job = excluded.job, acquired_at = CASE WHEN leases.holder = excluded.holder "
                f"THEN leases.acquired_at ELSE excluded.acquired_at END, renewed_at = excluded.renewed_at, "
                f"expires_at = excluded.expires_at "
                f"WHERE leases.holder = excluded.holder OR leases.expires_at <= excluded.acquired_at{stale}",
                (outlet, holder, host, pid, job, float(seconds)))
            after = self._lease(outlet)
        assert after is not None
        acquired = after.holder == holder
        taken_over = before if acquired and before is not None and before.holder != holder else None
        return acquired, after, taken_over

    def renew_lease(self, outlet: str, holder: str, seconds: float) -> bool:
        """Move the expiry of ``holder``'s lease ``seconds`` ahead; False when it is not held by it any more."""
        with self.transaction():
            cursor = self._execute(f"UPDATE leases SET renewed_at = {self.epoch_sql}, expires_at = {self.epoch_sql} + ? "
                                   "WHERE outlet = ? AND holder = ?", (float(seconds), outlet, holder))
            return cursor.rowcount == 1

    def release_lease(self, outlet: str, holder: str) -> bool:
        with self.transaction():
            return self._execute("DELETE FROM leases WHERE outlet = ? AND holder = ?", (outlet, holder)).rowcount == 1

    # ------------------------------------------------------------------ alerts
    def open_alerts(self, outlet: str | None = None) -> list[Alert]:
        if not self._has("alerts"):
            return []
        sql = "SELECT outlet, problem, channel, message, first_seen, sent_at FROM alerts"
        params: tuple[Any, ...] = ()
        if outlet is not None:
            sql, params = sql + " WHERE outlet = ?", (outlet,)
        return [Alert(*row) for row in self._execute(sql + " ORDER BY outlet, problem, channel", params).fetchall()]

    def record_alerts(self, sent: Sequence[Alert], resolved: Sequence[tuple[str, str]] = ()) -> None:
        """In one transaction: remember the alerts ``sent`` and forget the (outlet, problem) pairs
        that are ``resolved`` (on every channel)."""
        if not sent and not resolved:
            return
        with self.transaction():
            if resolved:
                self._executemany("DELETE FROM alerts WHERE outlet = ? AND problem = ?", resolved)
            if sent:
                self._executemany(
                    "INSERT INTO alerts (outlet, problem, channel, message, first_seen, sent_at) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (outlet, problem, channel) DO UPDATE SET message = excluded.message, "
                    "sent_at = excluded.sent_at",
                    [(a.outlet, a.problem, a.channel, a.message, a.first_seen, a.sent_at) for a in sent])

    # ------------------------------------------------------------------ writes
    def save(self, articles: Sequence[tuple[ArticleState, Sequence[int]]], touches: Iterable[Touch] = ()) -> None:
        touches = list(touches)
        if not articles and not touches:
            return
        fresh = [article for article, _ in articles if article.id is None]
        try:
            self._save(articles, touches)
        except BaseException:
            for article in fresh:  # the transaction was rolled back: those rows do not exist
                article.id = None
            raise

    def _save(self, articles: Sequence[tuple[ArticleState, Sequence[int]]], touches: list[Touch]) -> None:
        with self.transaction():
            band_rows: list[tuple[int, int]] = []
            for (article, keys), article_id in zip(articles, self._upsert_many([a for a, _ in articles])):
                article.id = article_id
                band_rows.extend((key, article_id) for key in keys)
            if band_rows:
                self._insert_bands(sorted(band_rows))  # in key order: neighbouring index pages
            if touches:
                self._executemany(
                    "UPDATE articles SET last_seen = ?, "
                    "entry_date = CASE WHEN CAST(? AS TEXT) IS NOT NULL AND "
                    "(entry_date IS NULL OR entry_date < CAST(? AS TEXT)) THEN CAST(? AS TEXT) ELSE entry_date END, "
                    "etag = COALESCE(CAST(? AS TEXT), etag), "
                    "last_modified = COALESCE(CAST(? AS TEXT), last_modified) WHERE id = ?",
                    [(t.last_seen, t.entry_date, t.entry_date, t.entry_date, t.etag, t.last_modified, t.id)
                     for t in touches])

    def _values(self, article: ArticleState, columns: Sequence[str]) -> list[Any]:
        return [getattr(article, c) for c in columns]

    def _upsert_statement(self, article: ArticleState) -> tuple[str, list[Any]]:
        """The statement that writes one article and returns its id: an update by id when the row
        is known, else an insert that updates the row of the same outlet and URL if there is one."""
        if article.id is not None:
            sets = ", ".join(f"{c} = ?" for c in UPDATABLE)
            return (f"UPDATE articles SET {sets} WHERE id = ? RETURNING id",
                    [*self._values(article, UPDATABLE), article.id])
        marks = ", ".join("?" * len(COLUMNS))
        sets = ", ".join(f"{c} = excluded.{c}" for c in UPDATABLE)
        return (f"INSERT INTO articles ({', '.join(COLUMNS)}) VALUES ({marks}) "
                f"ON CONFLICT (outlet, url) DO UPDATE SET {sets} RETURNING id", self._values(article, COLUMNS))

    def _upsert_many(self, articles: Sequence[ArticleState]) -> list[int]:
        return [int(self._execute(*self._upsert_statement(a)).fetchone()[0]) for a in articles]

    def _insert_bands(self, rows: list[tuple[int, int]]) -> None:
        self._executemany("INSERT INTO bands (key, article) VALUES (?, ?) ON CONFLICT DO NOTHING", rows)

    def save_cursors(self, outlet: str, since: str, cursors: dict[str, str], now: str) -> None:
        if not cursors:
            return
        with self.transaction():
            self._executemany(
                "INSERT INTO discovery_cursors (outlet, source, since, cursor, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (outlet, source, since) DO UPDATE SET cursor = excluded.cursor, "
                "updated_at = excluded.updated_at",
                [(outlet, source, since, cursor, now) for source, cursor in cursors.items()])

    def start_run(self, run: RunRecord) -> int:
        with self.transaction():
            row = self._execute(
                "INSERT INTO runs (outlet, started_at, since, until, mode, status) VALUES (?, ?, ?, ?, ?, ?) "
                "RETURNING id", (run.outlet, run.started_at, run.since, run.until, run.mode, run.status)).fetchone()
        run.id = int(row[0])
        return run.id

    def finish_run(self, run: RunRecord) -> None:
        with self.transaction():
            self._execute("UPDATE runs SET finished_at = ?, status = ?, since = ?, until = ?, stats = ? WHERE id = ?",
                          (run.finished_at, run.status, run.since, run.until,
                           json.dumps(run.stats, default=str, sort_keys=True), run.id))


def _chunks(values: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]
