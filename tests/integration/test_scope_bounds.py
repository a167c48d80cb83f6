"""A site that tries to steer the crawler (tests/sites/hostile/, served by tests/hostile.py in place of The
Moscow Times through MIRRORS): the real `scrapy crawl moscowtimes` must stay inside the outlet's scope, read
no local file, stop where the bounds say, and still export every article it can.

Two crawls: one over the whole site, shared by most tests below, and one with ``-a limit=1``.
A second local server stands for "any other site": it must never be asked anything."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.crawl import CrawlResult, run_crawl
from tests.hostile import HostileSite

pytestmark = pytest.mark.integration
WINDOW = ("-a", "since=2023-08-01", "-a", "until=2023-08-31")
MT = "https://www.themoscowtimes.com"
BIG_ENTRIES = 30_000  # ~1.2 KB each: a 36 MB sitemap (the protocol allows 50 MB; DOWNLOAD_MAXSIZE is 32 MiB)


def big_sitemap() -> bytes:
    """36 MB of old articles with long image captions, then one article of the window at the very end."""
    caption = "A long caption written for the tests, repeated to make the entry large. " * 14
    entries = (f"<url><loc>{MT}/2020/01/{1 + n % 28:02d}/old-article-{n}-a{500000 + n}</loc><image:image>"
               f"<image:loc>https://static.themoscowtimes.com/image/{n}.jpg</image:loc>"
               f"<image:caption>{caption}</image:caption></image:image></url>\n" for n in range(BIG_ENTRIES))
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">\n' + "".join(entries)
            + f"<url><loc>{MT}/2023/08/11/end-of-a-big-sitemap-a911</loc></url>\n</urlset>\n").encode()
    assert 35_000_000 < len(body) < 50_000_000
    return gzip.compress(body, compresslevel=1)


def secret(path: Path, article: str) -> str:
    """A local file that reads as a sitemap naming an article of the site: if the crawler ever read it,
    the site would be asked for that article."""
    path.write_text('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/'
                    f'0.9"><url><loc>{MT}/2023/08/12/{article}</loc></url></urlset>')
    return str(path)


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    with HostileSite() as foreign:
        values = {"foreign": foreign.url,
                  "secret_robots": secret(tmp / "robots-secret.xml", "secret-from-robots-a912"),
                  "secret_index": secret(tmp / "index-secret.xml", "secret-from-index-a913"),
                  "secret_feed": secret(tmp / "feed-secret.xml", "secret-from-feed-a914")}
        generated = {"/sitemap/big.xml.gz": ("application/octet-stream", big_sitemap())}
        with HostileSite(values, generated, huge_bytes=3_000_000) as site:
            yield tmp, site, foreign


@pytest.fixture(scope="module")
def crawl(sites) -> CrawlResult:
    tmp, site, foreign = sites
    result = run_crawl("moscowtimes", site.url, tmp / "all.jsonl", *WINDOW, timeout=180,
                       settings={"PARSE_MAX_BYTES": 1_000_000})
    result.requests = [entry.path for entry in site.log]  # type: ignore[attr-defined]
    result.foreign = [entry.path for entry in foreign.log]  # type: ignore[attr-defined]
    return result


def test_the_crawl_finishes_and_exports_every_article_it_can(crawl):
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert sorted(crawl.by_url()) == sorted(f"{MT}/2023/08/{path}" for path in (
        "01/plain-article-a901",
        "03/moved-article-a903",  # relative 301
        "04/canonical-target-a904",  # absolute 302 to the canonical host, fetched through the mirror
        "05/mirror-target-a905",  # 302 to the mirror's own address
        "07/refreshed-article-a907",  # meta refresh inside the site
        "09/huge-page-a909",  # cut, still an article
        "11/end-of-a-big-sitemap-a911",  # the last entry of the 36 MB sitemap
    ))
    assert "Traceback" not in crawl.log


def test_redirects_and_refreshes_never_leave_the_outlet(crawl):
    assert crawl.foreign == []  # the other site was never asked anything
    assert crawl.stats["spider/offsite/redirect"] == 1 and crawl.stats["spider/offsite/refresh"] == 1
    assert "Refused a request outside the outlet's scope (redirect): http://127.0.0.1:" in crawl.log
    assert "Refused a request outside the outlet's scope (refresh): http://127.0.0.1:" in crawl.log
    assert "/2023/08/04/canonical-target-a904" in crawl.requests  # the canonical host, reached through MIRRORS
    assert crawl.stats["mirrors/redirects"] >= 3
    assert all(item["url"].startswith(f"{MT}/") for item in crawl.items)


def test_local_files_and_other_schemes_are_never_opened(crawl):
    # robots.txt's file:// Sitemap, the index's file:// and ftp:// children; the feed's file:// link and the
    # urlset's file:///etc/passwd are not article URLs and never become requests at all
    assert crawl.stats["spider/offsite/scheme"] == 3
    assert "Refused a request outside the outlet's scope (scheme): file:///" in crawl.log
    assert crawl.stats["spider/offsite/host"] == 1  # robots.txt's Sitemap: on the other site
    assert not [path for path in crawl.requests if "secret" in path]  # no secret file was read as a sitemap
    assert crawl.stats["discovery/skipped/not_article"] >= 3


def test_an_endless_sitemap_index_ends_at_the_depth_bound(crawl):
    deep = [path for path in crawl.requests if path.startswith("/sitemap/deep/")]
    assert deep == ["/sitemap/deep/1.xml", "/sitemap/deep/2.xml", "/sitemap/deep/3.xml"]  # depth 1..3 (default 3)
    assert crawl.stats["discovery/sitemap/skipped_depth"] == 1
    assert "nests deeper than DISCOVERY_SITEMAP_MAX_DEPTH=3" in crawl.log


def test_a_36_mb_gzipped_sitemap_is_read_whole(crawl):
    assert crawl.requests.count("/sitemap/big.xml.gz") == 1
    assert "discovery/sitemap/unreadable" not in crawl.stats and "discovery/sitemap/cut" not in crawl.stats
    assert crawl.stats["discovery/skipped/out_of_window"] >= BIG_ENTRIES
    assert f"{MT}/2023/08/11/end-of-a-big-sitemap-a911" in crawl.by_url()


def test_a_huge_page_is_cut_to_the_budget_and_still_exported(crawl):
    item = crawl.by_url()[f"{MT}/2023/08/09/huge-page-a909"]
    assert item["title"] == "Huge page"
    assert item["body"].startswith("Huge page: this paragraph was written for the hostile-site tests")
    assert 10_000 < len(item["body"]) < 1_000_000  # part of the 3 MB of paragraphs, not all
    assert crawl.stats["parse/truncated/bytes"] == 1
    assert "Page too large to parse whole (3" in crawl.log and "PARSE_MAX_BYTES=1000000" in crawl.log


def test_a_retry_after_beyond_the_limit_is_not_retried(crawl):
    assert crawl.requests.count("/2023/08/08/retry-after-a-day-a908") == 1
    assert crawl.stats["retry_after/too_long"] == 1 and crawl.stats["spider/http_error/429"] == 1
    assert "retry/reason_count/429 Unknown Status" not in crawl.stats
    assert "asks to wait 86400s (> RETRY_AFTER_MAX_SECONDS=300): not retried" in crawl.log


def test_the_limit_stops_reading_sitemaps(sites):
    """``-a limit=1``: the first article request is the last entry of the big sitemap (the index's children
    are read one at a time, undated ones first: the endless index to its depth bound, then big.xml.gz);
    once it is made, the rest of that sitemap and the index's other children are not read."""
    tmp, site, _ = sites
    before = len(site.log)
    result = run_crawl("moscowtimes", site.url, tmp / "limit.jsonl", *WINDOW, "-a", "limit=1", timeout=120)
    assert result.returncode == 0, result.log[-3000:]
    asked = [entry.path for entry in site.log[before:]]
    assert "/sitemap/big.xml.gz" in asked and "/sitemap/2023-8.xml" not in asked
    assert result.stats["discovery/article_requests"] == 1
    assert [item["url"] for item in result.items] == [f"{MT}/2023/08/11/end-of-a-big-sitemap-a911"]
    assert result.stats["discovery/sitemap/skipped_limit"] == 1
    assert "The limit of article requests is reached" in result.log
