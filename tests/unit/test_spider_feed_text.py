"""The spider keeps the full text of feed items, so an article reached through a sitemap first (no feed
item in its request) still gets the feed layer: Verstka's challenged page becomes an article."""

from scrapy.http import Request
from scrapy.utils.test import get_crawler

from crawler.items import Article
from crawler.spiders.verstka import VerstkaSpider
from tests.unit.pages.expectations import fixture_response

CHALLENGED = "https://verstka.media/my-pishem-pisma-tem-kogo-nikto-ne-zhdet/"


def spider() -> VerstkaSpider:
    crawler = get_crawler(VerstkaSpider)
    return VerstkaSpider.from_crawler(crawler, since="2026-11-15", until="2026-11-30")


def test_sitemap_first_article_still_gets_the_feed_full_text():
    s = spider()
    feed = fixture_response("verstka", "https://verstka.media/feed/")
    requests = list(s.parse_feed(feed))
    assert CHALLENGED in {r.url for r in requests} and CHALLENGED in s.feed_entries
    page = fixture_response("verstka", CHALLENGED).replace(request=Request(CHALLENGED, meta={"sitemap_entry": {}}))
    (article,) = [x for x in s.parse_article(page) if isinstance(x, Article)]
    assert article.extraction == {"body": "feed"}
    assert article.title.startswith("«Мы пишем письма тем, кого никто не ждет»")
    assert s.crawler.stats.get_value("extract/body/feed") == 1


def failed(url: str, status: int | None, meta: dict):
    from scrapy.http import HtmlResponse
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet.error import TimeoutError
    from twisted.python.failure import Failure

    request = Request(url, meta=meta)
    if status is None:
        failure = Failure(TimeoutError())
    else:
        failure = Failure(HttpError(HtmlResponse(url, status=status, body=b"<html><script></script></html>", request=request)))
    failure.request = request
    return failure


def test_blocked_page_is_built_from_the_feed_full_text():
    s = spider()
    list(s.parse_feed(fixture_response("verstka", "https://verstka.media/feed/")))
    for status, reason in ((503, "503"), (403, "403"), (None, "TimeoutError")):
        (article,) = list(s.on_article_error(failed(CHALLENGED, status, {"article": True})))
        assert article.extraction == {"body": "feed"} and article.url == CHALLENGED
        assert s.crawler.stats.get_value(f"spider/feed_only/{reason}") == 1


def test_gone_page_or_a_feed_without_full_text_gives_nothing():
    s = spider()
    list(s.parse_feed(fixture_response("verstka", "https://verstka.media/feed/")))
    assert list(s.on_article_error(failed(CHALLENGED, 404, {"article": True}))) == []
    assert list(s.on_article_error(failed(CHALLENGED, 410, {"article": True}))) == []
    other = "https://verstka.media/not-in-the-feed/"
    assert list(s.on_article_error(failed(other, 503, {"article": True}))) == []
    assert s.crawler.stats.get_value("spider/http_error/404") == 1
