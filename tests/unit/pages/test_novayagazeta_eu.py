"""Novaya Gazeta Europe: the API record (the clean path), the record embedded in the page, and the page's own
markup, against the synthetic fixture (tests/sites/novayagazeta_eu)."""

import re

import pytest
from scrapy.http import HtmlResponse, Request

from crawler import outlets
from crawler.pipelines.clean import remove_boilerplate
from crawler.rules import shared_rules
from tests.crawl import expected
from tests.unit.pages.api_pages import parse, path, response_for
from tests.unit.pages.expectations import fixture_response, mismatches

SITE = "novayagazeta_eu"
OUTLET = outlets.get(SITE)
TRUTH = expected(SITE)["articles"]
INTERVIEW = "https://novayagazeta.eu/articles/2026/11/25/liudi-perestali-verit-chto-ikh-golos-chto-to-meniaet"
OPINION = "https://novayagazeta.eu/articles/2026/11/26/pochemu-zapret-na-donaty-ne-ostanovit-nezavisimye-media"
ENGLISH = "https://novayagazeta.eu/articles/2026/11/25/people-no-longer-believe-their-voice-matters-en"


def from_api(url: str) -> dict:
    item, _ = parse(SITE, response_for(SITE, url, fetch=OUTLET.derived_url("fetch_url", url)))
    return item


@pytest.mark.parametrize("url", sorted(TRUTH))
def test_article_fields_match_from_the_api_record(url):
    item = from_api(url)
    assert mismatches(item, TRUTH[url]) == []
    assert item["url"] == url and item["native_id"] == path(url).removeprefix("articles/")
    assert item["extraction"]["body"] == "api"
    assert item["authors"] == TRUTH[url].get("authors", [])
    assert item["modified_at"] is None  # the record has no update time


@pytest.mark.parametrize("url", sorted(TRUTH))
def test_the_page_embeds_the_same_record(url):
    item, _ = parse(SITE, response_for(SITE, url))
    assert mismatches(item, TRUTH[url]) == []
    assert item["extraction"]["body"] == "api"


@pytest.mark.parametrize("url", sorted(TRUTH))
def test_the_page_markup_alone_is_a_fallback(url):
    page = fixture_response(SITE, url)
    body = re.sub(rb'<script id="__NEXT_DATA__".*?</script>', b"", page.body, flags=re.S)
    item, _ = parse(SITE, HtmlResponse(url=url, body=body, encoding="utf-8", request=Request(url)))
    assert mismatches(item, TRUTH[url]) == []
    assert item["extraction"]["body"] == "outlet"


def test_fetch_url_is_the_api_record_of_the_article():
    assert OUTLET.derived_url("fetch_url", INTERVIEW) == (
        "https://novayagazeta.eu/api/v1/get/record?slug=2026/11/25/liudi-perestali-verit-chto-ikh-golos-chto-to-meniaet")


def test_dates_are_ms_epochs_in_riga_time():
    item = from_api(INTERVIEW)
    assert item["published_at"] == "2026-11-25T16:40:00+02:00"  # 14:40 UTC, as the page shows it


def test_lead_person_card_and_related_card_stay_out_of_the_body():
    item = from_api(INTERVIEW)
    assert item["lead"].startswith("Доля россиян") and item["lead"] not in item["body"]
    assert "руководитель исследовательской группы" not in item["body"]  # person block
    assert "Рейтинг без людей" not in item["body"]  # embed/native
    assert "Справка" in item["body"].split("\n\n")  # text/framed title is its own paragraph
    assert [i["caption"] for i in item["images"]][1].startswith("Доля отказов")  # image/single, credit in caption


def test_english_record_is_english_with_english_author_names():
    item = from_api(ENGLISH)
    assert (item["language"], item["authors"], item["kind"]) == ("en", ["Elena Orlova"], "interview")


def test_column_about_donations_keeps_every_paragraph():
    item = from_api(OPINION)
    assert item["kind"] == "opinion"
    for kept in TRUTH[OPINION]["body_includes"]:
        assert kept in item["body"]


RULES = OUTLET.text_rules + shared_rules()


@pytest.mark.parametrize("paragraph", [
    "Поддержать «Новую газету Европа»",
    "Подпишитесь на наш телеграм-канал",
    "«Новую газету Европа» признали «нежелательной организацией». Мы продолжаем работать благодаря читателям — "
    "поддержите нас, чтобы мы могли писать дальше.",
    "Support Novaya Gazeta Europe",
])
def test_appeals_are_removed_by_text(paragraph):
    kept, _ = remove_boilerplate(["Текст.", paragraph], RULES)
    assert kept == ["Текст."]


@pytest.mark.parametrize("paragraph", TRUTH[OPINION]["body_includes"])
def test_paragraphs_about_donations_survive_the_rules(paragraph):
    assert remove_boilerplate([paragraph], RULES)[0] == [paragraph]
