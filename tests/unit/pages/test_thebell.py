"""The Bell: GraphQL node + page against the synthetic fixture (tests/sites/thebell); the GraphQL request."""

import asyncio
import json

import pytest
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from crawler import outlets
from crawler.discovery.api_thebell import TheBellGraphQL
from crawler.pipelines.clean import remove_boilerplate
from crawler.rules import shared_rules
from crawler.spiders.thebell import TheBellSpider
from tests.crawl import SITES, expected
from tests.unit.pages.api_pages import parse, response_for
from tests.unit.pages.expectations import mismatches

SITE = "thebell"
TRUTH = expected(SITE)["articles"]
ANSWER = json.loads((SITES / SITE / "_api" / "graphql-published-posts.json").read_text("utf-8"))
NODES = {e["node"]["slug"]: e["node"] for e in ANSWER["data"]["published_posts"]["edges"]}
FEATURE = "https://thebell.io/platezhnyy-agent-beret-7-kak-rossiyskiy-biznes-platit-za-import"
MAILING = "https://thebell.io/utrennyaya-rassylka-zapret-na-donaty-dorogaya-grechka-i-novye-poshliny"


def with_node(url: str) -> dict:
    item, _ = parse(SITE, response_for(SITE, url, api_document=NODES[url.rsplit("/", 1)[1]]))
    return item


@pytest.mark.parametrize("url", sorted(TRUTH))
def test_article_fields_match_from_the_graphql_node(url):
    item = with_node(url)
    assert mismatches(item, TRUTH[url]) == []
    assert item["extraction"]["body"] == "api"
    assert item["native_id"] == NODES[url.rsplit("/", 1)[1]]["id"]
    assert item["authors"] == TRUTH[url].get("authors", [])
    assert item.get("subtitle") == TRUTH[url].get("subtitle")  # "" in the API is no subtitle


@pytest.mark.parametrize("url", sorted(TRUTH))
def test_the_page_alone_is_a_fallback(url):
    item, _ = parse(SITE, response_for(SITE, url))
    assert mismatches(item, TRUTH[url]) == []
    assert item["extraction"]["body"] == "outlet"


def test_relative_storage_images_become_absolute_with_credit_apart():
    item = with_node(FEATURE)
    assert [i["url"] for i in item["images"]] == [
        "https://thebell.io/storage_v2/posts/2026/11/25/platezhi-1200.jpg",
        "https://thebell.io/storage_v2/posts/2026/11/25/kripto-1200.jpg"]
    assert "Фото:" not in item["body"] and "Контейнерный терминал" not in item["body"]


def test_section_and_tags_stay_apart_and_name_en_is_the_fallback():
    item = with_node(FEATURE)
    assert (item["section"], item["tags"]) == ("Истории", ["импорт", "платежи", "санкции"])
    assert item["authors"] == ["Ксения Лебедь", "Thomas Weber"]
    assert item["published_at"] == "2026-11-25T12:00:00+03:00"


def test_mailing_keeps_the_donation_ban_news_and_drops_the_appeal():
    item = with_node(MAILING)
    assert item["kind"] == "newsletter"
    assert "Донаты «иноагентам» запретят с 1 декабря" in item["body"]
    assert "Поддержите The Bell" not in item["body"] and "Подписывайтесь на телеграм-канал" not in item["body"]


RULES = outlets.get(SITE).text_rules + shared_rules()


@pytest.mark.parametrize("paragraph", [
    "Поддержите The Bell. Мы работаем без цензуры и без рекламы российских компаний. Оформить регулярное "
    "пожертвование можно здесь — это помогает нам выпускать рассылки каждый день.",
    "Подписывайтесь на телеграм-канал The Bell — t.me/thebell_io, там главные новости о бизнесе и экономике.",
    "Подпишитесь на рассылку The Bell",
])
def test_appeals_are_removed(paragraph):
    assert remove_boilerplate(["Текст.", paragraph], RULES)[0] == ["Текст."]


@pytest.mark.parametrize("paragraph", TRUTH[MAILING]["body_includes"])
def test_news_about_donations_survives(paragraph):
    assert remove_boilerplate([paragraph], RULES)[0] == [paragraph]


def discovery():
    crawler = get_crawler(TheBellSpider)
    spider = TheBellSpider.from_crawler(crawler, since="2026-11-20", until="2026-11-30")
    return TheBellGraphQL(spider)


def test_graphql_request_is_a_post_of_the_bridge_query_with_relay_paging():
    async def first():
        return [r async for r in discovery().start()]

    (request,) = asyncio.run(first())
    body = json.loads(request.body)
    assert request.method == "POST" and request.url == "https://thebell.io/api/v2/graphql"
    assert request.headers["Content-Type"] == b"application/json"
    assert "published_posts(first: $first, after: $after" in body["query"]
    assert "pageInfo { hasNextPage endCursor }" in body["query"]
    assert body["variables"] == {"first": 100, "after": None}  # the newest page


def test_graphql_nodes_become_page_requests_carrying_the_node():
    finder = discovery()
    answer = TextResponse("https://thebell.io/api/v2/graphql", body=json.dumps(ANSWER).encode(), encoding="utf-8")
    requests = list(finder.parse_posts(answer))
    assert sorted(r.url for r in requests) == sorted(TRUTH)
    assert all(r.meta["api_document"]["slug"] in r.url for r in requests)


def test_an_unusable_answer_falls_back_to_the_feed():
    finder = discovery()
    answer = TextResponse("https://thebell.io/api/v2/graphql", body=b'{"errors": [{"message": "x"}]}', encoding="utf-8")
    (request,) = list(finder.parse_posts(answer))
    assert request.url == "https://thebell.io/feed"
