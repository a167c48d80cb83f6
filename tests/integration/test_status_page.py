"""`scrapy status --html --json` over a crawl state, and the page checked in a real browser (Debian's
Chromium, headless, launched as the crawler launches it: crawler.middlewares.render.launch_options).

The state is written here through the store's own operations, relative to today: The Moscow Times
with articles on most of the last 60 days and a healthy last run; Meduza whose last run found layout
drift and spooled a file, with an alert sent; Radio Svoboda with one failed run and a crawl holding
its lease now. The screenshot is kept under pytest's tmp dir (``status.png``) as the test's artefact.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from scrapy.utils.project import get_project_settings

from crawler.middlewares.render import launch_options
from crawler.state import ArticleState, RunRecord, open_store
from crawler.state.records import Alert
from tests.crawl import ROOT

pytestmark = pytest.mark.integration
TODAY = datetime.now(timezone.utc).date()
MISSING_DAYS = {3, 10, 11}  # days ago without a Moscow Times article


def article(outlet: str, day: date, n: int) -> tuple[ArticleState, list[int]]:
    return (ArticleState(outlet, f"https://example.org/{outlet}/{day}/{n}", published_at=f"{day}T09:00:00+03:00",
                         first_seen=f"{day}T10:00:00+00:00", last_seen=f"{day}T10:00:00+00:00"), [])


def run(store, outlet: str, days_ago: int, status: str, **stats) -> None:
    started = (datetime.now(timezone.utc) - timedelta(days=days_ago)).isoformat(timespec="seconds")
    record = RunRecord(outlet, started)
    store.start_run(record)
    record.status, record.finished_at, record.stats = status, started, stats
    store.finish_run(record)


@pytest.fixture(scope="module")
def state(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('state') / 'state.sqlite'}"
    store = open_store(url)
    store.connect()
    rows = []
    for ago in range(70):  # 70 days back: the first 10 are outside the page's 60 days
        if ago not in MISSING_DAYS:
            rows += [article("moscowtimes", TODAY - timedelta(days=ago), n) for n in range(1 + ago % 4)]
    rows += [article("meduza", TODAY - timedelta(days=ago), 0) for ago in (0, 1, 5)]
    store.save(rows)
    run(store, "moscowtimes", 2, "finished", **{"extract/body/outlet": 40, "extract/body/generic": 2,
                                               "delivery/items_delivered": 42, "health/layout_changed": 0})
    run(store, "moscowtimes", 0, "finished", **{"extract/body/outlet": 3, "delivery/items_delivered": 3,
                                               "health/layout_changed": 0, "run/outcome": "delivered"})
    run(store, "meduza", 0, "finished", **{"extract/body/api": 1, "extract/body/generic": 5,
                                          "delivery/items_delivered": 6, "health/layout_changed": 1,
                                          "delivery/feeds_spooled": 1})
    store.record_alerts([Alert("meduza", "layout_drift", "webhook", "drift", "x", "x")])
    run(store, "svoboda", 1, "failed", **{"run/outcome": "nothing_reached"})
    store.acquire_lease("svoboda", "node-b/4242/abcd", "node-b", 4242, "job-9", 600)
    store.close()
    return url


@pytest.fixture(scope="module")
def written(state, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("status")
    proc = subprocess.run([sys.executable, "-m", "scrapy", "status", "--html", str(out / "status.html"),
                           "--json", str(out / "status.json"), "-s", f"STATE_URL={state}"],
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out / "status.html", json.loads((out / "status.json").read_text("utf-8"))


def test_the_json_holds_each_outlets_days_runs_and_warnings(written):
    _, data = written
    by = {o["outlet"]: o for o in data["outlets"]}
    assert [o["name"] for o in data["outlets"]] == sorted(o["name"] for o in data["outlets"]) and len(by) == 3
    mt = by["moscowtimes"]
    assert len(mt["per_day"]) == 60 and list(mt["per_day"])[-1] == TODAY.isoformat()
    assert mt["per_day"][TODAY.isoformat()] == 1 and mt["per_day"][(TODAY - timedelta(days=3)).isoformat()] == 0
    assert mt["per_day"][(TODAY - timedelta(days=2)).isoformat()] == 3
    assert mt["articles"] == sum(1 + ago % 4 for ago in range(60) if ago not in MISSING_DAYS)
    assert mt["last_run"]["status"] == "finished" and mt["last_run"]["health"] == "ok" and mt["last_run"]["articles"] == 3
    assert mt["body_layers"] == {"outlet": 43, "generic": 2} and mt["warnings"] == [] and mt["lease"] is None
    md = by["meduza"]
    assert md["last_run"]["health"] == "layout changed" and md["alerts"] == ["layout_drift"]
    assert md["warnings"] == ["layout drift: the last run's health report says the layout has probably changed",
                              "spool: 1 file(s) spooled"]
    sv = by["svoboda"]
    assert sv["articles"] == 0 and sv["last_run"]["outcome"] == "nothing_reached"
    assert sv["lease"].startswith("host node-b, pid 4242, job job-9")


def test_the_page_renders_in_chromium_with_its_charts_and_no_console_error(written, tmp_path_factory):
    page_file, _ = written
    settings = get_project_settings()
    if not Path(settings.get("RENDER_BROWSER")).is_file():
        pytest.skip(f"no browser at {settings.get('RENDER_BROWSER')} (./run test installs Chromium)")
    from playwright.sync_api import sync_playwright

    options = launch_options(settings)
    problems: list[str] = []
    requested: list[str] = []
    shot = tmp_path_factory.mktemp("artefacts") / "status.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(headless=True, executable_path=options["executable_path"], args=options["args"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.on("request", lambda request: requested.append(request.url))
            page.goto(page_file.as_uri(), wait_until="load")
            charts = page.locator("svg.chart")
            assert charts.count() == 3
            for index in range(3):
                box = charts.nth(index).bounding_box()
                assert box and box["width"] == 300 and box["height"] == 52
                assert charts.nth(index).locator("rect").count() == 60
            mt = page.locator("#outlet-moscowtimes svg.chart rect")
            heights = [mt.nth(i).bounding_box()["height"] for i in range(60)]
            assert heights[-3 - 1] == 1 and heights[-1] > 1  # 3 days ago: no article (a stub); today: bars
            assert max(heights) == 40 and heights.count(1) == len(MISSING_DAYS)
            assert mt.nth(59).locator("title").text_content() == f"{TODAY}: 1 article"
            assert "layout changed" in page.locator("#outlet-meduza").inner_text()
            assert "crawling now: host node-b" in page.locator("#outlet-svoboda").inner_text()
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert problems == []
    assert requested == [page_file.as_uri()]  # self-contained: nothing else is fetched
    assert shot.stat().st_size > 10_000
    print(f"status page screenshot: {shot}")
