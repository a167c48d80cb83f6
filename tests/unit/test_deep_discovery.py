"""Paged discovery (crawler/discovery/paging.py) and the deep listings built on it: Meduza's search pages
without a page cap, The Bell's GraphQL cursors and their fallback, the children of a sitemap index (the
real Pangea index), TV Rain's dated archive pages; resume/checkpoint hooks, the window and ``-a limit``
stops, and each outlet record's reach. Crawls of the fixture sites: tests/integration/test_deep_discovery.py."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from crawler import outlets
from crawler.discovery.api_meduza import MeduzaSearch
from crawler.discovery.api_thebell import TheBellGraphQL
from crawler.discovery.dated_pages import MAX_FAILED_DAYS, DatedListing
from crawler.discovery.paging import NEXT_PAGE_PRIORITY, Paging
from crawler.spiders.meduza import MeduzaSpider
from crawler.spiders.svoboda import SvobodaSpider
from crawler.spiders.thebell import TheBellSpider
from crawler.spiders.tvrain import TVRainSpider

PANGEA_INDEX = Path(__file__).resolve().parents[1] / "fixtures" / "pangea" / "radiosvoboda.org-sitemap.xml"


def recording(spider_cls, resume: dict[str, str] | None = None):
    """The outlet's spider with the back-fill hooks recording what discovery reports."""

    class Recording(spider_cls):  # type: ignore[misc, valid-type]
        name = spider_cls.name

        def discovery_resume(self, source):
            self.asked.append(source)
            return (resume or {}).get(source)

        def discovery_checkpoint(self, source, cursor):
            self.checkpoints.append((source, cursor))

    return Recording


def make_spider(spider_cls, resume=None, **args):
    cls = recording(spider_cls, resume)
    crawler = get_crawler(cls)
    spider = cls.from_crawler(crawler, **args)
    spider.asked, spider.checkpoints = [], []
    return spider


def first_requests(discovery) -> list[Request]:
    async def collect():
        return [r async for r in discovery.start()]
    return asyncio.run(collect())


def stats(spider) -> dict:
    return spider.crawler.stats.get_stats()


# ---------------------------------------------------------------------------- Paging
@pytest.mark.parametrize("kwargs,reason", [
    ({"more": False}, "end"),
    ({"more": True, "listed": 0}, "empty"),
    ({"more": True, "oldest": date(2026, 8, 31)}, "window"),
])
def test_a_listing_stops_at_its_end_an_empty_page_or_the_window(kwargs, reason):
    spider = make_spider(MeduzaSpider, since="2026-09-01", until="2026-09-30")
    paging = Paging(spider, "search:news")
    assert paging.handled("7", **kwargs) is False
    assert spider.checkpoints == [("search:news", "7")]  # the page was handled all the same
    assert stats(spider)[f"discovery/paging/stop/{reason}"] == 1


def test_a_listing_goes_on_while_the_page_reaches_into_the_window_and_stops_at_the_limit():
    spider = make_spider(MeduzaSpider, since="2026-09-01", until="2026-09-30", limit="2")
    paging = Paging(spider, "search:news")
    assert paging.handled("0", more=True, oldest=date(2026, 9, 1)) is True
    spider.requested = 2
    assert paging.handled("1", more=True, oldest=date(2026, 9, 20)) is False
    assert stats(spider)["discovery/paging/stop/limit"] == 1 and stats(spider)["discovery/paging/pages"] == 2


# ---------------------------------------------------------------------------- Meduza
def search_answer(days: list[tuple[int, int]], has_next: bool, page: int = 0) -> TextResponse:
    docs = {f"news/2026/{m:02d}/{d:02d}/n{m}{d}": {
        "url": f"news/2026/{m:02d}/{d:02d}/n{m}{d}",
        "published_at": int(datetime(2026, m, d, 12, tzinfo=timezone.utc).timestamp())} for m, d in days}
    body = json.dumps({"collection": list(docs), "documents": docs, "has_next": has_next}).encode()
    return TextResponse(f"https://meduza.io/api/w5/search?chrono=news&page={page}", body=body, encoding="utf-8")


def test_meduza_pages_on_past_any_fixed_cap_while_the_window_goes_on():
    spider = make_spider(MeduzaSpider, since="2022-02-24", until="2026-09-30")
    finder = MeduzaSearch(spider)
    paging = Paging(spider, "search:news")
    requests = list(finder.parse_search(search_answer([(9, 3), (9, 2)], has_next=True, page=40), paging, "news", 40))
    following = requests[-1]
    assert following.url == "https://meduza.io/api/w5/search?chrono=news&page=41&per_page=24&locale=ru"
    assert following.priority == NEXT_PAGE_PRIORITY < 0  # behind the page's article requests
    assert len(requests) == 3 and spider.checkpoints == [("search:news", "40")]


def test_meduza_resumes_after_the_page_a_previous_run_handled():
    spider = make_spider(MeduzaSpider, resume={"search:news": "17"}, since="2022-02-24", until="2026-09-30")
    urls = [r.url for r in first_requests(MeduzaSearch(spider))]
    assert "https://meduza.io/api/w5/search?chrono=news&page=18&per_page=24&locale=ru" in urls
    assert "https://meduza.io/api/w5/search?chrono=articles&page=0&per_page=24&locale=ru" in urls
    assert spider.asked == ["search:news", "search:articles"] and stats(spider)["discovery/paging/resumed"] == 1


def test_meduza_stops_paging_once_the_limit_is_reached():
    spider = make_spider(MeduzaSpider, since="2026-09-01", until="2026-09-30", limit="1")
    finder = MeduzaSearch(spider)
    requests = list(finder.parse_search(search_answer([(9, 20), (9, 19)], has_next=True), Paging(spider, "search:news"),
                                        "news", 0))
    assert [r.url.rsplit("/", 1)[1] for r in requests] == ["n920"]  # one article, no next page
    assert stats(spider)["discovery/paging/stop/limit"] == 1


# ---------------------------------------------------------------------------- The Bell
def node(slug: str, day: int, month: int = 9) -> dict:
    return {"node": {"id": slug, "slug": slug, "title": slug, "content": "<p>x</p>",
                     "published_at": int(datetime(2026, month, day, 9, tzinfo=timezone.utc).timestamp() * 1000)}}


def graphql(data: dict) -> TextResponse:
    return TextResponse("https://thebell.io/api/v2/graphql", body=json.dumps(data).encode(), encoding="utf-8")


def bell(**args) -> TheBellGraphQL:
    finder = TheBellGraphQL(make_spider(TheBellSpider, **args))
    first_requests(finder)
    return finder


def test_thebell_follows_the_end_cursor_behind_the_articles_and_stops_at_the_window():
    finder = bell(since="2026-09-05", until="2026-09-30")
    page = {"data": {"published_posts": {"edges": [node("a", 20), node("b", 10)],
                                         "pageInfo": {"hasNextPage": True, "endCursor": "c-b"}}}}
    *articles, following = list(finder.parse_page(graphql(page), after=None))
    assert [r.url for r in articles] == ["https://thebell.io/a", "https://thebell.io/b"]
    assert json.loads(following.body)["variables"] == {"first": 100, "after": "c-b"}
    assert following.priority == NEXT_PAGE_PRIORITY
    older = {"data": {"published_posts": {"edges": [node("c", 6), node("d", 1)],
                                          "pageInfo": {"hasNextPage": True, "endCursor": "c-d"}}}}
    assert [r.url for r in finder.parse_page(graphql(older), after="c-b")] == ["https://thebell.io/c"]
    assert finder.spider.checkpoints == [("graphql:published_posts", "c-b"), ("graphql:published_posts", "c-d")]
    assert stats(finder.spider)["discovery/paging/stop/window"] == 1


def test_thebell_resumes_from_the_cursor_a_previous_run_reported():
    spider = make_spider(TheBellSpider, resume={"graphql:published_posts": "c-77"}, since="2022-02-24",
                         until="2026-09-30")
    (request,) = first_requests(TheBellGraphQL(spider))
    assert json.loads(request.body)["variables"]["after"] == "c-77"


def test_thebell_asks_the_bridge_query_when_graphql_refuses_the_paging_arguments():
    finder = bell(since="2026-09-05", until="2026-09-30")
    refusal = {"errors": [{"message": 'Unknown argument "after" on field "published_posts" of type "Query".'}]}
    (request,) = list(finder.parse_page(graphql(refusal), after=None))
    body = json.loads(request.body)
    assert "after" not in body["variables"] and "pageInfo" not in body["query"]
    assert "published_posts(first: $first, orderBy" in body["query"]  # RSS-Bridge's own query
    assert request.callback == finder.parse_posts
    assert stats(finder.spider)["discovery/api/paging_refused"] == 1


def test_thebell_stops_quietly_when_a_later_page_fails():
    finder = bell(since="2022-02-24", until="2026-09-30")
    page = {"data": {"published_posts": {"edges": [node("a", 20)], "pageInfo": {"hasNextPage": True, "endCursor": "c-a"}}}}
    list(finder.parse_page(graphql(page), after=None))
    assert list(finder.parse_page(graphql({"errors": [{"message": "cursor expired"}]}), after="c-a")) == []
    assert stats(finder.spider)["discovery/paging/stop/error"] == 1
    assert "discovery/api/fallback_feed" not in stats(finder.spider)  # the newest posts were read already


# ---------------------------------------------------------------------------- sitemap index children
def sitemap_response(url: str, body: bytes, **meta) -> TextResponse:
    request = Request(url, meta={"sitemap_loc": url, **meta})
    return TextResponse(url, body=body, encoding="utf-8", request=request)


def test_the_real_pangea_index_is_read_latest_first_then_by_lastmod_and_never_news_sections_or_videos():
    spider = make_spider(SvobodaSpider, since="2025-01-01", until="2025-12-31")
    (request,) = list(spider.parse_sitemap(sitemap_response("https://www.svoboda.org/sitemap.xml",
                                                             PANGEA_INDEX.read_bytes())))
    queue = [request.url] + request.meta["sitemap_queue"]
    names = [url.rsplit("/", 1)[1] for url in queue]
    assert names == ["sitemap_9_latest.xml.gz"] + [f"sitemap_9_{n}.xml.gz" for n in range(29, 0, -1)]
    assert request.meta["sitemap_source"] == "sitemap:https://www.svoboda.org/sitemap.xml"
    assert stats(spider)["discovery/sitemap/skipped_not_followed"] == 3  # _news, _sections, _videos


def test_children_last_changed_before_the_window_are_not_read():
    spider = make_spider(SvobodaSpider, since="2025-06-01", until="2025-12-31")  # after the index's 2025-04-20
    (request,) = list(spider.parse_sitemap(sitemap_response("https://www.svoboda.org/sitemap.xml",
                                                             PANGEA_INDEX.read_bytes())))
    assert request.url.endswith("sitemap_9_latest.xml.gz") and request.meta["sitemap_queue"] == []
    assert stats(spider)["discovery/sitemap/skipped_out_of_window"] == 29


def test_a_resumed_index_starts_after_the_child_a_previous_run_handled():
    source = "sitemap:https://www.svoboda.org/sitemap.xml"
    spider = make_spider(SvobodaSpider, resume={source: "https://www.radiosvoboda.org/sitemap_9_12.xml.gz"},
                         since="2025-01-01", until="2025-12-31")
    (request,) = list(spider.parse_sitemap(sitemap_response("https://www.svoboda.org/sitemap.xml",
                                                             PANGEA_INDEX.read_bytes())))
    assert request.url.endswith("sitemap_9_11.xml.gz") and len(request.meta["sitemap_queue"]) == 10


URLSET = b"""<?xml version="1.0" encoding="utf-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://www.svoboda.org/a/one/33000001.html</loc><lastmod>2025-12-20T10:00:00Z</lastmod></url>
<url><loc>https://www.svoboda.org/a/two/33000002.html</loc><lastmod>2025-12-19T10:00:00Z</lastmod></url></urlset>"""


def child(spider, queue: list[str]) -> list[Request]:
    url = "https://www.svoboda.org/sitemap_9_latest.xml.gz"
    return list(spider.parse_sitemap(sitemap_response(url, URLSET, sitemap_source="sitemap:x", sitemap_queue=queue)))


def test_the_next_child_is_asked_for_after_this_ones_articles_behind_them():
    spider = make_spider(SvobodaSpider, since="2025-12-01", until="2025-12-31")
    *articles, following = child(spider, ["https://www.svoboda.org/sitemap_9_29.xml.gz"])
    assert len(articles) == 2 and all(r.meta.get("article") for r in articles)
    assert following.url.endswith("sitemap_9_29.xml.gz") and following.priority == NEXT_PAGE_PRIORITY
    assert spider.checkpoints == [("sitemap:x", "https://www.svoboda.org/sitemap_9_latest.xml.gz")]


def test_no_further_child_once_the_limit_is_reached():
    spider = make_spider(SvobodaSpider, since="2025-12-01", until="2025-12-31", limit="1")
    requests = child(spider, ["https://www.svoboda.org/sitemap_9_29.xml.gz"])
    assert len(requests) == 1 and requests[0].meta.get("article")
    assert stats(spider)["discovery/paging/stop/limit"] == 1


# ---------------------------------------------------------------------------- dated archive pages
def archive(links: list[str]) -> str:
    items = "".join(f'<div class="chrono_list__item__info"><a class="chrono_list__item__info__name" href="{h}">t</a></div>'
                    for h in links)
    return f"<html><body>{items}</body></html>"


def day_page(finder: DatedListing, day: date, page: int, links: list[str], seen=()) -> list[Request]:
    request = finder.page(day, page, tuple(seen))
    response = HtmlResponse(request.url, body=archive(links).encode(), encoding="utf-8", request=request)
    return list(finder.parse_page(response, day=day, page=page, seen=tuple(seen)))


def tvrain(**args) -> DatedListing:
    finder = DatedListing(make_spider(TVRainSpider, **args))
    first_requests(finder)
    return finder


def test_dated_pages_start_at_the_windows_last_day():
    spider = make_spider(TVRainSpider, since="2026-09-14", until="2026-09-16")
    (request,) = first_requests(DatedListing(spider))
    assert "search_year=2026&search_month=9&search_day=16" in request.url and request.url.endswith("&page=1")


def test_a_day_is_paged_while_pages_bring_new_links_then_the_walk_goes_to_the_day_before():
    finder = tvrain(since="2026-09-14", until="2026-09-16")
    a = "/news/teatr-574410/"
    *found, following = day_page(finder, date(2026, 9, 16), 1, [a, "/live/efir-574400/"])
    assert [r.url for r in found] == ["https://tvrain.tv/news/teatr-574410/"]
    assert found[0].meta["article_day"] == "2026-09-16"
    assert "search_day=16" in following.url and following.url.endswith("page=2")
    (previous_day,) = day_page(finder, date(2026, 9, 16), 2, [a], seen=["https://tvrain.tv/news/teatr-574410/"])
    assert "search_day=15" in previous_day.url and previous_day.url.endswith("page=1")
    assert day_page(finder, date(2026, 9, 14), 1, []) == []  # the window's first day: the walk ends
    assert finder.spider.checkpoints[-1] == ("dated:" + outlets.get("tvrain").extra["dated_listing"]["url"],
                                             "2026-09-14:1")


def test_dated_pages_resume_with_the_next_page_of_the_day_handled():
    source = "dated:" + outlets.get("tvrain").extra["dated_listing"]["url"]
    spider = make_spider(TVRainSpider, resume={source: "2026-09-15:2"}, since="2026-09-01", until="2026-09-30")
    (request,) = first_requests(DatedListing(spider))
    assert "search_day=15" in request.url and request.url.endswith("&page=3")


def test_the_walk_stops_after_days_in_a_row_whose_page_failed():
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.python.failure import Failure

    finder = tvrain(since="2026-01-01", until="2026-09-30")
    following = []
    for n in range(MAX_FAILED_DAYS):
        request = finder.page(date(2026, 9, 30 - n), 1, ())
        failure = Failure(HttpError(TextResponse(request.url, status=404, request=request)))
        failure.request = request  # type: ignore[attr-defined]
        following.append(list(finder.on_page_error(failure)))
    assert [len(f) for f in following] == [1] * (MAX_FAILED_DAYS - 1) + [0]
    assert stats(finder.spider)["discovery/paging/stop/error"] == 1


# ---------------------------------------------------------------------------- reach on the outlet record
def test_every_outlet_says_how_far_back_its_own_discovery_reaches():
    for outlet in outlets.all_outlets().values():
        assert outlet.reach and (outlet.reach_days is None or outlet.reach_days > 0), outlet.key
    today = date(2026, 11, 30)
    assert outlets.get("meduza").reaches(date(2022, 2, 24), today)  # the search API pages back to any date
    assert outlets.get("svoboda").reaches(date(2022, 2, 24), today)  # the Pangea sitemap index
    assert not outlets.get("theinsider").reaches(date(2022, 2, 24), today)  # a feed: web archives are needed
    assert outlets.get("theinsider").reaches(date(2026, 11, 29), today)


def test_docs_outlet_table_shows_each_outlets_reach():
    table = (Path(__file__).resolve().parents[2] / "docs" / "outlets.md").read_text("utf-8")
    rows = {line.split(" | ")[1].strip("`"): line for line in table.splitlines() if line.startswith("| ") and "`" in line}
    for key, outlet in outlets.all_outlets().items():
        if key != "rendertest":
            assert f" | {outlet.reach} | " in rows[key], key
