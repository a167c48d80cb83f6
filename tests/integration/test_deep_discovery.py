"""Deep discovery on each outlet's own site, end to end: the real `scrapy crawl <outlet>` against its fixture site
over a window that its feeds cannot reach (August–September 2026; every feed of the fixtures holds late November).
Each crawl finds the window's article only through the outlet's deep listing (Pangea's sitemap index, Meduza's
search pages, The Bell's GraphQL cursors, the sitemaps robots.txt declares, TV Rain's archive by day), reads the
listing newest first only as far as the window needs, and stops there: the page after the one that crosses the
window's start is in the fixture and must not be requested. And The Bell falls back to its unpaged query when
the server refuses the paging arguments.

The fixtures' older listings and pages are described in each tests/sites/<outlet>/README.md; the ground truth
of the articles found is ``older_articles`` in their _expected.json."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.crawl import SITES, CrawlResult, expected, run_crawl
from tests.siteserver import SiteServer
from tests.unit.pages.expectations import mismatches

pytestmark = pytest.mark.integration
DEEP = ("-a", "since=2026-08-01", "-a", "until=2026-09-30")
TVRAIN = ("-a", "since=2026-09-14", "-a", "until=2026-09-16")  # one request per day at least: a short window
SITES_DEEP = ("svoboda", "meduza", "thebell", "novayagazeta_eu", "mediazona", "istories", "tvrain")
REFUSAL = {"errors": [{"message": 'Unknown argument "after" on field "published_posts" of type "Query".',
                       "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]}


def crawl(site: str, root: Path, out: Path, *args: str) -> CrawlResult:
    with SiteServer(root) as server:
        result = run_crawl(site, server.url, out, *args)
        result.requests = list(server.log)  # type: ignore[attr-defined]
    return result


def refusing_thebell(tmp: Path) -> Path:
    """The Bell's fixture with a server that answers the paged query as GraphQL servers answer an unknown
    argument (HTTP 400, ``errors``), and the bridge's query with the newest posts."""
    root = tmp / "thebell-refusing"
    shutil.copytree(SITES / "thebell", root)
    routes = {"/api/v2/graphql": [
        {"method": "POST", "body_contains": "pageInfo", "status": 400, "body": json.dumps(REFUSAL),
         "headers": {"Content-Type": "application/json"}},
        {"method": "POST", "file": "_api/graphql-published-posts.json", "headers": {"Content-Type": "application/json"}}]}
    (root / "_responses.json").write_text(json.dumps(routes), "utf-8")
    return root


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CrawlResult]:
    """One crawl per outlet over the deep window (and The Bell's refusal over the fixtures' usual window), side by
    side, each in its own process against its own server."""
    jobs = {site: (site, SITES / site, TVRAIN if site == "tvrain" else DEEP) for site in SITES_DEEP}
    jobs["thebell-refusing"] = ("thebell", refusing_thebell(tmp_path_factory.mktemp("sites")),
                                ("-a", "since=2026-10-01", "-a", "until=2026-11-30"))
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(crawl, spider, root, tmp_path_factory.mktemp(name) / "out.jsonl", *args)
                   for name, (spider, root, args) in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


def paths(result: CrawlResult) -> list[str]:
    return [entry.path for entry in result.requests]  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- every outlet
@pytest.mark.parametrize("site", SITES_DEEP)
def test_the_window_beyond_the_feed_is_reached_through_the_deep_listing(crawls, site):
    result, truth = crawls[site], expected(site)["older_articles"]
    assert result.returncode == 0, result.log[-3000:]
    assert "Traceback" not in result.log
    assert sorted(result.by_url()) == sorted(truth)
    assert {url: mismatches(item, truth[url]) for url, item in result.by_url().items()} == {url: [] for url in truth}
    assert result.stats["discovery/article_requests"] == len(truth)  # nothing outside the window was requested
    assert result.stats["discovery/skipped/out_of_window"] >= 1  # the feed's and the listing's other entries
    assert result.stats["discovery/paging/pages"] >= 2


# ---------------------------------------------------------------------------- per outlet: how far each listing was read
def test_svoboda_reads_the_pangea_index_newest_child_first_and_not_the_children_before_the_window(crawls):
    requested = paths(crawls["svoboda"])
    read = [p for p in requested if p.startswith("/sitemap")]
    assert read == ["/sitemap.xml", "/sitemap_2_latest.xml.gz", "/sitemap_2_3.xml.gz"]  # one after the other
    # sitemap_2_2 (last changed 2026-07-31) and sitemap_2_1 are before the window; news/sections/videos never read
    assert crawls["svoboda"].stats["discovery/sitemap/skipped_out_of_window"] == 2
    assert crawls["svoboda"].stats["discovery/sitemap/skipped_not_followed"] == 3
    assert not any(p.endswith("/33655102.html") for p in requested)  # listed in sitemap_2_3, July: not requested


def test_meduza_pages_the_search_back_to_the_window_and_stops_at_the_page_that_crosses_it(crawls):
    requested = paths(crawls["meduza"])
    news = [p for p in requested if p.startswith("/api/w5/search?chrono=news")]
    assert news == [f"/api/w5/search?chrono=news&page={n}&per_page=24&locale=ru" for n in (0, 1)]  # not page 2
    assert crawls["meduza"].stats["discovery/paging/stop/window"] == 1  # page 1 reaches back to July
    assert crawls["meduza"].stats["discovery/paging/stop/end"] == 1  # chrono articles: has_next false


def test_thebell_pages_the_graphql_connection_with_the_end_cursor(crawls):
    posts = [entry for entry in crawls["thebell"].requests if entry.method == "POST"]  # type: ignore[attr-defined]
    variables = [json.loads(entry.body)["variables"] for entry in posts]
    assert variables == [{"first": 100, "after": None}, {"first": 100, "after": "cursor-58213"}]  # not cursor-56950
    assert crawls["thebell"].stats["discovery/paging/stop/window"] == 1
    assert "/feed" not in paths(crawls["thebell"])


@pytest.mark.parametrize("site,index,read,not_read", [
    ("novayagazeta_eu", "/sitemap.xml", ["/sitemaps/articles-3.xml", "/sitemaps/articles-2.xml"], "/sitemaps/articles-1.xml"),
    ("mediazona", "/sitemap.xml", ["/sitemap/sitemap-3.xml", "/sitemap/sitemap-2.xml"], "/sitemap/sitemap-1.xml"),
    ("istories", "/sitemap-index.xml", ["/sitemap-2.xml", "/sitemap-1.xml"], "/sitemap-0.xml"),
])
def test_sitemaps_declared_in_robots_txt_are_read_only_back_to_the_window(crawls, site, index, read, not_read):
    requested = paths(crawls[site])
    assert "/robots.txt" in requested
    assert [p for p in requested if "sitemap" in p] == [index, *read]
    assert not_read not in requested
    assert crawls[site].stats["discovery/sitemap/skipped_out_of_window"] == 1


def test_tvrain_walks_the_archive_day_by_day_within_the_window(crawls):
    requested = [p for p in paths(crawls["tvrain"]) if p.startswith("/archive/")]
    days = [(p.split("search_day=")[1].split("&")[0], p.rsplit("page=", 1)[1]) for p in requested]
    assert days == [("16", "1"), ("16", "2"), ("15", "1"), ("14", "1")]  # the 16th had one page of news; no 13th
    assert crawls["tvrain"].stats["discovery/dated/links"] == 2  # the news item and the day's live stream
    assert crawls["tvrain"].stats["discovery/skipped/not_article"] >= 1


# ---------------------------------------------------------------------------- The Bell's fallback
def test_thebell_falls_back_to_the_newest_posts_when_the_server_refuses_cursors(crawls):
    result = crawls["thebell-refusing"]
    assert result.returncode == 0, result.log[-3000:]
    posts = [entry for entry in result.requests if entry.method == "POST"]  # type: ignore[attr-defined]
    assert [entry.status for entry in posts] == [400, 200]
    assert "after" not in json.loads(posts[1].body)["variables"]  # the bridge's query: no paging
    truth = expected("thebell")["articles"]
    assert sorted(result.by_url()) == sorted(truth)  # today's behaviour: the newest posts, from the API
    assert result.stats["discovery/api/paging_refused"] == 1 and result.stats["extract/body/api"] == 3
    assert "/feed" not in paths(result) and "refused the paged query (HTTP 400)" in result.log
