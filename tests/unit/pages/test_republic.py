"""Republic (republic.ru, paywalled) against its synthetic fixture (tests/sites/republic): every article
field by field (free teaser as body, paywalled flag), and the paywall/appeal text rules."""

import pytest

from tests.crawl import expected
from tests.unit.pages.expectations import fixture_response, mismatches
from tests.unit.pages.outlet_pages import FETCHED, cleaned, page_for, parse
from crawler import outlets
from crawler.pages.base import ArticlePage

SITE = "republic"
EXPECTED = expected(SITE)["articles"]


@pytest.mark.parametrize("url", sorted(EXPECTED))
def test_article_fields_match_the_page(url):
    item = parse(SITE, url)
    assert mismatches(item, EXPECTED[url]) == []
    assert item["native_id"] == url.rsplit("/", 1)[1]
    assert item["foreign_agent_text"].startswith("ДАННОЕ СООБЩЕНИЕ (МАТЕРИАЛ)")


def test_paywall_markup_alone_marks_the_article_paywalled():
    url = "https://republic.ru/posts/113402"
    response = fixture_response(SITE, url)
    html = response.text.replace('"isAccessibleForFree": false', '"isAccessibleForFree": true')
    html = html.replace('content="locked"', 'content="free"')
    page = ArticlePage(response.replace(body=html.encode("utf-8")), outlets.get(SITE), FETCHED)
    assert page.paywalled() is True
    free = page_for(SITE, "https://republic.ru/posts/113421")
    assert free.paywalled() is False


def test_paywall_and_newsletter_lines_go_and_news_stays():
    news = ("Одна из оштрафованных организаций заявила, что штраф может ее разорить: основным источником денег для "
            "нее остаются пожертвования частных лиц.")
    kept, fired = cleaned(SITE, [
        news,
        "Этот материал доступен только подписчикам",
        "Оформите подписку на Republic, чтобы дочитать статью и получить доступ ко всем материалам.",
        "Оформить подписку",
        "Уже есть подписка? Войти",
        "Рассылка Republic: главное за неделю",
        "Подписывайтесь на Republic в Telegram",
    ])
    assert kept == [news]
    assert fired == ["paywall"] * 4 + ["newsletter"] * 2
