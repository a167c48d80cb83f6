"""End to end for the RSS/HTML outlets: the real `scrapy crawl <outlet>` in a subprocess, against each
outlet's fixture site on 127.0.0.1 through MIRRORS, with an explicit date window covering the fixtures
(the default window is the last 7 days of the real clock), checked field by field against the fixture's
ground truth (tests/sites/<outlet>/_expected.json)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import jsonschema
import pytest

from crawler import outlets
from crawler.schema import article_schema
from tests.crawl import SITES, CrawlResult, expected, run_crawl
from tests.siteserver import SiteServer
from tests.unit.pages.expectations import mismatches

pytestmark = pytest.mark.integration
SITES_RSS = ("theinsider", "mediazona", "mediazona_en", "istories", "tvrain", "agentstvo", "verstka", "holod",
             "proekt", "republic")
WINDOW = ("-a", "since=2026-11-15", "-a", "until=2026-11-30")  # the fixtures' articles: 20..27 November 2026
DISCOVERY = {  # what each outlet is expected to read, in its order of preference (sitemaps, then feeds)
    "theinsider": ("feed",), "mediazona": ("sitemap", "feed"), "mediazona_en": ("feed",), "istories": ("sitemap", "feed"),
    "tvrain": ("feed",), "agentstvo": ("sitemap", "feed"), "verstka": ("sitemap", "feed"),
    "holod": ("sitemap", "feed"), "proekt": ("sitemap", "feed"), "republic": ("sitemap",),
}


def crawl(site: str, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    with SiteServer(SITES / site) as server:
        result = run_crawl(site, server.url, tmp_path_factory.mktemp(site) / "out.jsonl", *WINDOW)
        result.requests = [(entry.path, entry.status) for entry in server.log]  # type: ignore[attr-defined]
    return result


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CrawlResult]:
    """One crawl per outlet, run side by side (each in its own process, against its own server)."""
    with ThreadPoolExecutor(max_workers=5) as pool:
        futures = {site: pool.submit(crawl, site, tmp_path_factory) for site in SITES_RSS}
        return {site: future.result() for site, future in futures.items()}


@pytest.mark.parametrize("site", SITES_RSS)
def test_every_article_is_exported_once_with_the_right_fields(crawls, site):
    result, truth = crawls[site], expected(site)
    assert result.returncode == 0, result.log[-3000:]
    urls = [item["url"] for item in result.items]
    assert sorted(urls) == sorted(truth["articles"])
    problems = {url: mismatches(item, truth["articles"][url]) for url, item in result.by_url().items()}
    assert {url: p for url, p in problems.items() if p} == {}
    assert not set(urls) & set(truth.get("not_exported", []))
    assert "Traceback" not in result.log


@pytest.mark.parametrize("site", SITES_RSS)
def test_items_follow_the_schema_keep_canonical_urls_and_say_their_layer(crawls, site):
    result = crawls[site]
    validator = jsonschema.Draft202012Validator(article_schema())
    hosts = outlets.get(site).hosts
    for item in result.items:
        assert list(validator.iter_errors(item)) == []
        assert item["url"].split("/")[2] in hosts
        assert not any("127.0.0.1" in image["url"] for image in item["images"])
        assert item["foreign_agent_label"] == bool(item["foreign_agent_text"])
        assert "ДАННОЕ СООБЩЕНИЕ" not in item["body"]
    layers = {key.rsplit("/", 1)[1]: n for key, n in result.stats.items() if key.startswith("extract/body/")}
    assert sum(n for layer, n in layers.items() if layer != "none") == len(result.items)
    assert result.stats["health/layout_changed"] == 0


@pytest.mark.parametrize("site", SITES_RSS)
def test_discovery_reads_the_outlets_sitemaps_and_feeds(crawls, site):
    stats = crawls[site].stats
    read = {kind for kind in ("sitemap", "feed")
            if stats.get(f"discovery/{kind}/entries") or stats.get(f"discovery/{kind}/urlset")}
    assert read == set(DISCOVERY[site])
    requested = {path for path, _ in crawls[site].requests}
    assert not any(p.startswith(("/wp-json", "/category/novosti", "/o-proekte", "/subscribe", "/about"))
                   for p in requested)


def test_verstka_challenged_page_comes_from_the_feed_without_a_browser(crawls):
    result = crawls["verstka"]
    assert result.stats["extract/body/feed"] == 1 and result.stats["extract/body/outlet"] == 2
    assert result.stats["render/not_needed"] == 3  # render="fallback": checked, nothing sent to the browser
    assert not any(key.startswith("render/pages") for key in result.stats)
    item = result.by_url()["https://verstka.media/my-pishem-pisma-tem-kogo-nikto-ne-zhdet/"]
    assert item["native_id"] == "91502" and item["extraction"] == {"body": "feed"}
    assert "Поддержите «Вёрстку»" not in item["body"]  # cut at the spacer, in the feed's text too


def test_republic_keeps_the_free_teaser_of_paywalled_articles(crawls):
    items = crawls["republic"].by_url()
    assert [items[f"https://republic.ru/posts/{i}"]["paywalled"] for i in (113402, 113415, 113421)] == [True, True, False]
    assert all("подписк" not in items[url]["body"].lower() for url in items)


def test_gone_and_non_article_entries_are_counted_not_exported(crawls):
    assert crawls["theinsider"].stats["discovery/skipped/not_article"] == 1  # theins.press/en: other host
    assert crawls["tvrain"].stats["discovery/skipped/not_article"] == 1  # /live/
    assert crawls["mediazona"].stats["discovery/skipped/not_article"] == 2  # /online/, in the feed and the sitemap
    assert crawls["holod"].stats["validate/dropped/missing_body"] == 1  # the audio-only podcast
    assert crawls["agentstvo"].stats["discovery/sitemap/skipped_not_followed"] == 2  # pages, categories
    assert ("/news/301099", 410) in crawls["theinsider"].requests


def test_cleaning_is_counted_by_markup_and_by_text(crawls):
    assert crawls["mediazona"].stats["clean/markup/div.mz-publish-related"] == 3
    assert crawls["holod"].stats["clean/markup/div.holod-donate-inline"] == 2
    assert crawls["agentstvo"].stats["clean/text/foreign_agent"] == 3
    assert crawls["agentstvo"].stats["clean/text/read_more"] == 3


def test_verstka_page_blocked_with_503_is_built_from_the_feed(tmp_path):
    """Real anti-bot pages often answer 503: after the retries, the article comes from its feed item."""
    import json
    import shutil

    site = tmp_path / "verstka"
    shutil.copytree(SITES / "verstka", site)
    routes = json.loads((site / "_responses.json").read_text("utf-8"))
    routes["/my-pishem-pisma-tem-kogo-nikto-ne-zhdet/"] = {
        "status": 503, "body": "<html><head><title>Just a moment...</title></head><body><script>var _cf_chl_opt={};"
                              "</script></body></html>"}
    (site / "_responses.json").write_text(json.dumps(routes), "utf-8")
    with SiteServer(site) as server:
        result = run_crawl("verstka", server.url, tmp_path / "out.jsonl", *WINDOW, "-a", "render=never")
    assert result.returncode == 0, result.log[-3000:]
    truth = expected("verstka")["articles"]
    assert sorted(result.by_url()) == sorted(truth)
    assert {url: mismatches(item, truth[url]) for url, item in result.by_url().items()} == {url: [] for url in truth}
    assert result.stats["spider/http_error/503"] == 1 and result.stats["spider/feed_only/503"] == 1
    assert result.stats["retry/count"] >= 1


def test_a_robots_txt_without_sitemap_lines_adds_no_guessed_sitemap(crawls):
    result = crawls["mediazona_en"]  # robots.txt is read for its Sitemap: lines; it names none
    assert result.stats["discovery/robots/no_sitemap"] == 1
    assert not any("sitemap" in path for path, _ in result.requests)
