"""Real crawls with the real browser (Debian's Chromium) against tests/sites/render/ on 127.0.0.1.

One ``fallback`` crawl of the whole site (module-scoped: the browser is started once) is checked from
several sides; ``always``, ``never`` and a Moscow Times crawl check what the run's mode changes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from crawler import settings as project_settings
from tests.crawl import CrawlResult, run_crawl
from tests.integration.render_site import HOST, SITE, GatedSiteServer, crawl_render_site
from tests.siteserver import SiteServer

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not Path(project_settings.RENDER_BROWSER).is_file(),
                       reason=f"no browser at {project_settings.RENDER_BROWSER} (./run test installs Chromium)"),
]

EXPECTED = json.loads((SITE / "_expected.json").read_text("utf-8"))
TIMEOUT = 8  # RENDER_TIMEOUT for these crawls, seconds (generous: CI machines can be slow)


def url(slug: str) -> str:
    return f"https://{HOST}/news/{slug}"


@pytest.fixture(scope="module")
def fallback(tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlResult, GatedSiteServer]:
    with GatedSiteServer() as server:
        result = crawl_render_site(server, tmp_path_factory.mktemp("render") / "out.jsonl",
                                   settings={"RENDER_TIMEOUT": TIMEOUT})
    return result, server


def test_fallback_gets_every_article_under_its_canonical_url(fallback: tuple[CrawlResult, GatedSiteServer]) -> None:
    result, _ = fallback
    assert result.returncode == 0, result.log[-3000:]
    items = result.by_url()
    assert sorted(items) == sorted(url(slug) for slug in EXPECTED)
    for slug, want in EXPECTED.items():
        item = items[url(slug)]
        assert item["title"] == want["title"]
        assert item["body"] == want["body"], slug
        assert item["published_at"] == want["published_at"]
        assert item["extraction"]["body"] == "outlet"


def test_fallback_renders_only_what_needs_it_and_says_why(fallback: tuple[CrawlResult, GatedSiteServer]) -> None:
    result, server = fallback
    stats = result.stats
    assert stats["render/pages"] == 4
    assert stats["render/pages/rendertest/app_shell"] == 2  # js-article, next-article
    assert stats["render/pages/rendertest/challenge"] == 1
    assert stats["render/pages/rendertest/no_body"] == 1  # late-body: the parser found no body
    assert stats["render/requested/app_shell"] == 3  # ... and never-renders, which timed out
    assert "render/pages/rendertest/always" not in stats
    # the plain article was fetched once, over plain HTTP, and never reached the browser
    assert [e.headers.get("User-Agent") for e in server.requests_to(lambda p: p == "/news/plain-article")] == [
        project_settings.USER_AGENT]
    assert stats["render/not_needed"] == 2  # plain-article, and late-body before its parser spoke


def test_challenge_is_passed_by_the_browser_with_its_cookie(fallback: tuple[CrawlResult, GatedSiteServer]) -> None:
    result, server = fallback
    hits = server.requests_to(lambda p: p == "/news/challenge-article")
    assert [e.status for e in hits] == [503, 503, 200]  # plain HTTP, browser, browser after the reload
    assert "rp_challenge=passed" in (hits[-1].headers.get("Cookie") or "")
    assert "render/still_challenged" not in result.stats
    assert "retry/count" not in result.stats  # the 503 challenge was rendered, not retried


def test_never_rendering_page_times_out_cleanly(fallback: tuple[CrawlResult, GatedSiteServer]) -> None:
    result, _ = fallback
    assert result.stats["render/timeout"] == 1
    assert f"Render timed out after {TIMEOUT}s (app_shell): {url('never-renders')}" in result.log
    assert result.stats.get("finish_reason") == "finished"
    assert "Traceback" not in result.log  # scrapy-playwright's traceback for it is dropped
    assert url("never-renders") not in result.by_url()


def test_browser_cost_is_bounded(fallback: tuple[CrawlResult, GatedSiteServer]) -> None:
    result, server = fallback
    stats = result.stats
    assert stats["playwright/browser_count"] == 1
    assert stats["playwright/page_count/closed"] == stats["playwright/page_count"]  # every page closed
    assert stats["playwright/page_count/max_concurrent"] <= project_settings.PLAYWRIGHT_MAX_PAGES_PER_CONTEXT
    assert stats["playwright/request_count/aborted"] >= 8  # images and fonts of four pages
    assert not server.requests_to(lambda p: p.startswith(("/img/", "/fonts/")))
    assert server.requests_to(lambda p: p == "/api/articles/js-article.json")  # scripts' own requests do run


def test_always_renders_every_article(tmp_path: Path) -> None:
    with GatedSiteServer() as server:
        result = crawl_render_site(server, tmp_path / "out.jsonl", "-a", "render=always",
                                   settings={"RENDER_TIMEOUT": TIMEOUT})
    assert result.returncode == 0
    assert result.stats["render/pages/rendertest/always"] == 5
    assert result.stats["render/requested/always"] == 6
    assert sorted(result.by_url()) == sorted(url(slug) for slug in EXPECTED)
    # each article went once through the browser and never over plain HTTP
    assert [e.headers.get("User-Agent") for e in server.requests_to(lambda p: p == "/news/plain-article")] == [
        project_settings.USER_AGENT]
    assert "render/not_needed" not in result.stats


def test_never_starts_no_browser(tmp_path: Path) -> None:
    with GatedSiteServer() as server:
        result = crawl_render_site(server, tmp_path / "out.jsonl", "-a", "render=never")
    assert result.returncode == 0
    assert not [key for key in result.stats if key.startswith(("render/", "playwright/"))]
    assert "scrapy-playwright" not in result.log and "RenderMiddleware" not in result.log
    assert list(result.by_url()) == [url("plain-article")]  # the others have no body over plain HTTP
    assert result.stats["validate/dropped/missing_body"] == 4
    assert result.stats["spider/http_error/503"] == 1  # the challenge, retried, then given up


def test_moscowtimes_crawl_pays_nothing_for_rendering(tmp_path: Path) -> None:
    with SiteServer(Path(__file__).resolve().parents[1] / "sites" / "moscowtimes") as server:
        result = run_crawl("moscowtimes", server.url, tmp_path / "mt.jsonl", "-a", "since=2000-01-01",
                           "-a", "limit=2")
    assert result.returncode == 0, result.log[-3000:]
    assert result.items
    assert "scrapy_playwright" not in result.log and "scrapy-playwright" not in result.log
    assert not [key for key in result.stats if key.startswith(("render/", "playwright/"))]


def test_bad_render_argument_stops_the_run(tmp_path: Path) -> None:
    with SiteServer(SITE) as server:
        result = crawl_render_site(server, tmp_path / "out.jsonl", "-a", "render=sometimes")
    assert result.returncode != 0
    assert "-a render='sometimes': expected one of always, fallback, never" in result.log


def test_missing_browser_stops_the_run_with_a_clear_error(tmp_path: Path) -> None:
    with SiteServer(SITE) as server:
        result = crawl_render_site(server, tmp_path / "out.jsonl",
                                   settings={"RENDER_BROWSER": "/nonexistent/chromium"})
    assert result.returncode != 0
    assert "RENDER_BROWSER='/nonexistent/chromium' does not exist" in result.log
    assert shutil.which("chromium")  # the real one is there: the error came from the setting
