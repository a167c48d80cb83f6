"""Learned boilerplate end to end: real ``scrapy crawl holod`` runs against tests/sites/holod_learning (an
appeal nobody wrote a rule for, in 10 of 12 articles; recurring content that must stay), one SQLite crawl
state shared by the runs, and ``scrapy boilerplate`` between them.

The runs, in order (one module-scoped sequence, so the whole story costs four subprocesses):
1. the first crawl (2026-10-01..12): no exported body contains the appeal, recurring content stays, the
   post made only of the appeal is dropped as ``boilerplate_only``;
2. the next day's crawl: one new article, alone in its run, clean at once (learned from the state);
3. the operator pins the appeal's first paragraph as content and the background sentence as boilerplate
   with ``scrapy boilerplate holod --pin-content ID --pin-boilerplate ID``, which then lists what was learned;
4. the crawl after that obeys the pins.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.crawl import ROOT, SITES, CrawlResult, expected, run_crawl
from tests.siteserver import SiteServer

pytestmark = pytest.mark.integration
TRUTH = expected("holod_learning")
APPEAL, BACKGROUND, LEGAL = TRUTH["appeal"], TRUTH["background"], TRUTH["legal"]
DAY = {int(re.search(r"/2026/10/(\d\d)/", url).group(1)): url for url in TRUTH["articles"] if "ot-redakcii" not in url}
ONLY_APPEAL = next(url for url in TRUTH["articles"] if "ot-redakcii" in url)


@dataclass
class Story:
    first: CrawlResult
    second: CrawlResult
    pins: str  # the command's output: the pins, then the listing
    third: CrawlResult


def boilerplate_command(state: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "scrapy", "boilerplate", "holod", "-s", f"STATE_URL={state}", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def block_id(state_file: Path, paragraph: str) -> str:
    """The id the command shows for a learned paragraph (read from the state file, as an operator reads it
    from the listing)."""
    with sqlite3.connect(state_file) as conn:
        return str(conn.execute("SELECT id FROM learned_blocks WHERE outlet = 'holod' AND text = ?",
                                (paragraph,)).fetchone()[0])


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Story:
    tmp = tmp_path_factory.mktemp("learned")
    state = f"sqlite:///{tmp / 'state.sqlite'}"

    def crawl(until: str, name: str) -> CrawlResult:
        result = run_crawl("holod", server.url, tmp / f"{name}.jsonl", "-a", "since=2026-10-01", "-a", f"until={until}",
                           settings={"STATE_URL": state})
        assert result.returncode == 0 and "Traceback" not in result.log, result.log[-3000:]
        return result

    with SiteServer(SITES / "holod_learning") as server:
        first = crawl("2026-10-12", "first")
        second = crawl("2026-10-13", "second")
        pins = boilerplate_command(state, "--pin-content", block_id(tmp / "state.sqlite", APPEAL[0]),
                                   "--pin-boilerplate", block_id(tmp / "state.sqlite", BACKGROUND))
        assert pins.returncode == 0, pins.stderr
        third = crawl("2026-10-14", "third")
    return Story(first, second, pins.stdout, third)


def test_first_crawl_exports_no_body_with_the_appeal(story):
    first = story.first
    assert sorted(first.by_url()) == sorted(DAY[d] for d in range(1, 13))
    for url, item in first.by_url().items():
        assert item["body"] == TRUTH["articles"][url]["body"], url  # exactly the article, nothing more or less
        assert not any(p in item["body"] for p in APPEAL)
    assert first.stats["clean/learned/membership"] == 11  # 10 articles + the appeal-only post
    assert first.stats["clean/learned_new"] == 1 and first.stats["clean/learn/batches"] == 1
    assert "clean/appeal/membership" not in first.stats  # the classifier alone removed none of the 3-paragraph block


def test_recurring_content_stays(story):
    bodies = [item["body"] for item in story.first.items]
    assert sum(BACKGROUND in b for b in bodies) == 5 and sum(LEGAL in b for b in bodies) == 4


def test_a_body_of_boilerplate_only_is_dropped_not_exported_empty(story):
    assert ONLY_APPEAL not in story.first.by_url()
    assert story.first.stats["validate/dropped/boilerplate_only"] == 1
    assert all(item["body"] for item in story.first.items)


def test_health_report_lists_the_newly_learned_block(story):
    report = story.first.log[story.first.log.index("Health of holod"):]
    assert "newly learned boilerplate: 1" in report
    assert re.search(r"membership, 3 paragraph\(s\), in 11 articles: 'Пока вы читаете этот текст, наши", report)


def test_next_run_first_article_is_clean_at_once(story):
    second = story.second
    assert [item["url"] for item in second.items] == [DAY[13]]
    assert second.items[0]["body"] == TRUTH["articles"][DAY[13]]["body"]
    assert second.stats["clean/learn/batch_max"] == 1  # alone in its run: known from the crawl state
    assert second.stats["clean/learned/membership"] == 1 and "clean/learned_new" not in second.stats


def test_command_pins_and_lists_what_was_learned(story):
    assert "pinned as content: Пока вы читаете" in story.pins and "pinned as boilerplate: Закон об" in story.pins
    listing = story.pins[story.pins.index("first words"):]
    rows = [line.split(None, 1)[1] for line in listing.splitlines()[1:]]
    expected_rows = [  # decision, pinned, kind, articles (the 12 of the first two runs), days, first words
        r"content\s+yes\s+membership\s+12\s+2026-10-01\.\.2026-10-13\s+Пока вы читаете этот текст",
        r"boilerplate\s+-\s+membership\s+12\s+2026-10-01\.\.2026-10-13\s+Такие поездки стоят дорого",
        r"boilerplate\s+-\s+membership\s+12\s+2026-10-01\.\.2026-10-13\s+Если можете, станьте",
        r"boilerplate\s+yes\s+other\s+5\s+2026-10-01\.\.2026-10-09\s+Закон об «иностранных агентах»",
        r"content\s+-\s+other\s+4\s+2026-10-02\.\.2026-10-08\s+Meta, которой принадлежат",
    ]
    assert len(rows) == len(expected_rows), listing  # nothing else recurs in these articles
    for pattern in expected_rows:
        assert any(re.match(pattern, row) for row in rows), (pattern, listing)


def test_pins_change_the_next_crawl(story):
    item = story.third.by_url()[DAY[14]]
    paragraphs = item["body"].split("\n\n")
    assert APPEAL[0] in paragraphs  # pinned as content: kept
    assert APPEAL[1] not in paragraphs and APPEAL[2] not in paragraphs  # the rest of the run still goes
    assert BACKGROUND not in paragraphs  # pinned as boilerplate
    assert story.third.stats["clean/learned/other"] == 1 and story.third.stats["clean/learned/membership"] == 1


def test_pinning_an_unknown_block_is_a_usage_error(tmp_path):
    missing = boilerplate_command(f"sqlite:///{tmp_path / 'empty.sqlite'}", "--pin-content", "12345")
    assert missing.returncode == 2 and "No block 12345" in missing.stderr
