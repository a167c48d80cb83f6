"""End to end: the real `scrapy crawl moscowtimes` in a subprocess, against the fixture site on 127.0.0.1
through MIRRORS, checked field by field against the fixture's ground truth."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import jsonschema
import pytest

from crawler.schema import article_schema
from tests.crawl import ROOT, SITES, expected, mirrors_for, read_jsonl, run_crawl
from tests.siteserver import SiteServer
from tests.unit.pages.expectations import mismatches

pytestmark = pytest.mark.integration
TRUTH = expected("moscowtimes")
SEED = "https://www.themoscowtimes.com/2023/08/22/russian-army-officials-visit-libya-after-haftar-invite-a82219"


@pytest.fixture(scope="module")
def full_crawl(tmp_path_factory):
    """One crawl of everything the fixture site has (May..August 2023), shared by the tests below."""
    with SiteServer(SITES / "moscowtimes") as server:
        result = run_crawl("moscowtimes", server.url, tmp_path_factory.mktemp("full") / "out.jsonl",
                           "-a", "since=2023-05-01", "-a", "until=2023-08-31")
        result.requests = [entry.path for entry in server.log]  # type: ignore[attr-defined]
    return result


def test_every_good_article_is_exported_once_with_the_right_fields(full_crawl):
    assert full_crawl.returncode == 0, full_crawl.log[-3000:]
    urls = [item["url"] for item in full_crawl.items]
    assert sorted(urls) == sorted(TRUTH["articles"])
    problems = {url: mismatches(item, TRUTH["articles"][url]) for url, item in full_crawl.by_url().items()}
    assert {url: p for url, p in problems.items() if p} == {}


def test_items_follow_the_schema_and_keep_canonical_urls(full_crawl):
    validator = jsonschema.Draft202012Validator(article_schema())
    for item in full_crawl.items:
        assert list(validator.iter_errors(item)) == []
        assert item["url"].startswith("https://www.themoscowtimes.com/")
        assert all(not image["url"].startswith("http://127.0.0.1") for image in item["images"])


def test_non_articles_and_the_lost_article_are_not_exported(full_crawl):
    exported = set(full_crawl.by_url())
    assert not exported & set(TRUTH["not_exported"])
    assert all(not url.endswith(f"a{TRUTH['lost_article']['id']}") for url in exported)
    assert not any("/live/" in p or "/tag/" in p or "/author/" in p or p.endswith("/pdf") for p in full_crawl.requests)


def test_seed_article_has_no_appeal_left(full_crawl):
    body = full_crawl.by_url()[SEED]["body"]
    for text in ("Sign up for our free weekly newsletter", "A Message from The Moscow Times", "Dear readers",
                 "Remind me later", "Support The Moscow Times", "Read more", "Subscribers agree"):
        assert text not in body
    assert full_crawl.stats["clean/text/donation"] >= 1 and full_crawl.stats["clean/text/newsletter"] >= 1


def test_bad_input_is_logged_and_counted_and_the_crawl_goes_on(full_crawl):
    stats, log = full_crawl.stats, full_crawl.log
    assert stats["spider/http_error/404"] == 1 and "HTTP 404 for article" in log
    assert stats["spider/http_error/410"] == 1 and "HTTP 410 for article" in log
    assert stats["retry/count"] >= 2  # the 503 and the 429, both recovered
    assert stats["retry_after/waited"] == 1 and "waiting 1.0s as Retry-After asks" in log
    assert stats["discovery/sitemap/malformed"] == 1 and "Malformed sitemap" in log
    assert stats["spider/skipped/empty_page"] == 1 and "Empty page, skipped" in log
    assert stats["spider/skipped/not_html"] == 1 and "Not an HTML page, skipped" in log
    assert "Traceback" not in log


def test_gzipped_sitemap_with_wrong_content_type_is_read(full_crawl):
    assert "/sitemap/2023-7.xml.gz" in full_crawl.requests
    assert any("/2023/07/19/" in url for url in full_crawl.by_url())


def test_windows_1251_page_is_decoded(full_crawl):
    item = next(i for i in full_crawl.items if i["url"].endswith("a82160"))
    assert "«Чайка»" in item["subtitle"]


def test_health_report_is_logged(full_crawl):
    assert "Health of moscowtimes:" in full_crawl.log
    assert full_crawl.stats["health/layout_changed"] == 0
    assert full_crawl.stats["extract/body/outlet"] == len(full_crawl.items)


def test_date_window_reads_only_the_sitemaps_it_needs(tmp_path):
    with SiteServer(SITES / "moscowtimes") as server:
        result = run_crawl("moscowtimes", server.url, tmp_path / "aug.jsonl",
                           "-a", "since=2023-08-20", "-a", "until=2023-08-25")
        paths = [entry.path for entry in server.log]
    assert result.returncode == 0
    dates = sorted(item["published_at"][:10] for item in result.items)
    assert dates and all("2023-08-20" <= d <= "2023-08-25" for d in dates)
    assert len(dates) == 4  # a82201, a82219 (in the sitemap and the RSS: fetched once), a82241, a82253
    assert not any(p.startswith("/sitemap/2023-7") or p.startswith("/sitemap/2023-6") for p in paths)
    assert not any("/2023/08/1" in p or "/2023/08/28" in p for p in paths)


def test_limit_caps_article_requests(tmp_path):
    with SiteServer(SITES / "moscowtimes") as server:
        result = run_crawl("moscowtimes", server.url, tmp_path / "limit.jsonl",
                           "-a", "since=2023-08-17", "-a", "until=2023-08-31", "-a", "limit=3")
    assert result.stats["discovery/article_requests"] == 3
    assert len(result.items) == 3


def test_default_output_is_jsonl_per_spider_with_cyrillic_unescaped(tmp_path):
    with SiteServer(SITES / "moscowtimes") as server:
        cmd = [sys.executable, "-m", "scrapy", "crawl", "moscowtimes", "-a", "since=2023-08-16", "-a", "until=2023-08-16",
               "-s", "MIRRORS=" + json.dumps(mirrors_for("moscowtimes", server.url)), "-s", f"OUTPUT_DIR={tmp_path}"]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (feed,) = (tmp_path / "moscowtimes").glob("*/*.jsonl")  # <outlet>/<YYYY-MM-DD>/<run id>-00001.jsonl
    assert re.fullmatch(r"\d{8}T\d{6}Z-\w{8}-00001\.jsonl", feed.name)  # the run id starts with the UTC time
    raw = feed.read_text("utf-8")
    assert "«Чайка»" in raw and "\\u0427" not in raw
    assert [item["native_id"] for item in read_jsonl(feed)] == ["a82160"]


def test_robots_txt_is_obeyed(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SITES / "moscowtimes", site)
    robots = site / "robots.txt"
    robots.write_text(robots.read_text() + "\nUser-agent: *\nDisallow: /2023/08/24/\n")
    with SiteServer(site) as server:
        result = run_crawl("moscowtimes", server.url, tmp_path / "robots.jsonl",
                           "-a", "since=2023-08-22", "-a", "until=2023-08-25")
        paths = [entry.path for entry in server.log]
    assert result.stats["robotstxt/forbidden"] == 1
    assert not any(p.startswith("/2023/08/24/") for p in paths)
    assert len(result.items) == 2


def test_bad_arguments_fail_with_a_clear_message(tmp_path):
    with SiteServer(SITES / "moscowtimes") as server:
        result = run_crawl("moscowtimes", server.url, tmp_path / "bad.jsonl", "-a", "since=yesterday")
    assert result.returncode == 2  # a usage error, before anything is fetched
    assert "error: -a since='yesterday': expected a date as YYYY-MM-DD" in result.log
    assert "Traceback" not in result.log


def test_scrapy_article_prints_the_cleaned_item_from_a_saved_page(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "scrapy", "article", "--url", SEED, "--html",
                           str(SITES / "moscowtimes" / "2023/08/22/russian-army-officials-visit-libya-after-haftar-invite-a82219")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    item = json.loads(proc.stdout)
    assert mismatches(item, TRUTH["articles"][SEED]) == []


def test_scrapy_article_downloads_through_mirrors_and_reports_drops(tmp_path):
    with SiteServer(SITES / "moscowtimes") as server:
        mirrors = json.dumps(mirrors_for("moscowtimes", server.url))
        ok = subprocess.run([sys.executable, "-m", "scrapy", "article", "--url", SEED, "-s", f"MIRRORS={mirrors}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
        gone = subprocess.run([sys.executable, "-m", "scrapy", "article", "-s", f"MIRRORS={mirrors}", "--url",
                               "https://www.themoscowtimes.com/2023/08/14/ruble-weakens-past-100-per-dollar-a82140"],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and json.loads(ok.stdout)["url"] == SEED
    assert gone.returncode != 0 and "No article" in gone.stderr


def test_an_article_in_the_feed_and_the_sitemap_is_requested_and_counted_once(full_crawl):
    seed_path = SEED.split(".com", 1)[1]
    assert full_crawl.requests.count(seed_path) == 1
    assert full_crawl.stats["discovery/skipped/duplicate"] >= 1  # a82219, a82241, a82287 are in both
