"""Run ``scrapy`` with faults that a real machine gives only rarely, for the tests:

    python -m tests.faults <fault>[,<fault>...] crawl moscowtimes ...

``state_full:<n>``
    once the SQLite crawl state is opened, its file may grow by at most ``n`` pages (SQLite's own
    ``PRAGMA max_page_count``), so writes that need more space fail exactly as on a full disk, raised
    by SQLite itself: ``sqlite3.OperationalError: database or disk is full``. A state file created
    under this fault has 512-byte pages, so that even a few articles need more.
``parser_bug:<text>``
    the page parser raises (``ZeroDivisionError``, as an unforeseen bug would) for article URLs that
    contain ``text``.
``pipeline_bug:<text>``
    the clean pipeline raises (``KeyError``) for items whose URL contains ``text``.
"""

from __future__ import annotations

import sqlite3
import sys
from typing import Any

from itemadapter import ItemAdapter
from scrapy.cmdline import execute

from crawler.pages.base import ArticlePage
from crawler.pipelines.learned import LearnedCleanPipeline
from crawler.state.sqlite import SqliteStore


def state_full(extra_pages: str) -> None:
    connect = SqliteStore.connect

    def full_connect(self: SqliteStore) -> None:
        if not self.path.exists():  # small pages, so that even a few articles need a new one
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with sqlite3.connect(self.path) as conn:
                conn.execute("PRAGMA page_size = 512")
                conn.execute("CREATE TABLE fault_page_size (x)")
        connect(self)
        assert self.conn is not None
        pages = self.conn.execute("PRAGMA page_count").fetchone()[0]
        self.conn.execute(f"PRAGMA max_page_count = {pages + int(extra_pages or 0)}")

    SqliteStore.connect = full_connect  # type: ignore[method-assign]


def parser_bug(text: str) -> None:
    to_article = ArticlePage.to_article

    def buggy(self: ArticlePage) -> Any:
        if text in self.url:
            return 1 / 0
        return to_article(self)

    ArticlePage.to_article = buggy  # type: ignore[method-assign]


def pipeline_bug(text: str) -> None:
    process_item = LearnedCleanPipeline.process_item  # the crawl's clean pipeline (asynchronous)

    async def buggy(self: LearnedCleanPipeline, item: Any) -> Any:
        if text in (ItemAdapter(item).get("url") or ""):
            raise KeyError("injected")
        return await process_item(self, item)

    LearnedCleanPipeline.process_item = buggy  # type: ignore[method-assign]


FAULTS = {"state_full": state_full, "parser_bug": parser_bug, "pipeline_bug": pipeline_bug}


def main() -> None:
    for fault in sys.argv.pop(1).split(","):
        name, _, value = fault.partition(":")
        if name not in FAULTS:
            raise SystemExit(f"unknown fault {name!r}; known: {', '.join(FAULTS)}")
        FAULTS[name](value)
    execute(["scrapy", *sys.argv[1:]])


if __name__ == "__main__":
    main()
