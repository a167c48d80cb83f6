"""iStories (istories.media) against its synthetic fixture (tests/sites/istories): every article field by
field, then the Russian text rules."""

import pytest

from tests.crawl import expected
from tests.unit.pages.expectations import mismatches
from tests.unit.pages.outlet_pages import cleaned, page_for, parse

SITE = "istories"
EXPECTED = expected(SITE)["articles"]


@pytest.mark.parametrize("url", sorted(EXPECTED))
def test_article_fields_match_the_page(url):
    item = parse(SITE, url)
    assert mismatches(item, EXPECTED[url]) == []
    assert item["extraction"] == {"body": "outlet"}
    assert item["foreign_agent_text"].startswith("ДАННОЕ СООБЩЕНИЕ (МАТЕРИАЛ)")
    assert item["published_at"].endswith("+02:00")  # Riga in November


def test_blocks_inside_the_container_that_are_not_text_are_dropped_by_markup():
    page = page_for(SITE, "https://istories.media/stories/2026/11/24/zoloto-kolymy/")
    page.to_article()
    assert page.removed == {"div[class*=ReadAlsoBlock_]": 1, "div[class*=DonateBlock_]": 1}


def test_news_about_the_foreign_agent_registry_is_not_the_disclaimer():
    item = parse(SITE, "https://istories.media/news/2026/11/20/minyust-vnes-v-reestr-inoagentov-eshche-pyaterikh-zhurnalistov/")
    assert item["body"].startswith("Министерство юстиции в пятницу пополнило реестр иностранных агентов.")


def test_russian_appeals_go_and_news_stays():
    news = ("Министерство юстиции в пятницу пополнило реестр иностранных агентов. В него внесли пятерых "
            "журналистов, в том числе бывшего корреспондента «Важных историй» Олега Тимченко.")
    kept, fired = cleaned(SITE, [
        news,
        "Поддержите «Важные истории». Мы проводим расследования на деньги читателей — без государственных "
        "грантов и рекламы.",
        "Подпишитесь на рассылку «Важных историй»",
        "Читайте нас в Telegram",
        "Читайте также",
    ])
    assert kept == [news]
    assert fired == ["donation", "newsletter", "newsletter", "read_more"]
