"""Agentstvo (www.agents.media, WordPress) against its synthetic fixture (tests/sites/agentstvo): every
article field by field, the feed's full text as the next body layer, and the Russian text rules."""

import pytest

from tests.crawl import expected
from tests.unit.pages.expectations import mismatches
from tests.unit.pages.outlet_pages import cleaned, feed_entries, page_for, parse

SITE = "agentstvo"
EXPECTED = expected(SITE)["articles"]
POST_IDS = {"semi-mobilizovannyh-iz-buryatii-pozhalovalis-na-zaderzhki-vyplat": "48211",
            "kak-ustroen-biznes-na-prodazhe-kvartir-v-mariupole": "48176",
            "donaty-stali-glavnym-istochnikom-deneg-intervyu-s-osnovatelnicej-fonda": "48240"}


@pytest.mark.parametrize("url", sorted(EXPECTED))
def test_article_fields_match_the_page(url):
    item = parse(SITE, url)
    assert mismatches(item, EXPECTED[url]) == []
    assert item["native_id"] == POST_IDS[url.rstrip("/").rsplit("/", 1)[1]]  # WordPress post ID
    assert item["extraction"] == {"body": "outlet"}
    assert item["foreign_agent_text"].startswith("ДАННОЕ СООБЩЕНИЕ (МАТЕРИАЛ)")  # first paragraph of the post


@pytest.mark.parametrize("url", sorted(EXPECTED))
def test_the_feed_full_text_is_the_same_body(url):
    page = page_for(SITE, url)
    kept, fired = cleaned(SITE, page.body_feed())
    assert "\n\n".join(kept) == EXPECTED[url]["body"]
    assert "foreign_agent" in fired


def test_wordpress_auto_excerpt_is_not_taken_as_the_lead():
    news = "https://www.agents.media/semi-mobilizovannyh-iz-buryatii-pozhalovalis-na-zaderzhki-vyplat/"
    assert feed_entries(SITE)[news]["summary"].endswith("[&#8230;]")  # WordPress core, escaped in CDATA
    assert parse(SITE, news)["lead"] is None


def test_russian_appeals_go_and_news_about_donations_stays():
    news = ("Чтобы помочь семьям, местные активисты организовали сбор пожертвований на продукты и оплату "
            "коммунальных услуг. За две недели, по их словам, удалось собрать около 600 тысяч рублей.")
    kept, fired = cleaned(SITE, [
        news,
        "Читайте также: Как регионы сокращают выплаты участникам войны",
        "Подписывайтесь на «Агентство» в Telegram",
        "Поддержите «Агентство»",
        "Мы работаем без рекламы и государственных денег. Нам очень нужна ваша помощь — даже небольшие регулярные "
        "пожертвования позволяют нам продолжать работу.",
        "Рассылка «Агентства»",
    ])
    assert kept == [news]
    assert fired == ["read_more", "newsletter", "donation", "donation", "newsletter"]
