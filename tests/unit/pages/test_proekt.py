"""Proekt (www.proekt.media, WordPress) against its synthetic fixture (tests/sites/proekt): every article
field by field, the theme's inserts inside the body, and the Russian text rules."""

import pytest

from tests.crawl import expected
from tests.unit.pages.expectations import mismatches
from tests.unit.pages.outlet_pages import cleaned, page_for, parse

SITE = "proekt"
EXPECTED = expected(SITE)["articles"]


@pytest.mark.parametrize("url", sorted(EXPECTED))
def test_article_fields_match_the_page(url):
    item = parse(SITE, url)
    assert mismatches(item, EXPECTED[url]) == []
    assert item["native_id"].isdigit()
    assert item["extraction"] == {"body": "outlet"}
    assert item["foreign_agent_label"] is False and item["foreign_agent_text"] is None


def test_theme_inserts_inside_the_body_are_dropped_by_markup_and_the_lead_has_no_toggle():
    page = page_for(SITE, "https://www.proekt.media/investigation/kto-kormit-armiyu/")
    article = page.to_article()
    assert page.removed == {"div.single-post__read-also": 1, "p.single-post__tg": 1}
    assert "Читать полностью" not in article.lead


@pytest.mark.parametrize("url", sorted(EXPECTED))
def test_the_feed_full_text_is_the_same_body(url):
    kept, _ = cleaned(SITE, page_for(SITE, url).body_feed())
    assert kept == parse(SITE, url)["body"].split("\n\n")


def test_russian_appeals_go_and_news_about_a_listing_stays():
    news = ("В прошлом месяце его внесли в реестр иностранных агентов, а счета, на которые подписчики переводили "
            "пожертвования, заблокировали.")
    kept, fired = cleaned(SITE, [
        news,
        "Поддержите «Проект»",
        "Мы публикуем расследования бесплатно и без рекламы. Если вы хотите, чтобы «Проект» продолжал работать, "
        "поддержите нас регулярным пожертвованием.",
        "Рассылка «Проекта»: главные расследования недели",
        "Подписывайтесь на «Проект» в Telegram",
    ])
    assert kept == [news]
    assert fired == ["donation", "donation", "newsletter", "newsletter"]
