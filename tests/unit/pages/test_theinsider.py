"""The Insider (theins.ru) against its synthetic Next.js fixture (tests/sites/theinsider): every article
field by field, the markup layer when __NEXT_DATA__ is missing, and the Russian text rules."""

import pytest
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler import outlets
from crawler.pages.theinsider import TheInsiderPage
from crawler.pipelines.clean import CleanPipeline
from tests.crawl import expected
from tests.unit.pages.expectations import fixture_response, mismatches
from tests.unit.pages.outlet_pages import FETCHED, cleaned, page_for, parse

SITE = "theinsider"
EXPECTED = expected(SITE)["articles"]


@pytest.mark.parametrize("url", sorted(EXPECTED))
def test_article_fields_match_the_page(url):
    item = parse(SITE, url)
    assert mismatches(item, EXPECTED[url]) == []
    assert item["native_id"] == url.rsplit("/", 1)[1]
    assert item["extraction"] == {"body": "outlet"}
    assert item["foreign_agent_text"].startswith("ДАННОЕ СООБЩЕНИЕ (МАТЕРИАЛ)")


def test_dates_from_next_data_utc_are_shown_in_moscow_time():
    item = parse(SITE, "https://theins.ru/politika/301105")
    assert (item["published_at"], item["modified_at"]) == ("2026-11-21T10:00:00+03:00", "2026-11-21T16:40:00+03:00")


@pytest.mark.parametrize("url", sorted(EXPECTED))
def test_without_next_data_the_markup_gives_the_same_article(url):
    """The HTML layer on its own: the page shows no modification time, everything else is the same."""
    response = fixture_response(SITE, url)
    html = response.text.replace('id="__NEXT_DATA__"', 'id="gone"')
    item = TheInsiderPage(response.replace(body=html.encode("utf-8")), outlets.get(SITE), FETCHED).to_article()
    CleanPipeline(MemoryStatsCollector(get_crawler())).process_item(item)
    want = {k: v for k, v in EXPECTED[url].items() if k != "modified_at"}
    assert mismatches(item.__dict__, want) == []
    assert item.modified_at is None


def test_markup_body_drops_the_read_also_block_and_text_rules_the_inline_appeals():
    page = page_for(SITE, "https://theins.ru/politika/301105")
    paragraphs = page.paragraphs(page.cleaned(page.body_roots()[0]))
    assert page.removed["div[class*=ReadAlso_]"] == 1
    assert any(p.startswith("Поддержите The Insider") for p in paragraphs)  # only a text rule can catch it
    kept, fired = cleaned(SITE, paragraphs)
    assert fired == ["donation"] and len(kept) == 11


def test_russian_appeals_go_and_news_about_donations_stays():
    news = [
        "По версии следствия, в 2023–2025 годах Гайнуллин перечислил несколько пожертвований на общую сумму около "
        "12 тысяч рублей зарубежному фонду, который помогает украинским беженцам.",
        "Адвокат программиста Марина Ершова заявила, что ее подзащитный не знал о статусе фонда, а переводы оформлял "
        "со своей банковской карты еще до того, как организацию внесли в реестр.",
    ]
    kept, fired = cleaned(SITE, [
        news[0],
        "Поддержите The Insider. Нам очень нужна ваша помощь: только регулярные пожертвования читателей позволяют "
        "нам продолжать расследования. Оформить пожертвование можно здесь.",
        news[1],
        "Подпишитесь на The Insider в Telegram, чтобы не пропускать главное.",
        "The Insider работает благодаря читателям. Если вы можете, поддержите нас — регулярные пожертвования "
        "помогают планировать работу на месяцы вперед.",
        "Подпишитесь на нашу еженедельную рассылку",
        "Читайте также",
    ])
    assert kept == news
    assert fired == ["donation", "newsletter", "donation", "newsletter", "read_more"]
