"""The Moscow Times' Russian edition: the English site's parser with Russian data, against the
template-derived fixture (tests/sites/moscowtimes_ru)."""

import pytest

from crawler import outlets
from crawler.pages.moscowtimes import MoscowTimesPage
from crawler.pipelines.clean import remove_boilerplate
from crawler.rules import shared_rules
from tests.crawl import expected
from tests.unit.pages.api_pages import parse, response_for
from tests.unit.pages.expectations import mismatches

SITE = "moscowtimes_ru"
OUTLET = outlets.get(SITE)
TRUTH = expected(SITE)["articles"]
NEWS = "https://ru.themoscowtimes.com/2026/11/24/irkutsk-zhiteli-sobrali-12-mln-na-vosstanovlenie-kvartala-a205112"
OPINION = "https://ru.themoscowtimes.com/2026/11/25/pochemu-regiony-snova-prosyat-deneg-u-tsentra-a205187"
FEATURE = "https://ru.themoscowtimes.com/2026/11/26/kak-malye-goroda-uchatsya-zhit-bez-bolnits-a205240"
RULES = OUTLET.text_rules + shared_rules()


@pytest.mark.parametrize("url", sorted(TRUTH))
def test_article_fields_match_the_page(url):
    item, page = parse(SITE, response_for(SITE, url))
    assert isinstance(page, MoscowTimesPage)  # the English site's parser: differences are data
    assert mismatches(item, TRUTH[url]) == []
    assert item["authors"] == TRUTH[url].get("authors", [])  # Organization "The Moscow Times" is no byline
    assert item["native_id"] == url.rsplit("-", 1)[1] and item["extraction"]["body"] == "outlet"


def test_kind_from_the_russian_label_and_the_breadcrumb():
    assert parse(SITE, response_for(SITE, OPINION))[0]["kind"] == "opinion"  # «Мнение»
    feature, page = parse(SITE, response_for(SITE, FEATURE))
    assert (feature["section"], feature["kind"]) == ("in-depth", "feature")
    assert not page.text("header.article__header .article__label")  # no label: only the breadcrumb says so


def test_opinion_dates_come_from_json_ld_not_the_updated_byline():
    item, page = parse(SITE, response_for(SITE, OPINION))
    assert "Обновлено" in " ".join(page.sel.css("div.byline__details ::text").getall())
    assert (item["published_at"], item["modified_at"]) == ("2026-11-25T10:15:00+03:00", "2026-11-25T18:42:00+03:00")


def test_old_slug_is_the_same_article_under_its_canonical_url():
    old = "https://ru.themoscowtimes.com/2026/11/24/irkutsk-sobrali-dengi-na-kvartal-a205112"
    assert OUTLET.native_id(old) == OUTLET.native_id(NEWS) == "a205112"
    item, _ = parse(SITE, response_for(SITE, old))
    assert item["url"] == NEWS and mismatches(item, TRUTH[NEWS]) == []


def test_lazy_images_use_data_src_not_the_gif_placeholder():
    item, _ = parse(SITE, response_for(SITE, FEATURE))
    assert [i["url"] for i in item["images"]] == [i["url"] for i in TRUTH[FEATURE]["images"]]
    assert not any(i["url"].startswith("data:") for i in item["images"])


def test_in_body_appeal_goes_whole_and_the_disclaimer_is_kept_apart():
    raw, _ = parse(SITE, response_for(SITE, NEWS), clean=False)
    assert "ежемесячным пожертвованием" in raw["body"]  # in an article__block--html: only text rules see it
    item, _ = parse(SITE, response_for(SITE, NEWS))
    for gone in ("Поддержите The Moscow Times!", "ежемесячным пожертвованием", "Поддержать", "ИНОСТРАННОГО АГЕНТА"):
        assert gone not in item["body"]
    assert item["foreign_agent_label"] is True and item["foreign_agent_text"].startswith("ДАННОЕ СООБЩЕНИЕ")
    assert TRUTH[NEWS]["body_includes"][0] in item["body"]


APPEAL = ["Поддержите The Moscow Times! Генпрокуратура признала нашу редакцию «нежелательной организацией», а до "
          "этого Минюст внес нас в реестр «иностранных агентов».",
          "Мы продолжаем работать, но без помощи читателей не справимся. Пожалуйста, поддержите нас ежемесячным "
          "пожертвованием — даже небольшая сумма имеет значение. Поддержать"]


def test_appeal_block_rule_removes_both_paragraphs_only():
    kept, removed = remove_boilerplate(["Абзац новости."] + APPEAL + ["Следующий абзац."], RULES)
    assert kept == ["Абзац новости.", "Следующий абзац."]
    assert [rule.name for rule, _ in removed] == ["donation"] and len(removed[0][1]) == 2


@pytest.mark.parametrize("paragraph", [
    "… у нас к вам небольшая просьба.",
    "Подпишитесь на нашу еженедельную рассылку",
    "Подписывайтесь на The Moscow Times в Telegram",
    "Мнение автора может не совпадать с позицией редакции The Moscow Times.",
])
def test_russian_ui_blocks_are_removed_by_text(paragraph):
    assert remove_boilerplate([paragraph, "Текст."], RULES)[0] == ["Текст."]


@pytest.mark.parametrize("paragraph", [
    TRUTH[NEWS]["body_includes"][0],
    "Поддержать сбор решили и местные предприниматели: они перевели 2 млн рублей.",
    "Мы продолжаем работать, сказал директор музея, но без помощи горожан не справимся.",
])
def test_news_paragraphs_about_money_survive(paragraph):
    assert remove_boilerplate([paragraph], RULES)[0] == [paragraph]
