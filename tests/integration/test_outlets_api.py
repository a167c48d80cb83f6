"""End to end for the API outlets (Meduza ru/en, Novaya Gazeta Europe, The Bell) and the Pangea and Moscow
Times Russian editions: the real `scrapy crawl <outlet>` in a subprocess, against each outlet's fixture
site on 127.0.0.1 through MIRRORS (API requests included: GET, query strings, the GraphQL POST), with an
explicit date window covering the fixtures (the default window is the last 7 days of the real clock),
checked field by field against the fixture's ground truth (tests/sites/<outlet>/_expected.json)."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema
import pytest

from crawler import outlets
from crawler.schema import article_schema
from tests.crawl import SITES, CrawlResult, expected, run_crawl
from tests.siteserver import SiteServer
from tests.unit.pages.expectations import mismatches

pytestmark = pytest.mark.integration
SITES_API = ("meduza", "meduza_en", "novayagazeta_eu", "thebell", "svoboda", "moscowtimes_ru")
WINDOW = ("-a", "since=2026-10-01", "-a", "until=2026-11-30")  # the fixtures: 24..27 Nov 2026 (+ a 410 of 30 Oct)
BODY_LAYER = {"meduza": "api", "meduza_en": "api", "novayagazeta_eu": "api", "thebell": "api",
              "svoboda": "outlet", "moscowtimes_ru": "outlet"}


def crawl(site: str, root: Path, out: Path, *args: str) -> CrawlResult:
    with SiteServer(root) as server:
        result = run_crawl(site, server.url, out, *(args or WINDOW),
                           settings={"STATE_URL": f"sqlite:///{out.with_suffix('.state.sqlite')}"})
        result.requests = [(entry.method, entry.path, entry.status) for entry in server.log]  # type: ignore[attr-defined]
    return result


def paths(result: CrawlResult) -> list[str]:
    return [path for _, path, _ in result.requests]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CrawlResult]:
    """One crawl per outlet, run side by side (each in its own process, against its own server)."""
    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = {site: pool.submit(crawl, site, SITES / site, tmp_path_factory.mktemp(site) / "out.jsonl")
                   for site in SITES_API}
        return {site: future.result() for site, future in futures.items()}


def copy_site(site: str, tmp_path: Path, routes: dict) -> Path:
    """The fixture site with extra ``_responses.json`` routes (failures to recover from)."""
    root = tmp_path / "site"
    shutil.copytree(SITES / site, root)
    file = root / "_responses.json"
    known = json.loads(file.read_text("utf-8")) if file.exists() else {}
    file.write_text(json.dumps({**known, **routes}), "utf-8")
    return root


# ---------------------------------------------------------------------------- every outlet
@pytest.mark.parametrize("site", SITES_API)
def test_every_article_is_exported_once_with_the_right_fields(crawls, site):
    result, truth = crawls[site], expected(site)
    assert result.returncode == 0, result.log[-3000:]
    urls = [item["url"] for item in result.items]
    assert sorted(urls) == sorted(truth["articles"])
    problems = {url: mismatches(item, truth["articles"][url]) for url, item in result.by_url().items()}
    assert {url: p for url, p in problems.items() if p} == {}
    for url, item in result.by_url().items():
        assert item["authors"] == truth["articles"][url].get("authors", [])  # no key: no byline
    assert not set(urls) & set(truth.get("not_exported", []))
    assert "Traceback" not in result.log


@pytest.mark.parametrize("site", SITES_API)
def test_items_follow_the_schema_keep_canonical_urls_and_say_their_layer(crawls, site):
    result = crawls[site]
    validator = jsonschema.Draft202012Validator(article_schema())
    for item in result.items:
        assert list(validator.iter_errors(item)) == []
        assert item["url"].split("/")[2] in outlets.get(site).hosts
        assert not any("127.0.0.1" in image["url"] for image in item["images"])
        assert item["foreign_agent_label"] == bool(item["foreign_agent_text"])
        assert "ДАННОЕ СООБЩЕНИЕ" not in item["body"]
        assert item["extraction"] == {"body": BODY_LAYER[site]}
    assert result.stats[f"extract/body/{BODY_LAYER[site]}"] == len(result.items)
    assert result.stats["health/layout_changed"] == 0
    assert result.stats.get("spider/download_error/ValueError") is None


# ---------------------------------------------------------------------------- per outlet
@pytest.mark.parametrize("site,locale", [("meduza", "ru"), ("meduza_en", "en")])
def test_meduza_reads_the_search_api_and_the_feed_then_each_page_and_its_api_record(crawls, site, locale):
    result = crawls[site]
    requested = paths(result)
    for chrono in ("news", "articles"):
        assert f"/api/w5/search?chrono={chrono}&page=0&per_page=24&locale={locale}" in requested
    assert any(p.startswith("/rss/") for p in requested)
    for url in expected(site)["articles"]:
        page = "/" + url.split("meduza.io/", 1)[1]
        assert requested.count(page) == 1 and requested.count("/api/w5" + page) == 1  # once, though listed twice
        assert requested.index(page) < requested.index("/api/w5" + page)
    assert not any("/live/" in p for p in requested)  # excluded by URL before any request
    stats = result.stats
    # Russian news: page 0 still reaches into the window, so page 1 (September, past its start) is read too
    assert stats["api_document/requested"] == len(result.items)
    assert stats["discovery/api/pages"] == {"meduza": 3, "meduza_en": 2}[site]


def test_meduza_page_markup_is_the_fallback_when_the_api_record_fails(tmp_path):
    feature = "/api/w5/feature/2026/11/23/ochered-dlinoy-v-nedelyu"
    root = copy_site("meduza", tmp_path, {feature: {"status": 404}})
    result = crawl("meduza", root, tmp_path / "out.jsonl")
    assert result.returncode == 0
    items = result.by_url()
    url = "https://meduza.io/feature/2026/11/23/ochered-dlinoy-v-nedelyu"
    assert items[url]["extraction"] == {"body": "outlet"}
    assert mismatches(items[url], expected("meduza")["articles"][url]) == []
    assert result.stats["extract/body/api"] == 2 and result.stats["spider/http_error/404"] == 1


def test_novayagazeta_articles_come_from_the_record_api_in_both_languages(crawls):
    result = crawls["novayagazeta_eu"]
    requested = paths(result)
    assert "/api/v1/get/main" in requested and "/api/v1/get/main?lang=en" in requested
    assert "/feed/rss/ru" in requested and "/feed/rss/en" in requested
    records = [p for p in requested if p.startswith("/api/v1/get/record?slug=")]
    assert len(records) == len(set(records)) == 4  # found by the API and the feeds: fetched once
    assert not any(p.startswith("/articles/") for p in requested)  # the pages are not needed
    assert sorted(item["language"] for item in result.items) == ["en", "ru", "ru", "ru"]


def test_novayagazeta_page_is_fetched_when_a_record_fails(tmp_path):
    slug = "2026/11/26/pochemu-zapret-na-donaty-ne-ostanovit-nezavisimye-media"
    root = copy_site("novayagazeta_eu", tmp_path, {f"/api/v1/get/record?slug={slug}": {"status": 500}})
    result = crawl("novayagazeta_eu", root, tmp_path / "out.jsonl")
    assert result.returncode == 0
    url = f"https://novayagazeta.eu/articles/{slug}"
    assert f"/articles/{slug}" in paths(result)
    assert mismatches(result.by_url()[url], expected("novayagazeta_eu")["articles"][url]) == []
    assert result.stats["spider/fetch_url/fallback_to_page"] == 1
    assert len(result.items) == 4


def test_thebell_posts_the_graphql_query_and_fetches_each_page_once(crawls):
    result = crawls["thebell"]
    assert ("POST", "/api/v2/graphql", 200) in result.requests
    assert "/feed" not in paths(result)  # the API answered: the feed is only its fallback
    for url in expected("thebell")["articles"]:
        assert paths(result).count("/" + url.rsplit("/", 1)[1]) == 1
    assert sorted(item["native_id"] for item in result.items) == ["58213", "58240", "58266"]


def test_thebell_reads_the_feed_and_the_pages_when_graphql_fails(tmp_path):
    root = copy_site("thebell", tmp_path, {"/api/v2/graphql": {"method": "POST", "status": 500}})
    result = crawl("thebell", root, tmp_path / "out.jsonl")
    assert result.returncode == 0
    assert "/feed" in paths(result) and result.stats["discovery/api/fallback_feed"] == 1
    truth = expected("thebell")["articles"]
    assert sorted(result.by_url()) == sorted(truth)
    assert {url: mismatches(item, truth[url]) for url, item in result.by_url().items()} == {u: [] for u in truth}
    assert result.stats["extract/body/outlet"] == 3


def test_svoboda_reads_the_pangea_feed_and_drops_the_video_page(crawls):
    result = crawls["svoboda"]
    assert "/api/zrqiteuuir" in paths(result)
    assert result.stats["validate/dropped/not_article"] == 1  # /a/33814877.html, body.pg-media
    assert result.stats["clean/text/foreign_agent"] == 1


def test_moscowtimes_ru_dedupes_an_old_slug_and_skips_the_deleted_article(crawls):
    result = crawls["moscowtimes_ru"]
    requested = paths(result)
    assert "/sitemap/sitemap.xml" in requested and "/rss/news" in requested and "/rss/opinion" in requested
    a205112 = [p for p in requested if p.endswith("-a205112")]
    assert len(a205112) == 1  # in the feed under an old slug, in the sitemap under the new one
    skipped = {k: v for k, v in result.stats.items() if k.endswith("/skipped/same_native_id")}  # spider or state
    assert sum(skipped.values()) >= 1
    assert result.stats["spider/http_error/410"] == 1 and "HTTP 410 for article" in result.log
    assert result.stats["clean/text/donation"] == 1  # the in-body appeal, both paragraphs as one block


def test_window_keeps_the_api_requests_but_no_older_articles(tmp_path):
    result = crawl("meduza", SITES / "meduza", tmp_path / "out.jsonl", "-a", "since=2026-11-25", "-a", "until=2026-11-30")
    assert [item["url"].rsplit("/", 1)[1] for item in result.items] == ["chto-izmenitsya-dlya-inoagentov-s-1-dekabrya"]
    assert not any(p.startswith(("/feature/", "/news/", "/api/w5/feature", "/api/w5/news")) for p in paths(result))
    assert result.stats["discovery/skipped/out_of_window"] >= 2
