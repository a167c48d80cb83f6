"""`scrapy crawlall`: several outlets in one process, one output file per outlet, one health report each."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.crawl import ROOT, SITES, expected, mirrors_for, read_jsonl
from tests.siteserver import SiteServer

pytestmark = pytest.mark.integration


def test_two_outlets_in_one_process_write_one_feed_each(tmp_path):
    with SiteServer(SITES / "moscowtimes") as tmt, SiteServer(SITES / "holod") as holod:
        mirrors = {**mirrors_for("moscowtimes", tmt.url), **mirrors_for("holod", holod.url)}
        cmd = [sys.executable, "-m", "scrapy", "crawlall", "moscowtimes", "holod",
               "-a", "since=2023-08-20", "-a", "until=2026-11-30",
               "-s", "MIRRORS=" + json.dumps(mirrors), "-s", f"OUTPUT_DIR={tmp_path}",
               "-s", f"STATE_URL=sqlite:///{tmp_path / 'state.sqlite'}", "-s", "AUTOTHROTTLE_ENABLED=False"]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for outlet in ("moscowtimes", "holod"):
        feeds = list((tmp_path / outlet).rglob("*.jsonl*"))
        assert len(feeds) == 1, feeds
        items = read_jsonl(feeds[0]) if feeds[0].suffix == ".jsonl" else []
        assert items and {item["outlet"] for item in items} == {outlet}
        assert {item["url"] for item in items} <= set(expected(outlet)["articles"])
        assert f"Health of {outlet}:" in proc.stderr
