"""Verstka (verstka.media, WordPress) against its synthetic fixture (tests/sites/verstka): article pages
field by field, the article whose page is a JavaScript challenge built from the full-text feed, the
body cut at the spacer (page and feed alike), and the Russian text rules."""

import pytest

from crawler import outlets
from tests.crawl import expected
from tests.unit.pages.expectations import mismatches
from tests.unit.pages.outlet_pages import cleaned, page_for, parse

SITE = "verstka"
EXPECTED = expected(SITE)["articles"]
CHALLENGED = "https://verstka.media/my-pishem-pisma-tem-kogo-nikto-ne-zhdet/"
POST_IDS = {CHALLENGED: "91502", "https://verstka.media/v-novosibirske-zakryli-poslednij-nezavisimyj-knizhnyj-magazin/": "91544",
            "https://verstka.media/pochemu-ya-bolshe-ne-veryu-v-tihoe-nesoglasie/": "91570"}


@pytest.mark.parametrize("url", sorted(EXPECTED))
def test_article_fields_match_the_page_or_the_feed(url):
    item = parse(SITE, url)
    assert mismatches(item, EXPECTED[url]) == []
    assert item["native_id"] == POST_IDS[url]
    assert item["extraction"] == {"body": "feed" if url == CHALLENGED else "outlet"}
    assert item["foreign_agent_text"].startswith("ДАННОЕ СООБЩЕНИЕ (МАТЕРИАЛ)")


def test_challenge_page_without_the_feed_has_no_body_so_fallback_may_render_it():
    page = page_for(SITE, CHALLENGED, with_feed=False)
    assert "vmchk" in page.response.text and page.body_markup() is None
    assert page.to_article().extraction["body"] in ("none", "generic")
    assert outlets.get(SITE).render == "fallback"


@pytest.mark.parametrize("url", sorted(set(EXPECTED) - {CHALLENGED}))
def test_page_and_feed_give_the_same_body_both_cut_at_the_spacer(url):
    page = page_for(SITE, url)
    for paragraphs in (page.body_markup(), page.body_feed()):
        kept, fired = cleaned(SITE, paragraphs)
        assert "\n\n".join(kept) == EXPECTED[url]["body"]
        assert fired == ["foreign_agent"]  # the donation and Telegram paragraphs were cut with the spacer
    assert page.removed["div.wp-block-spacer"] == 2


def test_russian_appeals_go_and_news_about_donations_stays():
    news = ("Кузьмина говорит, что читатели пытались помочь: за октябрь они перевели магазину около 200 тысяч "
            "рублей пожертвований, но этого не хватило, чтобы закрыть штрафы и аренду.")
    kept, fired = cleaned(SITE, [
        news,
        "Поддержите «Вёрстку». Мы не получаем денег от государства и рекламодателей — нас поддерживают читатели. "
        "Оформите ежемесячное пожертвование, это займет минуту. Поддержать",
        "Подписывайтесь на «Вёрстку» в Telegram",
        "Рассылка «Вёрстки»",
    ])
    assert kept == [news]
    assert fired == ["donation", "newsletter", "newsletter"]
