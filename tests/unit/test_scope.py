"""The outlet's scope (crawler/scope.py) and its downloader middleware, with MIRRORS and redirects; the
bounds on sitemaps (crawler/spiders/base.py), pages (crawler/middlewares/page_budget.py) and Retry-After.
Crawls against a hostile site: tests/integration/test_scope_bounds.py."""

from __future__ import annotations

import asyncio
import gzip

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, TextResponse, XmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler import outlets
from crawler.discovery.sitemaps import SitemapReader, parse_sitemap
from crawler.discovery.xml import DiscoveryError
from crawler.middlewares.mirrors import MirrorMiddleware, canonical_of
from crawler.middlewares.page_budget import PageBudgetMiddleware, cut
from crawler.middlewares.retry_after import RetryAfterMiddleware
from crawler.middlewares.scope import ScopeMiddleware
from crawler.scope import Scope
from crawler.spiders.moscowtimes import MoscowTimesSpider

MT = "https://www.themoscowtimes.com"
MIRROR = "http://127.0.0.1:8765"
ARCHIVES = ["web.archive.org", "index.commoncrawl.org", "data.commoncrawl.org"]


# ---------------------------------------------------------------------------- the scope
def test_the_scope_is_the_record_s_hosts_the_hosts_it_names_and_the_extra_hosts():
    scope = Scope.of(outlets.get("novayagazeta_eu"), ARCHIVES)
    assert {"novayagazeta.eu", "web.archive.org"} <= scope.hosts
    scope = Scope.of(outlets.get("moscowtimes"))
    assert scope.hosts == {"www.themoscowtimes.com", "themoscowtimes.com", "static.themoscowtimes.com"}
    assert scope.item_hosts == scope.hosts


def test_api_templates_name_hosts_but_items_stay_on_the_outlet_s_own():
    meduza = outlets.get("meduza")
    scope = Scope.of(meduza)
    assert scope.refusal("https://meduza.io/api/w5/search?chrono=news&page=0") is None
    assert scope.allows_item("https://meduza.io/news/2026/11/27/a")
    assert not scope.allows_item("https://web.archive.org/web/2026/https://meduza.io/news/2026/11/27/a")


@pytest.mark.parametrize("url, reason", [
    ("file:///etc/passwd", "scheme"),
    ("ftp://static.themoscowtimes.com/sitemap.xml", "scheme"),
    ("data:text/xml,<urlset/>", "scheme"),
    ("javascript:alert(1)", "scheme"),
    ("http://127.0.0.1:8765/sitemap.xml", "host"),
    ("http://169.254.169.254/latest/meta-data/", "host"),
    ("https://evil.example/2023/08/01/x-a1", "host"),
    ("https://www.themoscowtimes.com.evil.example/", "host"),
    ("https://www.themoscowtimes.com/2023/08/01/x-a1", None),
    ("http://static.themoscowtimes.com:8080/sitemap/sitemap.xml", None),
])
def test_what_may_be_requested(url, reason):
    assert Scope.of(outlets.get("moscowtimes")).refusal(url) == reason


# ---------------------------------------------------------------------------- the middlewares, with mirrors
def scope_middleware(**settings) -> tuple[ScopeMiddleware, dict]:
    crawler = get_crawler(MoscowTimesSpider, settings_dict={"SCOPE_EXTRA_HOSTS": ARCHIVES, **settings})
    crawler.spider = crawler._create_spider()
    crawler.stats.open_spider()
    middleware = ScopeMiddleware.from_crawler(crawler)
    middleware.spider_opened(crawler.spider)
    return middleware, crawler.stats


def redirected(request: Request, url: str, reason: object = 302) -> Request:
    """What Scrapy's redirect middlewares make of a response to ``request`` pointing at ``url``."""
    return request.replace(url=url, meta={**request.meta, "redirect_urls": [request.url],
                                          "redirect_reasons": [reason]})


def test_off_site_requests_are_refused_counted_and_logged(caplog):
    scope, stats = scope_middleware()
    for url in ("file:///tmp/secret.xml", "https://evil.example/sitemap.xml"):
        with pytest.raises(IgnoreRequest):
            scope.process_request(Request(url))
    assert scope.process_request(Request(f"{MT}/2023/08/01/x-a1")) is None
    assert scope.process_request(Request("https://web.archive.org/web/2023/x")) is None
    assert stats.get_value("spider/offsite/scheme") == 1 and stats.get_value("spider/offsite/host") == 1
    assert "Refused a request outside the outlet's scope (scheme): file:///tmp/secret.xml" in caplog.text


def test_redirects_from_a_mirror_are_judged_as_the_outlet_s_urls_and_mirrored_again():
    scope, stats = scope_middleware()
    mirrors = MirrorMiddleware({"www.themoscowtimes.com": MIRROR})
    original = Request(f"{MT}/2023/08/03/old-a3", meta={"article": True})
    mirrored = mirrors.process_request(original)
    assert canonical_of(mirrored) == original.url and scope.process_request(mirrored) is None
    assert mirrors.process_request(mirrored) is None  # its own request (and retries of it) go as they are
    for location in (f"{MIRROR}/2023/08/03/new-a3",  # a relative Location, resolved against the mirror
                     f"{MT}/2023/08/03/new-a3"):  # an absolute one to the canonical (blocked) host
        follow = redirected(mirrored, location)
        assert scope.process_request(follow) is None
        again = mirrors.process_request(follow)
        assert again is not None and again.url == f"{MT}/2023/08/03/new-a3"  # the outlet's URL, to be mirrored
        assert "mirror" not in again.meta and "dont_obey_robotstxt" not in again.meta  # robots.txt applies again
        assert again.meta["article"] and again.meta["redirect_urls"] == [mirrored.url]
        assert not again.dont_filter and mirrors.process_request(again).url == f"{MIRROR}/2023/08/03/new-a3"
    assert stats.get_value("spider/offsite/redirect") is None


@pytest.mark.parametrize("reason, stat", [(302, "redirect"), ("meta refresh", "refresh")])
def test_redirects_and_refreshes_off_the_outlet_are_refused(reason, stat):
    scope, stats = scope_middleware()
    mirrored = MirrorMiddleware({"www.themoscowtimes.com": MIRROR}).process_request(Request(f"{MT}/2023/08/02/x-a2"))
    for location in ("http://127.0.0.1:9999/stolen", "https://evil.example/x", "http://10.0.0.1/admin"):
        with pytest.raises(IgnoreRequest):
            scope.process_request(redirected(mirrored, location, reason))
    assert stats.get_value(f"spider/offsite/{stat}") == 3


def test_only_http_is_downloaded_at_all():
    from crawler import settings as project

    handlers = Settings({"DOWNLOAD_HANDLERS": project.DOWNLOAD_HANDLERS}).getdict("DOWNLOAD_HANDLERS")
    assert handlers == {"file": None, "ftp": None, "s3": None, "data": None}


def test_no_item_is_exported_under_a_url_outside_the_outlet_s_hosts(caplog):
    from tests.crawl import SITES

    seed = "2023/08/22/russian-army-officials-visit-libya-after-haftar-invite-a82219"
    body = (SITES / "moscowtimes" / seed).read_bytes()
    s = spider()
    s.crawler.stats.open_spider()
    here = HtmlResponse(f"{MT}/{seed}", body=body, encoding="utf-8", request=Request(f"{MT}/{seed}"))
    assert [item.url for item in s.parse_article(here)] == [f"{MT}/{seed}"]
    elsewhere = HtmlResponse(f"http://127.0.0.1:9/{seed}", body=body, encoding="utf-8",
                             request=Request(f"http://127.0.0.1:9/{seed}"))  # e.g. a browser that followed a redirect
    assert list(s.parse_article(elsewhere)) == []
    assert s.crawler.stats.get_value("spider/offsite/item") == 1
    assert f"Not exported: http://127.0.0.1:9/{seed} is not on The Moscow Times's hosts" in caplog.text


# ---------------------------------------------------------------------------- sitemaps: size, depth, files
def spider(**settings):
    crawler = get_crawler(MoscowTimesSpider, settings_dict=settings)
    return MoscowTimesSpider.from_crawler(crawler, since="2023-08-01", until="2023-08-31")


def index(*children: str) -> bytes:
    return ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<sitemap><loc>https://static.themoscowtimes.com/sitemap/{c}</loc></sitemap>" for c in children)
            + "</sitemapindex>").encode()


def test_sitemaps_are_read_up_to_the_protocol_s_50_mb_and_once_per_run():
    s = spider(DISCOVERY_SITEMAP_MAX_FILES=2)
    first = s.sitemap_request("https://static.themoscowtimes.com/sitemap/sitemap.xml")
    assert first.meta["download_maxsize"] == 50 * 1024 * 1024 == first.meta["download_warnsize"]
    assert s.sitemap_request("https://static.themoscowtimes.com/sitemap/sitemap.xml") is None  # seen
    assert s.sitemap_request("https://static.themoscowtimes.com/sitemap/2023-8.xml") is not None
    assert s.sitemap_request("https://static.themoscowtimes.com/sitemap/2023-7.xml") is None  # the third file
    stats = s.crawler.stats
    assert stats.get_value("discovery/sitemap/skipped_seen") == 1
    assert stats.get_value("discovery/sitemap/skipped_max_files") == 1
    assert stats.get_value("discovery/sitemap/requested") == 2


def test_an_index_deeper_than_the_bound_is_not_followed_and_its_siblings_are():
    s = spider(DISCOVERY_SITEMAP_MAX_DEPTH=2)
    url = "https://static.themoscowtimes.com/sitemap/deep.xml"
    request = Request(url, meta={"sitemap_loc": url, "sitemap_source": "sitemap:x", "sitemap_depth": 2,
                                 "sitemap_queue": ["https://static.themoscowtimes.com/sitemap/2023-8.xml"],
                                 "sitemap_queue_depths": [1]})
    (following,) = s.parse_sitemap(XmlResponse(url, body=index("deeper.xml"), request=request))
    assert following.url.endswith("/2023-8.xml") and following.meta["sitemap_depth"] == 1
    assert s.crawler.stats.get_value("discovery/sitemap/skipped_depth") == 1


def test_children_carry_their_depth():
    s = spider()
    url = "https://static.themoscowtimes.com/sitemap/sitemap.xml"
    request = s.sitemap_request(url)
    (child,) = s.parse_sitemap(XmlResponse(url, body=index("2023-8.xml", "news.xml"), request=request))
    assert child.url.endswith("/news.xml") and child.meta["sitemap_queue"][0].endswith("/2023-8.xml")
    assert child.meta["sitemap_depth"] == 1 and child.meta["sitemap_queue_depths"] == [1]


def test_a_sitemap_is_read_as_a_stream_and_keeps_what_came_before_its_bound():
    entries = "".join(f"<url><loc>{MT}/2023/08/01/a-a{n}</loc></url>" for n in range(2000))
    body = gzip.compress(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'.encode())
    reader = SitemapReader(body, max_size=50_000)
    read = list(reader)
    assert 100 < len(read) < 2000 and reader.failure == "gzip inflates beyond 50000 bytes"
    with pytest.raises(DiscoveryError, match="inflates"):
        parse_sitemap(body, max_size=50_000)  # read whole, or not at all
    assert len(parse_sitemap(b"\n\n  " + gzip.decompress(body)).entries) == 2000  # leading blank lines


# ---------------------------------------------------------------------------- huge pages
def test_a_page_is_cut_before_a_tag_within_its_byte_and_element_budgets():
    page = b"<html><head><title>t</title></head><body>" + b"<p>word</p>" * 1000 + b"</body></html>"
    body, reason = cut(page, max_bytes=500, max_nodes=0)
    assert reason == "bytes" and 480 < len(body) <= 500 and body.endswith(b"word")  # before the "</p>" cut
    assert page.startswith(body)
    body, reason = cut(page, max_bytes=0, max_nodes=100)
    assert reason == "nodes" and body.count(b"<p>") == 96  # html, head, title, body + 96 paragraphs
    assert cut(page, max_bytes=10**6, max_nodes=10**6) == (page, None)


def test_only_pages_are_cut_not_discovery_documents(caplog):
    crawler = get_crawler(settings_dict={"PARSE_MAX_BYTES": 100, "PARSE_MAX_NODES": 0})
    crawler.stats.open_spider()
    mw = PageBudgetMiddleware.from_crawler(crawler)
    body = b"<html><body>" + b"<p>x</p>" * 100 + b"</body></html>"
    page = mw.process_response(Request(f"{MT}/a"), HtmlResponse(f"{MT}/a", body=body, encoding="utf-8"))
    assert len(page.body) <= 100 and page.css("p")
    listing = Request(f"{MT}/sitemap.xml", meta={"discovery": "sitemap"})
    assert mw.process_response(listing, HtmlResponse(listing.url, body=body)).body == body
    assert crawler.stats.get_value("parse/truncated/bytes") == 1
    assert "Page too large to parse whole (826 bytes): cut to" in caplog.text


# ---------------------------------------------------------------------------- Retry-After
def test_a_retry_after_beyond_the_limit_means_no_retry():
    crawler = get_crawler(settings_dict={"RETRY_AFTER_MAX_SECONDS": 300})
    crawler.stats.open_spider()
    mw = RetryAfterMiddleware.from_crawler(crawler)
    request = Request(f"{MT}/a")
    response = TextResponse(request.url, status=429, headers={"Retry-After": "3600"}, body=b"")
    assert asyncio.run(mw.process_response(request, response)) is response
    assert request.meta["dont_retry"] is True and crawler.stats.get_value("retry_after/too_long") == 1
