"""The run's outcome and exit code, the sources record, the manifest's completeness, the crawl-state
journal, and local feed paths that cannot be written."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy.utils.test import get_crawler

from crawler import outcome
from crawler.exports.manifest import build_manifest
from crawler.exports.storages import local_feed_problem
from crawler.extensions.sources import SourceTracker
from crawler.state import open_store
from crawler.state.journal import Journal
from crawler.state.records import ArticleState, RunRecord, Touch


def test_outcome_from_stats_and_precedence():
    assert outcome.decide({}) == "delivered"
    assert outcome.decide({"sources/ok/feed": 1, "sources/failed/sitemap": 2}) == "delivered"  # partial
    assert outcome.decide({"sources/failed/sitemap": 2, "sources/failed/robots": 1}) == "nothing_reached"
    assert outcome.decide({"sources/failed/feed": 1, "feedexport/failed_count/LocalFeedStorage": 1}) == "output_failed"
    assert outcome.decide({"output/failed": 1, "state/write_failed": 1}) == "state_failed"
    assert outcome.decide({"run/outcome": "lease_busy", "state/write_failed": 1}) == "lease_busy"
    assert [outcome.exit_code(o) for o in ("delivered", "output_failed", "nothing_reached", "state_failed",
                                           "lease_busy")] == [0, 3, 4, 5, 6]
    assert outcome.worst(["delivered", "nothing_reached", "output_failed"]) == "output_failed"
    crawler = get_crawler(settings_dict={"OUTPUT_FAILED_EXIT_CODE": 7})
    assert outcome.exit_code("output_failed", crawler.settings) == 7


def test_sources_keep_the_last_word_per_url():
    crawler = get_crawler()
    tracker = SourceTracker.from_crawler(crawler)
    tracker.source_checked(kind="sitemap", url="https://a/s.xml", error="HTTP 500")
    tracker.source_checked(kind="sitemap", url="https://a/s.xml", error="HTTP 503")
    tracker.source_checked(kind="feed", url="https://a/rss", error="TimeoutError")
    assert outcome.nothing_reached(crawler.stats.get_stats())
    tracker.source_checked(kind="feed", url="https://a/rss")  # answered on a later request
    stats = crawler.stats.get_stats()
    assert (stats["sources/ok/feed"], stats["sources/failed/feed"], stats["sources/failed/sitemap"]) == (1, 0, 1)
    assert not outcome.nothing_reached(stats)
    assert tracker.summary() == {"ok": ["https://a/rss"], "ok_count": 1,
                                 "failed": [{"kind": "sitemap", "url": "https://a/s.xml", "error": "HTTP 503"}]}
    assert SourceTracker.of(crawler) is tracker


def manifest(stats: dict, reason: str = "finished") -> dict:
    spider = SimpleNamespace(name="moscowtimes", outlet=SimpleNamespace(key="moscowtimes"),
                             since=date(2023, 6, 1), until=date(2023, 8, 31))
    return build_manifest(run_id="r1", job=None, spider=spider, started_at=None, finished_at=None,  # type: ignore[arg-type]
                          finish_reason=reason, destination="/out", feed_options={"format": "jsonlines"},
                          files=[], stats=stats, sources={"ok": ["u"], "ok_count": 1, "failed": []})


def test_manifest_says_whether_the_run_covered_its_window():
    assert manifest({"sources/ok/feed": 1})["complete"] is True
    assert manifest({"sources/ok/feed": 1})["gaps"] == []
    assert manifest({"sources/failed/feed": 1})["gaps"] == ["nothing_reached"]
    partial = manifest({"sources/ok/feed": 1, "sources/failed/sitemap": 1, "discovery/skipped/limit": 3,
                        "spider/http_error/500": 1, "pipeline/error/KeyError": 2}, reason="shutdown")
    assert partial["complete"] is False
    assert partial["gaps"] == ["finish_reason:shutdown", "sources_failed", "limit"]
    assert partial["errors"] == {"pipeline/error/KeyError": 2, "spider/http_error/500": 1}


def test_journal_round_trip_and_replay(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    store = open_store(url)
    store.connect()
    try:
        run = RunRecord(outlet="moscowtimes", started_at="2026-11-28T06:00:00+00:00")
        store.start_run(run)
        run.status = "failed"
        article = ArticleState(outlet="moscowtimes", url="https://m/a1", fingerprint="f", signature=b"\x00\xffsig",
                               first_seen="2026-11-28T06:00:00+00:00", last_seen="2026-11-28T06:00:00+00:00")
        journal = Journal(tmp_path / "journal", url)
        path = journal.write("moscowtimes", [(article, [11, 22])], [], run)
        assert journal.pending("moscowtimes") == [path] and Journal(tmp_path / "journal", url + "x").pending("moscowtimes") == []
        articles, touches, loaded_run = Journal.load(path)
        assert articles == [(article, [11, 22])] and touches == [] and loaded_run == run
        assert journal.replay(store, path) == 1 and not path.exists()
        stored = store.find_articles("moscowtimes", ["https://m/a1"], [])
        assert stored[0].signature == b"\x00\xffsig" and store.find_band_candidates([22])[0].url == "https://m/a1"
        assert [r.status for r in store.runs("moscowtimes")] == ["failed"]  # type: ignore[attr-defined]
    finally:
        store.close()


def test_a_failed_save_leaves_new_records_without_an_id(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'state.sqlite'}")
    store.connect()
    try:
        article = ArticleState(outlet="o", url="https://m/a", first_seen="t", last_seen="t")
        with pytest.raises(sqlite3.Error):  # the touch of a row that cannot be written fails the transaction
            store.save([(article, [1])], [Touch(id=1, last_seen="t", entry_date="not-bound", key=None, etag=object())])  # type: ignore[arg-type]
        assert article.id is None and store.count_articles() == 0
        store.save([(article, [1])])  # written on the next try
        assert article.id is not None and store.count_articles() == 1
    finally:
        store.close()


def test_local_feed_paths_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert local_feed_problem(str(blocker / "out.jsonl")) == f"{blocker} is not a folder"
    assert local_feed_problem(str(tmp_path)) == f"{tmp_path} is a folder"
    assert local_feed_problem(str(tmp_path / "new" / "%(name)s" / "out.jsonl")) is None
    assert (tmp_path / "new").is_dir()
    assert local_feed_problem((tmp_path / "b" / "out.jsonl").as_uri()) is None
    assert local_feed_problem("s3://bucket/out.jsonl") is None
