"""Holod (holod.media, WordPress) against its synthetic fixture (tests/sites/holod): every article field
by field, the in-content donation box (page and feed), and the Russian donation/crypto/card rules."""

import pytest

from tests.crawl import expected
from tests.unit.pages.expectations import mismatches
from tests.unit.pages.outlet_pages import cleaned, page_for, parse

SITE = "holod"
EXPECTED = expected(SITE)["articles"]


@pytest.mark.parametrize("url", sorted(EXPECTED))
def test_article_fields_match_the_page(url):
    item = parse(SITE, url)
    assert mismatches(item, EXPECTED[url]) == []
    assert item["native_id"].isdigit()  # WordPress post ID (body class postid-N)
    assert item["extraction"] == {"body": "outlet"}
    assert item["foreign_agent_text"] is None


@pytest.mark.parametrize("url", sorted(EXPECTED))
def test_the_feed_full_text_is_the_same_body(url):
    page = page_for(SITE, url)
    kept, _ = cleaned(SITE, page.body_feed())
    assert kept == parse(SITE, url)["body"].split("\n\n")


def test_donation_box_inside_the_content_is_dropped_by_markup():
    page = page_for(SITE, "https://holod.media/2026/11/23/batumi-emigranty/")
    page.to_article()
    assert page.removed["div.holod-donate-inline"] == 1


def test_podcast_without_text_has_no_body_so_validation_drops_it():
    page = page_for(SITE, "https://holod.media/2026/11/24/podcast-holod-vypusk-112/")
    article = page.to_article()
    assert (article.body, article.extraction["body"]) == ("", "none")  # not the headline trafilatura keeps


def test_russian_appeals_crypto_and_card_lines_go_and_news_stays():
    news = [
        "Куйбышевский районный суд Петербурга оштрафовал трех организаторов благотворительной ярмарки на общую "
        "сумму 90 тысяч рублей.",
        "По словам организаторов, вырученные деньги направляли на посылки политзаключенным, а оплату принимали "
        "переводом с банковской карты.",
    ]
    kept, fired = cleaned(SITE, [
        news[0],
        "Нам очень нужна ваша помощь",
        "«Холод» существует на деньги читателей. Мы не берем денег у государства и не размещаем рекламу, поэтому "
        "для нас так важны регулярные пожертвования — даже 5 евро в месяц помогают нам продолжать работу.",
        news[1],
        "Поддержите «Холод»",
        "Криптовалюта: BTC bc1q9h7garjq3vk5x2n4c8d6f0s7m2p5t8w3e6y4u1 · USDT (TRC20) TQ4mV8nB2xK7pL9sD3fG6hJ1kW5rT0yZcE",
        "Перевод с банковской карты: Visa/Mastercard, 4111 1111 1111 1111 (получатель Kholod Media)",
        "Оформить регулярное пожертвование",
        "Подпишитесь на рассылку «Холода»",
        "Подписывайтесь на «Холод» в Telegram",
        "14 минут чтения",
    ])
    assert kept == news
    assert fired == ["donation"] * 6 + ["newsletter", "newsletter", "reading_time"]
