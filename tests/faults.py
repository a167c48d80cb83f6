"""Run ``scrapy`` with a fault that a real machine gives only rarely, for the tests:

    python -m tests.faults state_full:<pages> crawl moscowtimes ...

``state_full:<n>``: once the SQLite crawl state is opened, its file may grow by at most ``n`` pages
(SQLite's own ``PRAGMA max_page_count``), so writes that need more space fail exactly as on a full
disk, raised by SQLite itself: ``sqlite3.OperationalError: database or disk is full``.
"""

from __future__ import annotations

import sys

from scrapy.cmdline import execute

from crawler.state.sqlite import SqliteStore


def state_full(extra_pages: int) -> None:
    connect = SqliteStore.connect

    def full_connect(self: SqliteStore) -> None:
        connect(self)
        assert self.conn is not None
        pages = self.conn.execute("PRAGMA page_count").fetchone()[0]
        self.conn.execute(f"PRAGMA max_page_count = {pages + extra_pages}")

    SqliteStore.connect = full_connect  # type: ignore[method-assign]


def main() -> None:
    fault, _, value = sys.argv.pop(1).partition(":")
    if fault != "state_full":
        raise SystemExit(f"unknown fault {fault!r}")
    state_full(int(value or 0))
    execute(["scrapy", *sys.argv[1:]])


if __name__ == "__main__":
    main()
