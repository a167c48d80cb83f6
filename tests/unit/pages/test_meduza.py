"""Meduza (ru + en): page + API record against the synthetic fixtures (tests/sites/meduza, meduza_en)."""

import json
from datetime import datetime, timezone

import pytest
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from crawler import outlets
from crawler.discovery.api_meduza import MeduzaSearch
from crawler.discovery.paging import Paging
from crawler.outlets.base import TextRule
from crawler.pipelines.clean import remove_boilerplate
from crawler.rules import shared_rules
from crawler.spiders.meduza import MeduzaSpider
from tests.crawl import expected
from tests.unit.pages.api_pages import api_json, parse, path, response_for
from tests.unit.pages.expectations import mismatches

CASES = [(site, url) for site in ("meduza", "meduza_en") for url in sorted(expected(site)["articles"])]
FEATURE = "https://meduza.io/feature/2026/11/23/ochered-dlinoy-v-nedelyu"
NEWS = "https://meduza.io/news/2026/11/24/v-kaliningradskoy-oblasti-zakrylas-poslednyaya-nezavisimaya-rayonnaya-gazeta"
CARDS = "https://meduza.io/cards/2026/11/26/chto-izmenitsya-dlya-inoagentov-s-1-dekabrya"


def api_record(site: str, url: str) -> dict:
    return api_json(site, outlets.get(site).derived_url("api_document", url))


def parse_with_api(site: str, url: str) -> tuple[dict, object]:
    return parse(site, response_for(site, url, api_document=api_record(site, url)))


@pytest.mark.parametrize("site,url", CASES)
def test_article_fields_match_with_the_api_record(site, url):
    item, _ = parse_with_api(site, url)
    want = expected(site)["articles"][url]
    assert mismatches(item, want) == []
    assert item["extraction"]["body"] == "api"
    assert item["authors"] == want.get("authors", [])  # "Meduza" as an Organization author is no byline
    assert item["native_id"] == path(url)


@pytest.mark.parametrize("site,url", CASES)
def test_the_page_alone_gives_the_same_article(site, url):
    """The API record is the clean path; when it cannot be had, the page's own blocks are the fallback."""
    item, page = parse(site, response_for(site, url))
    assert mismatches(item, expected(site)["articles"][url]) == []
    assert item["extraction"]["body"] == "outlet"
    assert page.removed['[data-testid="toolbar"]'] == 1


def test_api_urls_come_from_the_outlet_record():
    assert outlets.get("meduza").derived_url("api_document", FEATURE) == \
        "https://meduza.io/api/w5/feature/2026/11/23/ochered-dlinoy-v-nedelyu"
    en = "https://meduza.io/en/brief/2026/11/25/the-real-russia-today"
    assert outlets.get("meduza_en").derived_url("api_document", en) == \
        "https://meduza.io/api/w5/en/brief/2026/11/25/the-real-russia-today"
    assert outlets.for_url(en).key == "meduza_en" and outlets.for_url(FEATURE).key == "meduza"


def test_live_blogs_are_not_articles():
    for key in ("meduza", "meduza_en"):
        assert outlets.get(key).match_article("https://meduza.io/live/2026/11/27/glavnoe-za-den-onlayn-meduzy") is None
    assert outlets.get("meduza_en").match_article("https://meduza.io/en/live/2026/11/27/x") is None


def test_mobile_only_blocks_are_skipped():
    record = api_record("meduza", FEATURE)
    mobile = [b for b in record["root"]["content"]["blocks"] if b.get("only_on") == "mobile"]
    assert mobile and mobile[0]["type"] == "image"
    item, _ = parse_with_api("meduza", FEATURE)
    assert [i["url"].rsplit("/", 1)[1] for i in item["images"]] == ["ochered-fury.jpg", "koster.jpg"]
    assert all("/mobile/" not in i["url"] for i in item["images"])


def test_lead_block_is_lead_and_first_paragraph_and_no_caption_is_body():
    item, _ = parse_with_api("meduza", FEATURE)
    assert item["body"].split("\n\n")[0] == item["lead"]
    for image in item["images"]:
        assert image["caption"] not in item["body"] and image["credit"] not in item["body"]
    assert "Анна Ершова, Челябинская область" not in item["body"]  # material note


def test_foreign_agent_label_comes_from_the_page_and_leaves_the_body():
    item, page = parse_with_api("meduza", NEWS)
    assert item["foreign_agent_label"] is True
    assert item["foreign_agent_text"].startswith("ДАННОЕ СООБЩЕНИЕ (МАТЕРИАЛ) СОЗДАНО")
    assert "ИНОСТРАННОГО АГЕНТА" not in item["body"]
    other, _ = parse_with_api("meduza", FEATURE)
    assert other["foreign_agent_label"] is False and other["foreign_agent_text"] is None


def test_explainer_keeps_foreign_agent_and_donation_news_but_not_the_appeal():
    item, _ = parse_with_api("meduza", CARDS)
    assert item["kind"] == "explainer"
    assert "СМИ, признанное иностранным агентом, теперь должно ставить плашку" in item["body"]
    assert "Что будет с пожертвованиями и подписками?" in item["body"]
    assert "Нам нужна ваша помощь" not in item["body"]
    assert item["foreign_agent_label"] is False


RU_RULES = outlets.get("meduza").text_rules + shared_rules()


@pytest.mark.parametrize("paragraph", [
    "Нам нужна ваша помощь. Пожалуйста, поддержите «Медузу» — оформите регулярное пожертвование. Каждый взнос помогает нам работать.",
    "«Медуза» в телеграме — подпишитесь, чтобы не пропускать главное",
    "Подпишитесь на «Сигнал» — рассылку «Медузы» о том, что на самом деле происходит в России",
    "ДАННОЕ СООБЩЕНИЕ (МАТЕРИАЛ) СОЗДАНО И (ИЛИ) РАСПРОСТРАНЕНО ИНОСТРАННЫМ СРЕДСТВОМ МАССОВОЙ ИНФОРМАЦИИ, "
    "ВЫПОЛНЯЮЩИМ ФУНКЦИИ ИНОСТРАННОГО АГЕНТА.",
    "Читайте также: Газеты, которые остались",
])
def test_russian_appeals_are_removed(paragraph):
    kept, removed = remove_boilerplate(["Первый абзац новости.", paragraph, "Последний абзац."], RU_RULES)
    assert kept == ["Первый абзац новости.", "Последний абзац."], removed


@pytest.mark.parametrize("paragraph", [
    "Всех, кто внесен в реестр, — и людей, и организаций. Например, СМИ, признанное иностранным агентом, теперь "
    "должно ставить плашку не только на сайте, но и в каждом посте в соцсетях, включая репосты.",
    "Осенью редакция пыталась собрать деньги на выпуск через краудфандинг: читатели перевели около 240 тысяч "
    "рублей пожертвований, а подписка на 2027 год собрала втрое меньше заявок.",
    "Водители создали в телеграме чат, где скидываются на еду: в общий фонд перевели около 400 тысяч рублей пожертвований.",
    "Поддержать «Медузу» из России теперь нельзя: банки блокируют переводы, сообщил главный редактор издания.",
])
def test_news_about_donations_and_foreign_agents_survives(paragraph):
    kept, _ = remove_boilerplate([paragraph], RU_RULES)
    assert kept == [paragraph]


def test_english_appeal_rule_is_anchored():
    rules = outlets.get("meduza_en").text_rules + shared_rules()
    assert remove_boilerplate(["Support Meduza"], rules)[0] == []
    news = "Readers who support Meduza from Russia now risk fines, lawyers say."
    assert remove_boilerplate([news], rules)[0] == [news]
    assert isinstance(rules[0], TextRule)


def search_answer(days: list[int], has_next: bool) -> TextResponse:
    docs = {f"news/2026/11/{d:02d}/n{d}": {"url": f"news/2026/11/{d:02d}/n{d}", "pub_date": f"2026-11-{d:02d}",
                                            "published_at": int(datetime(2026, 11, d, 12, tzinfo=timezone.utc).timestamp())}
            for d in days}
    body = json.dumps({"collection": list(docs), "documents": docs, "has_next": has_next}).encode()
    return TextResponse("https://meduza.io/api/w5/search?chrono=news&page=0", body=body, encoding="utf-8")


def search(since: str, until: str) -> MeduzaSearch:
    crawler = get_crawler(MeduzaSpider)
    return MeduzaSearch(MeduzaSpider.from_crawler(crawler, since=since, until=until))


def pages(finder: MeduzaSearch, answer: TextResponse, page: int = 0) -> list:
    return list(finder.parse_search(answer, Paging(finder.spider, "search:news"), "news", page))


def test_search_pages_back_while_the_page_reaches_into_the_window():
    finder = search("2026-11-20", "2026-11-30")
    requests = pages(finder, search_answer([26, 24, 21], has_next=True))
    assert [r.url for r in requests][-1] == \
        "https://meduza.io/api/w5/search?chrono=news&page=1&per_page=24&locale=ru"
    assert [r.meta["api_entry"]["url"] for r in requests[:-1]] == ["news/2026/11/26/n26", "news/2026/11/24/n24",
                                                                    "news/2026/11/21/n21"]


def test_search_stops_at_the_first_page_older_than_the_window():
    finder = search("2026-11-23", "2026-11-30")
    requests = pages(finder, search_answer([26, 22, 18], has_next=True))
    assert [r.url.rsplit("/", 1)[1] for r in requests] == ["n26"]  # no next page, nothing out of the window
