"""``scrapy backfill`` of The Insider (a feed-only outlet: its feed holds the newest items only) over
September to November 2026, against a copy of its fixture site and fixture web archives
(tests/archives.py) on 127.0.0.1, all reached through MIRRORS.

The world the test builds (pages: tests/archives.py ``insider_page``, derived from the fixture site's
``news/301118``, text invented):

* the site serves its feed (three November articles, and ``/news/301099`` in the feed answering 410)
  and eight older articles ``/news/300101..300108`` that no feed lists any more; ``/news/300111`` was
  deleted (404) and ``/news/300113`` answers 403 (blocked); ``/news/300112`` was deleted too;
* the Wayback Machine lists 300101..300106, 300111, 300113 for the window (a second, later capture of
  300101; a capture of 300100 from July, before the window; a tag page and an English page that are not
  articles of this spider), and holds a capture of 301099 that no listing names;
* Common Crawl's September collection lists 300105, 300106 (also in Wayback) and 300107; its October
  collection 300108 and the deleted 300112.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest

from crawler.schema import article_schema
from crawler.state import open_store
from tests.archives import ArchiveServer, Capture, insider_page
from tests.crawl import ROOT, SITES, expected, mirrors_for, read_jsonl, run_crawl
from tests.siteserver import SiteServer

pytestmark = pytest.mark.integration
INS = "https://theins.ru"
FEED_ARTICLES = sorted(expected("theinsider")["articles"])
LIVE = range(300101, 300109)
DELETED_WAYBACK, DELETED_CC, BLOCKED, GONE_IN_FEED = 300111, 300112, 300113, 301099
MSK = timezone(timedelta(hours=3))


def published(n: int) -> datetime:
    return datetime(2026, 9, 2, 10, 0, tzinfo=MSK) + timedelta(days=3 * (n - 300100))


def stamp(when: datetime, hours: int = 5) -> str:
    return (when + timedelta(hours=hours)).astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")


def page(n: int) -> bytes:
    return insider_page(n, published(n), seed=n)


def build_site(tmp: Path) -> Path:
    site = tmp / "site"
    shutil.copytree(SITES / "theinsider", site)
    for n in LIVE:
        (site / "news" / str(n)).write_bytes(page(n))
    (site / "news" / str(BLOCKED)).write_bytes(page(BLOCKED))
    routes = json.loads((site / "_responses.json").read_text("utf-8"))
    routes[f"/news/{BLOCKED}"] = {"status": 403}
    (site / "_responses.json").write_text(json.dumps(routes), "utf-8")
    return site


def build_archive() -> ArchiveServer:
    wayback = [Capture(f"{INS}/news/{n}", stamp(published(n)), page(n))
               for n in (*range(300101, 300107), DELETED_WAYBACK, BLOCKED)]
    wayback += [
        Capture(f"http://theins.ru:80/news/300101", stamp(published(300101), 500), page(300101)),  # later capture
        Capture(f"{INS}/news/300100", "20260720120000", page(300100)),  # before the window
        Capture(f"{INS}/tags/politika", "20260915120000", b"<html><body>tag</body></html>"),
        Capture(f"{INS}/en/news/300150", "20260915120000", b"<html><body>en</body></html>"),
        # after the window (so not listed), before today: found by asking the CDX API for the URL
        Capture(f"{INS}/news/{GONE_IN_FEED}", "20261202080000",
                insider_page(GONE_IN_FEED, datetime(2026, 11, 23, 9, 0, tzinfo=MSK), seed=GONE_IN_FEED)),
    ]
    commoncrawl = {
        "CC-MAIN-2026-39": [Capture(f"{INS}/news/{n}", stamp(published(n), 30), page(n)) for n in (300105, 300106, 300107)],
        "CC-MAIN-2026-43": [Capture(f"{INS}/news/{n}", stamp(published(n), 30), page(n)) for n in (300108, DELETED_CC)],
        "CC-MAIN-2026-22": [Capture(f"{INS}/news/300090", "20260520000000", page(300090))],  # before the window
    }
    return ArchiveServer(wayback, commoncrawl, cc_page_size=2)


SETTINGS = {"DOWNLOAD_SLOTS": {}, "WEBARCHIVE_CDX_PAGE_SIZE": 4, "WEBARCHIVE_CAPTURE_LAG_DAYS": 0, "BACKFILL_PROGRESS": "log"}
WINDOW = ("--since", "2026-09-01", "--until", "2026-11-30")


@pytest.fixture(scope="module")
def backfill(tmp_path_factory):
    """The back-fill, then the same command again with the same crawl state."""
    tmp = tmp_path_factory.mktemp("backfill")
    site, archive = build_site(tmp), build_archive()
    state = {"STATE_URL": f"sqlite:///{tmp / 'state.sqlite'}"}
    runs = []
    with SiteServer(site) as server, archive:
        mirrors = {**mirrors_for("theinsider", server.url), **archive.mirrors()}
        for n in (1, 2):
            before_site, before_archive = len(server.log), len(archive.log)
            result = run_crawl("theinsider", server.url, tmp / f"run{n}.jsonl", *WINDOW, command="backfill",
                               mirrors=mirrors, settings={**SETTINGS, **state})
            result.site = server.log[before_site:]  # type: ignore[attr-defined]
            result.archive = archive.log[before_archive:]  # type: ignore[attr-defined]
            runs.append(result)
    store = open_store(state["STATE_URL"])
    store.connect()
    try:
        cursors = store.load_cursors("theinsider", "2026-09-01")
    finally:
        store.close()
    return runs, cursors


def test_the_window_the_feed_cannot_reach_comes_from_the_archives_every_article_once(backfill):
    (first, _), _ = backfill
    assert first.returncode == 0, first.log[-3000:]
    assert "Traceback" not in first.log
    urls = [i["url"] for i in first.items]
    assert len(urls) == len(set(urls))
    wanted = FEED_ARTICLES + [f"{INS}/news/{n}" for n in (*LIVE, DELETED_WAYBACK, DELETED_CC, BLOCKED, GONE_IN_FEED)]
    assert sorted(urls) == sorted(wanted)
    validator = jsonschema.Draft202012Validator(article_schema())
    assert [e.message for i in first.items for e in validator.iter_errors(i)] == []
    by_url = first.by_url()
    assert by_url[f"{INS}/news/300104"]["published_at"] == published(300104).isoformat()
    # the archive listings brought the September-October articles; nothing outside the window or the pattern
    requested = {e.path for e in first.site}
    assert "/news/300100" not in requested and "/news/300090" not in requested
    assert not any(p.startswith(("/tags/", "/en/")) for p in requested)
    assert first.stats["discovery/skipped/not_article"] >= 2


def test_deleted_and_blocked_articles_are_recovered_with_their_provenance(backfill):
    (first, _), _ = backfill
    items = first.by_url()
    for n in (*LIVE, 301118):
        item = items[f"{INS}/news/{n}"]
        assert (item["source"], item["archived_at"], item["archive_url"], item["deleted_from_site"]) == \
            ("site", None, None, False)
    deleted = items[f"{INS}/news/{DELETED_WAYBACK}"]
    assert deleted["source"] == "wayback" and deleted["deleted_from_site"] is True
    assert deleted["archive_url"] == f"https://web.archive.org/web/{stamp(published(DELETED_WAYBACK))}id_/{INS}/news/{DELETED_WAYBACK}"
    assert deleted["archived_at"] == (published(DELETED_WAYBACK) + timedelta(hours=5)).astimezone(timezone.utc).isoformat()
    assert deleted["title"].startswith(f"Новость номер {DELETED_WAYBACK}") and len(deleted["body"]) > 200
    cc = items[f"{INS}/news/{DELETED_CC}"]
    assert cc["source"] == "commoncrawl" and cc["deleted_from_site"] is True
    assert cc["archive_url"].startswith("https://data.commoncrawl.org/crawl-data/CC-MAIN-2026-43/")
    assert cc["title"].startswith(f"Новость номер {DELETED_CC}")
    blocked = items[f"{INS}/news/{BLOCKED}"]
    assert blocked["source"] == "wayback" and blocked["deleted_from_site"] is False
    in_feed = items[f"{INS}/news/{GONE_IN_FEED}"]  # listed by the site's feed: the CDX API was asked for it
    assert in_feed["source"] == "wayback" and in_feed["deleted_from_site"] is True
    assert in_feed["archive_url"] == f"https://web.archive.org/web/20261202080000id_/{INS}/news/{GONE_IN_FEED}"
    stats = first.stats
    assert stats["webarchive/reason/gone"] == 3 and stats["webarchive/reason/blocked"] == 1
    assert stats["webarchive/fetched/wayback"] == 3 and stats["webarchive/fetched/commoncrawl"] == 1
    assert stats["webarchive/lookups/wayback"] == 1  # only for 301099: the listed ones came with their capture
    statuses = {e.path: e.status for e in first.site}
    assert statuses[f"/news/{DELETED_WAYBACK}"] == 404 and statuses[f"/news/{BLOCKED}"] == 403  # the site first


def test_archive_listings_are_paged_and_cover_every_collection_of_the_window(backfill):
    (first, _), _ = backfill
    cdx = [e.path for e in first.archive if e.path.startswith("/wayback/cdx/")]
    listing = [p for p in cdx if "matchType=prefix" in p]
    assert len(listing) >= 3 and "resumeKey=" not in listing[0] and all("resumeKey=" in p for p in listing[1:])
    assert all("from=20260901" in p and "to=20261130235959" in p for p in listing)
    index = [e.path for e in first.archive if e.path.startswith("/ccindex/")]
    assert sum(1 for p in index if p.endswith("collinfo.json")) == 1
    assert not any("CC-MAIN-2026-22" in p for p in index)  # May: outside the window
    pages = [p for p in index if "CC-MAIN-2026-39-index" in p and "page=" in p]
    assert len(pages) == 2  # three records, two per page
    ranges = [e for e in first.archive if e.path.startswith("/ccdata/crawl-data/")]
    assert len(ranges) == 1 and ranges[0].headers["Range"].startswith("bytes=") and ranges[0].status == 206
    robots = {e.path for e in first.archive if e.path.endswith("/robots.txt")}  # robots.txt obeyed there too
    assert robots == {"/wayback/robots.txt", "/ccindex/robots.txt", "/ccdata/robots.txt"}
    assert first.stats["discovery/wayback/pages"] == len(listing)


def test_a_second_run_of_the_same_backfill_lists_and_fetches_nothing(backfill):
    (_, second), cursors = backfill
    assert second.returncode == 0, second.log[-3000:]
    assert second.items == []
    assert not any(e.path.startswith(("/wayback/cdx", "/ccindex/CC-MAIN")) for e in second.archive)
    assert not [e for e in second.site if e.path.startswith("/news/3001")]
    assert json.loads(cursors["wayback:theins.ru/"])["done"] is True
    assert json.loads(cursors["commoncrawl:theins.ru/"])["done"] is True
    assert second.stats["discovery/wayback/done_before"] == 1


def test_backfill_resumes_after_sigterm_and_exports_every_article_exactly_once(tmp_path):
    """A back-fill stopped halfway with SIGTERM (what Scrapyd's cancel and systemd send) and started
    again: the second run's Wayback listing starts after the pages whose articles were delivered, and
    the two runs together export every article once."""
    site = tmp_path / "site"
    shutil.copytree(SITES / "theinsider", site)
    numbers = range(300200, 300224)
    captures = []
    routes = {}
    for n in numbers:
        (site / "news" / str(n)).write_bytes(page(n))
        routes[f"/news/{n}"] = {"delay": 0.25}
        captures.append(Capture(f"{INS}/news/{n}", f"202610{(n - 300200) // 2 + 1:02d}120000", page(n)))
    (site / "_responses.json").write_text(json.dumps(routes), "utf-8")
    (site / "feed").write_text('<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', "utf-8")
    state = f"sqlite:///{tmp_path / 'state.sqlite'}"

    def command(out: Path, mirrors: dict) -> list[str]:
        feeds = {f"{out}/%(batch_id)05d.jsonl": {"format": "jsonlines", "batch_item_count": 2, "overwrite": True}}
        settings = {**SETTINGS, "STATE_URL": state, "FEEDS": feeds, "MIRRORS": mirrors, "CONCURRENT_REQUESTS": 1,
                    "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0}
        return [sys.executable, "-m", "scrapy", "backfill", "theinsider", "--since", "2026-10-01", "--until",
                "2026-11-30", "--sources", "wayback", *[a for k, v in settings.items()
                                                        for a in ("-s", f"{k}={v if isinstance(v, str) else json.dumps(v)}")]]

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first_out, second_out = tmp_path / "first", tmp_path / "second"
    with SiteServer(site) as server, ArchiveServer(captures) as archive:
        mirrors = {**mirrors_for("theinsider", server.url), **archive.mirrors()}
        log = open(tmp_path / "first.log", "wb")
        proc = subprocess.Popen(command(first_out, mirrors), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while len(list(first_out.glob("*.jsonl"))) < 5 and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.05)
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
            log.close()
        first_listing = [e.path for e in archive.requests_to("/wayback/cdx/")]
        second = subprocess.run(command(second_out, mirrors), cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=300)
        second_listing = [e.path for e in archive.requests_to("/wayback/cdx/")][len(first_listing):]
    assert second.returncode == 0, second.stderr[-3000:]
    first_items = [i for f in sorted(first_out.glob("*.jsonl")) for i in read_jsonl(f)]
    second_items = [i for f in sorted(second_out.glob("*.jsonl")) for i in read_jsonl(f)]
    assert 8 <= len(first_items) < 24, "the first run was not stopped halfway"
    urls = [i["url"] for i in first_items + second_items]
    assert sorted(urls) == sorted(f"{INS}/news/{n}" for n in numbers)  # every article, exactly once
    first_log = (tmp_path / "first.log").read_text("utf-8")
    assert "shutdown" in first_log
    assert "resumeKey=" in second_listing[0], "the second run listed from the beginning again"
    assert len(second_listing) < len(first_listing) + 2
    assert "resuming 1 listing(s) where an earlier run stopped" in second.stderr


def test_a_site_that_refuses_every_connection_is_read_from_the_archives(tmp_path):
    """The outlet's host refuses connections (a port where nothing listens): after
    WEBARCHIVE_SITE_DOWN_AFTER failed article pages the site counts as down, and every article the
    Wayback Machine lists comes from its capture, not deleted (the site never said so)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    numbers = range(300401, 300407)
    captures = [Capture(f"{INS}/news/{n}", f"202609{n - 300390:02d}120000", page(n)) for n in numbers]
    with ArchiveServer(captures) as archive:
        mirrors = {**mirrors_for("theinsider", dead), **archive.mirrors()}
        result = run_crawl("theinsider", dead, tmp_path / "out.jsonl", "--since", "2026-09-01", "--until", "2026-09-30",
                           "--sources", "wayback", command="backfill", mirrors=mirrors,
                           settings={**SETTINGS, "RETRY_TIMES": 1, "CONCURRENT_REQUESTS": 1})
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(i["url"] for i in result.items) == [f"{INS}/news/{n}" for n in numbers]
    assert {(i["source"], i["deleted_from_site"]) for i in result.items} == {("wayback", False)}
    stats = result.stats
    assert stats["webarchive/site_down"] == 1 and stats["webarchive/reason/unreachable"] == len(numbers)
    assert stats.get("spider/download_error/DownloadConnectionRefusedError", 0) == 0  # no article page failed
    assert "has not answered once in 3 attempts" in result.log
