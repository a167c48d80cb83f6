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
