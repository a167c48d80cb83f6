"""TV Rain (tvrain.tv) against its synthetic fixture (tests/sites/tvrain): every article field by field,
the JSON-LD articleBody layer agreeing with the markup, and the Russian text rules."""

import pytest

from tests.crawl import expected
from tests.unit.pages.expectations import mismatches
from tests.unit.pages.outlet_pages import cleaned, page_for, parse

SITE = "tvrain"
EXPECTED = expected(SITE)["articles"]


@pytest.mark.parametrize("url", sorted(EXPECTED))
def test_article_fields_match_the_page(url):
    item = parse(SITE, url)
    assert mismatches(item, EXPECTED[url]) == []
    assert item["native_id"] == url.rstrip("/").rsplit("-", 1)[1]
    assert item["extraction"] == {"body": "outlet"}
    assert item["foreign_agent_text"].startswith("ДАННОЕ СООБЩЕНИЕ (МАТЕРИАЛ)")
    assert item["published_at"].endswith("+01:00")  # Amsterdam in November


@pytest.mark.parametrize("url", sorted(EXPECTED))
def test_json_ld_article_body_is_the_same_text(url):
    page = page_for(SITE, url)
    assert "\n\n".join(page.body_jsonld()) == EXPECTED[url].get("body", parse(SITE, url)["body"])


def test_related_and_donation_blocks_inside_the_text_are_dropped_by_markup():
    page = page_for(SITE, "https://tvrain.tv/articles/kak-regiony-sokraschajut-socialnye-programmy-580233/")
    page.to_article()
    assert page.removed == {"div.article-full__related": 1, "div.article-full__donate": 1}


def test_russian_appeals_go_and_news_stays():
    news = "В 2025 году Минюст внес Корнеева в реестр иностранных агентов."
    kept, fired = cleaned(SITE, [
        news,
        "Поддержите Дождь. Мы работаем для вас уже 16 лет, и только ваша поддержка помогает нам оставаться "
        "независимыми.",
        "Каждый ваш перевод помогает нам оставаться в эфире.",
        "Подписывайтесь на Дождь в Telegram",
    ])
    assert kept == [news]
    assert fired == ["donation", "donation", "newsletter"]
