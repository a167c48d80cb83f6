"""Runs that failed say so (exit code, one line, ``run/outcome``, health report, manifest, crawl state),
against the Moscow Times fixture site on 127.0.0.1 made hostile: every host unreachable (``MIRRORS``
pointing at a closed port), one sitemap answering 500, an output path that cannot be created, a crawl
state whose disk is full (:mod:`tests.faults`: SQLite's own "database or disk is full").
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.state import open_store
from crawler.state.records import RunRecord
from tests.crawl import ROOT, SITES, expected, mirrors_for, run_crawl
from tests.siteserver import SiteServer

pytestmark = pytest.mark.integration
TRUTH = expected("moscowtimes")
WINDOW = ("-a", "since=2023-05-01", "-a", "until=2023-08-31")
LATE_AUGUST = ("-a", "since=2023-08-20", "-a", "until=2023-08-31")  # 6 articles, none of the slow ones
LATE_AUGUST_URLS = sorted(url for url in TRUTH["articles"] if url.split("/")[3:6] >= ["2023", "08", "20"])


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manifest_of(output: Path) -> dict:
    found = list(output.rglob("*.manifest.json"))
    assert len(found) == 1, found
    return json.loads(found[0].read_text("utf-8"))


def runs_of(state_url: str) -> list[RunRecord]:
    store = open_store(state_url)
    store.connect()
    try:
        return store.runs("moscowtimes")  # type: ignore[attr-defined]
    finally:
        store.close()


def test_nothing_reached_exits_4_is_a_failed_run_and_the_next_run_covers_its_window(tmp_path):
    state = f"sqlite:///{tmp_path / 'state.sqlite'}"
    ten_days_ago = datetime.now(timezone.utc) - timedelta(days=10)
    store = open_store(state)
    store.connect()
    try:  # an earlier successful run, ten days ago
        run = RunRecord(outlet="moscowtimes", started_at=ten_days_ago.isoformat(timespec="seconds"), status="running")
        store.start_run(run)
        run.status = "finished"
        store.finish_run(run)
    finally:
        store.close()
    dead = f"http://127.0.0.1:{closed_port()}"
    result = run_crawl("moscowtimes", dead, tmp_path / "dead.jsonl",  # (no retries: they would only take longer)
                       settings={"STATE_URL": state, "OUTPUT_URI": str(tmp_path / "out"), "RETRY_TIMES": 0})
    assert result.returncode == 4, result.log[-3000:]
    last = result.log.strip().splitlines()[-1]
    assert "NOTHING REACHED: none of the 3 discovery sources answered" in last and "exit code 4" in last, last
    assert result.stats["run/outcome"] == "nothing_reached"
    assert result.stats["spider/download_error/DownloadConnectionRefusedError"] == 3
    assert "download errors: DownloadConnectionRefusedError 3" in result.log
    assert "sources: NOTHING REACHED: 0 answered, 3 failed" in result.log
    manifest = manifest_of(tmp_path / "out")
    assert manifest["complete"] is False and manifest["gaps"] == ["nothing_reached"]
    assert manifest["items"] == 0 and manifest["sources"]["ok"] == []
    assert {(s["kind"], s["error"]) for s in manifest["sources"]["failed"]} == {
        ("robots", "DownloadConnectionRefusedError"), ("feed", "DownloadConnectionRefusedError"),
        ("sitemap", "DownloadConnectionRefusedError")}
    assert [r.status for r in runs_of(state)] == ["finished", "failed"]

    with SiteServer(SITES / "moscowtimes") as server:  # the network is back
        again = run_crawl("moscowtimes", server.url, tmp_path / "again.jsonl", settings={"STATE_URL": state})
    assert again.returncode == 0, again.log[-3000:]
    today = datetime.now(timezone.utc).date()
    # the window starts at the last *successful* run (ten days ago), not at the failed one (today)
    assert f"articles dated {ten_days_ago.date()} .. " in again.log or \
        f"articles dated {ten_days_ago.date() + timedelta(days=1)} .. " in again.log, again.log[-3000:]
    assert again.stats["run/outcome"] == "delivered"
    assert [r.status for r in runs_of(state)] == ["finished", "failed", "finished"]
    assert date.fromisoformat(runs_of(state)[-1].since or "") < today - timedelta(days=8)


def test_a_failed_sitemap_is_listed_and_the_run_still_delivers_as_partial(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SITES / "moscowtimes", site)
    routes = json.loads((site / "_responses.json").read_text("utf-8"))
    routes["/sitemap/2023-8.xml"] = {"status": 500}
    (site / "_responses.json").write_text(json.dumps(routes), "utf-8")
    state = f"sqlite:///{tmp_path / 'state.sqlite'}"
    with SiteServer(site) as server:  # until today: only the failed sitemap can make the run partial
        result = run_crawl("moscowtimes", server.url, tmp_path / "out.jsonl", "-a", "since=2023-05-01",
                           settings={"STATE_URL": state, "OUTPUT_URI": str(tmp_path / "out")})
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["run/outcome"] == "delivered"
    urls = {item["url"] for item in result.items}
    assert urls and urls < set(TRUTH["articles"])  # August articles not in the RSS feed are missing
    failed_url = "https://static.themoscowtimes.com/sitemap/2023-8.xml"
    assert f"1 failed (sitemap {failed_url} (HTTP 500))" in result.log
    manifest = manifest_of(tmp_path / "out")
    assert manifest["complete"] is False and manifest["gaps"] == ["sources_failed"]
    assert manifest["sources"]["failed"] == [{"kind": "sitemap", "url": failed_url, "error": "HTTP 500"}]
    assert manifest["sources"]["ok_count"] >= 5  # robots.txt, the feed, the index, three monthly sitemaps
    assert manifest["errors"]["spider/http_error/500"] == 1
    assert [r.status for r in runs_of(state)] == ["partial"]  # the next run covers this window again


def test_an_output_path_that_cannot_be_created_exits_3_before_crawling(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with SiteServer(SITES / "moscowtimes") as server:
        result = run_crawl("moscowtimes", server.url, blocker / "out.jsonl", *WINDOW)
        requested = [entry.path for entry in server.log]
    assert result.returncode == 3
    assert result.log.strip().splitlines() == [
        f"scrapy: error: cannot write the feed {blocker / 'out.jsonl'}: {blocker} is not a folder; "
        "nothing was crawled (exit code 3)"]
    assert requested == []


def test_a_full_state_disk_exits_5_and_delivery_stays_exactly_once(tmp_path):
    settings = {"STATE_URL": f"sqlite:///{tmp_path / 'state.sqlite'}", "STATE_JOURNAL_DIR": str(tmp_path / "journal")}
    with SiteServer(SITES / "moscowtimes") as server:
        full = run_crawl("moscowtimes", server.url, tmp_path / "full.jsonl", *LATE_AUGUST, settings=settings,
                         fault="state_full:0")
        assert full.returncode == 5, full.log[-3000:]
        assert sorted(i["url"] for i in full.items) == LATE_AUGUST_URLS  # delivered...
        assert full.stats["run/outcome"] == "state_failed"
        assert "database or disk is full" in full.log
        assert full.stats["state/journaled"] >= 6  # ...and kept in the journal, not lost
        journal = list((tmp_path / "journal" / "moscowtimes").glob("*.json"))
        assert len(journal) == 1
        assert full.log.strip().splitlines()[-1].endswith(
            f"moscowtimes: THE CRAWL STATE COULD NOT BE WRITTEN; {full.stats['state/journaled']} record(s) "
            "are kept in the state journal for the next run; exit code 5")

        before = len(server.log)
        still_full = run_crawl("moscowtimes", server.url, tmp_path / "still.jsonl", *LATE_AUGUST, settings=settings,
                               fault="state_full:0")
        assert still_full.returncode == 5, still_full.log[-3000:]
        assert len(server.log) == before  # the journal could not be written: nothing crawled
        assert "nothing was crawled; exit code 5" in still_full.log
        assert journal[0].exists()

        fixed = run_crawl("moscowtimes", server.url, tmp_path / "fixed.jsonl", *LATE_AUGUST, settings=settings)
    assert fixed.returncode == 0, fixed.log[-3000:]
    assert fixed.items == []  # not one article delivered twice
    assert fixed.stats["state/replayed"] == full.stats["state/journaled"]
    assert not journal[0].exists()
    assert [r.status for r in runs_of(settings["STATE_URL"])] == ["failed", "partial"]


def test_unknown_spider_is_one_line_with_the_list():
    for command in ("crawl", "crawlall"):
        proc = subprocess.run([sys.executable, "-m", "scrapy", command, "nosuchspider"], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert lines[0].startswith("scrapy: error: unknown spider nosuchspider; the spiders are: agentstvo, ")
        assert "moscowtimes" in lines[0] and "Traceback" not in proc.stderr
