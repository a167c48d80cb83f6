"""Mediazona (zona.media) and its English edition against their synthetic fixtures
(tests/sites/mediazona, tests/sites/mediazona_en): every article field by field, then the text rules."""

import pytest

from tests.crawl import expected
from tests.unit.pages.expectations import mismatches
from tests.unit.pages.outlet_pages import cleaned, page_for, parse

CASES = [(site, url) for site in ("mediazona", "mediazona_en") for url in sorted(expected(site)["articles"])]


@pytest.mark.parametrize("site, url", CASES)
def test_article_fields_match_the_page(site, url):
    item = parse(site, url)
    assert mismatches(item, expected(site)["articles"][url]) == []
    assert item["extraction"] == {"body": "outlet"}
    assert item["native_id"] is None  # the URL has a date and a slug, no id
    assert item["fetched_at"] == "2026-11-28T12:00:00+00:00"


@pytest.mark.parametrize("site, url", CASES)
def test_the_page_alone_gives_the_same_article(site, url):
    assert parse(site, url, with_feed=False) == parse(site, url)


def test_banner_is_kept_as_the_foreign_agent_text():
    item = parse("mediazona", "https://zona.media/article/2026/11/22/kolonia-7")
    assert item["foreign_agent_text"].startswith("ДАННОЕ СООБЩЕНИЕ (МАТЕРИАЛ) СОЗДАНО")
    assert parse("mediazona_en", "https://en.zona.media/article/2026/11/23/colony-chess")["foreign_agent_text"] is None


def test_inline_read_also_and_telegram_line_are_removed_by_markup():
    page = page_for("mediazona", "https://zona.media/news/2026/11/24/samara-repost")
    page.to_article()
    assert page.removed == {"div.mz-publish-related": 1, "p.mz-publish__tg": 1}


def test_visible_date_is_read_when_the_meta_tag_is_missing():
    page = page_for("mediazona", "https://zona.media/article/2026/11/26/advokat")
    assert page.text(page.extra("date_selector")) == "26 ноября 2026, 12:30"
    assert page._date(page.text(page.extra("date_selector"))) == "2026-11-26T12:30:00+03:00"


def test_russian_appeals_go_and_news_about_donations_stays():
    news = ("Родственники заключенных объединились в чат и собирают пожертвования на теплые вещи и лекарства, "
            "но посылки часто возвращают без объяснения причин.")
    kept, fired = cleaned("mediazona", [
        news,
        "Поддержите «Медиазону»",
        "«Медиазона» существует на пожертвования читателей. Мы пишем о судах, тюрьмах и преследованиях, о которых "
        "больше никто не пишет. Подпишитесь на ежемесячное пожертвование — это лучший способ нам помочь.",
        "Подпишитесь на «Медиазону» в Telegram",
        "Рассылка «Медиазоны»",
        "ДАННОЕ СООБЩЕНИЕ (МАТЕРИАЛ) СОЗДАНО И (ИЛИ) РАСПРОСТРАНЕНО ИНОСТРАННЫМ СРЕДСТВОМ МАССОВОЙ ИНФОРМАЦИИ, "
        "ВЫПОЛНЯЮЩИМ ФУНКЦИИ ИНОСТРАННОГО АГЕНТА. 18+",
    ])
    assert kept == [news]
    assert fired == ["donation", "donation", "newsletter", "newsletter", "foreign_agent"]


def test_english_appeals_go_and_news_about_donations_stays():
    news = ("Parents of her former students set up a group chat to collect donations for the fine. Within three "
            "days they raised more than 60,000 rubles.")
    kept, fired = cleaned("mediazona_en", [
        news, "Mediazona won’t survive without you",
        "We report on courts, prisons and political persecution in Russia. Our newsroom depends on readers: "
        "a monthly donation keeps us independent.",
        "Mediazona weekly newsletter", "Read also",
    ])
    assert kept == [news]
    assert fired == ["donation", "donation", "newsletter", "read_more"]
