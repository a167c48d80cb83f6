"""The generic page parser's data-driven layers: outlet selectors, kind rules, figures, body end, paywall,
feed fallbacks. A synthetic outlet record and small pages; the outlets' own tests use their fixture sites."""

from __future__ import annotations

from datetime import datetime, timezone

from scrapy.http import HtmlResponse, Request

from crawler.outlets.base import Outlet
from crawler.pages.base import ArticlePage
from crawler.pages.bylines import split_credit, split_names

FETCHED = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
URL = "https://example.org/news/2026/11/24/story"


def outlet(**extra) -> Outlet:
    return Outlet(key="example", name="Example", language="ru", timezone="Europe/Moscow",
                  hosts=("example.org",), home="https://example.org/", article_url=r"^https://example\.org/",
                  parser="crawler.pages.base.ArticlePage", boilerplate_selectors=("div.promo",), extra=extra)


def page(html: str, feed_entry: dict | None = None, **extra) -> ArticlePage:
    request = Request(URL, meta={"feed_entry": feed_entry} if feed_entry else {})
    response = HtmlResponse(URL, body=html.encode("utf-8"), encoding="utf-8", request=request)
    return ArticlePage(response, outlet(**extra), FETCHED)


ARTICLE = """<html lang="ru"><head><meta property="og:type" content="article">
<meta property="article:published_time" content="2026-11-24T11:05:00Z"></head><body>
<div class="meta"><span class="rubric">Интервью</span><span class="by">Анна Иванова и Петр Сидоров</span>
<span class="date">24 ноября 2026, 14:05</span></div>
<figure class="cover"><img src="/img/a.jpg"><figcaption>Вера Михайлова. Фото: из личного архива</figcaption></figure>
<div class="text"><p>Первый абзац.</p><figure><img data-src="/img/b.jpg"><figcaption>Подпись <em>Фото: ТАСС</em></figcaption></figure>
<div class="promo">Реклама</div><p>Второй абзац.</p><div class="spacer"></div><p>Поддержите нас!</p></div>
<div class="tags"><a>#суды</a><a>#Самара</a></div></body></html>"""


def test_outlet_selectors_come_first_and_dates_show_the_outlet_offset():
    p = page(ARTICLE, author_selector=".by", section_selector=".rubric", tag_selector=".tags a")
    assert p.authors() == ["Анна Иванова", "Петр Сидоров"]
    assert p.section() == "Интервью"
    assert p.tags() == ["суды", "Самара"]
    assert p.published_at() == "2026-11-24T14:05:00+03:00"  # the meta's UTC instant, in Moscow time


def test_visible_russian_date_is_read_when_nothing_machine_readable_is_there():
    html = ARTICLE.replace('<meta property="article:published_time" content="2026-11-24T11:05:00Z">', "")
    assert page(html, date_selector=".date").published_at() == "2026-11-24T14:05:00+03:00"


def test_kind_rules_first_match_wins_and_a_bare_rule_is_the_default():
    rules = [{"tag": "^С ее слов$", "kind": "interview"}, {"section": "^Мнения", "kind": "opinion"},
             {"url": "/news/", "kind": "news"}, {"kind": "feature"}]
    assert page(ARTICLE, section_selector=".rubric", kinds=rules).kind() == "news"  # by URL
    assert page(ARTICLE.replace("Интервью", "Мнения и интервью"), section_selector=".rubric", kinds=rules).kind() == "opinion"
    assert page(ARTICLE.replace("#суды", "С ее слов"), tag_selector=".tags a", kinds=rules).kind() == "interview"
    assert page(ARTICLE, kinds=rules[-1:]).kind() == "feature"
    assert page("<html><body><p>x</p></body></html>", kinds=rules).kind() == "page"


def test_figures_take_the_credit_from_markup_or_from_the_caption_text():
    images = page(ARTICLE, image_selector="figure.cover, div.text figure", credit_selector="em").images()
    assert images == [
        {"url": "https://example.org/img/a.jpg", "caption": "Вера Михайлова", "credit": "Фото: из личного архива"},
        {"url": "https://example.org/img/b.jpg", "caption": "Подпись", "credit": "Фото: ТАСС"},
    ]


def test_split_helpers():
    assert split_credit("Танкер в Финском заливе") == ("Танкер в Финском заливе", None)
    assert split_credit("Фото: Reuters") == (None, "Фото: Reuters")
    assert split_credit("A chessboard — Photo: Anna Berg / Mediazona") == ("A chessboard", "Photo: Anna Berg / Mediazona")
    assert split_names(["Мария Климова, Денис Орлов", "Anna Berg and John Smith"]) == [
        "Мария Климова", "Денис Орлов", "Anna Berg", "John Smith"]


def test_body_ends_at_the_outlet_marker_and_boilerplate_markup_is_dropped():
    p = page(ARTICLE, body_selector="div.text", body_end_selector="div.spacer")
    article = p.to_article()
    assert article.body == "Первый абзац.\n\nВторой абзац."
    assert article.extraction["body"] == "outlet"
    assert p.removed == {"div.spacer": 1, "div.promo": 1}


def test_feed_full_text_makes_an_article_of_a_page_without_one():
    challenge = "<html><body><p>Пожалуйста, подождите…</p><script>location.reload()</script></body></html>"
    entry = {"link": URL, "title": "Заголовок", "published": "Mon, 23 Nov 2026 13:20:00 +0000",
             "authors": ("Егор Смирнов",), "categories": ("Новости", "книги"),
             "content": '<p>Текст.</p><figure><img src="https://example.org/i.jpg"><figcaption>Полка <em>Фото: «Вёрстка»</em></figcaption></figure>'
                        '<div class="spacer"></div><p>Поддержите нас</p>'}
    p = page(challenge, feed_entry=entry, body_selector="div.text", body_end_selector="div.spacer", credit_selector="em")
    article = p.to_article()
    assert (article.title, article.authors, article.section) == ("Заголовок", ["Егор Смирнов"], "Новости")
    assert article.published_at == "2026-11-23T16:20:00+03:00"
    assert article.body == "Текст." and article.extraction["body"] == "feed"
    assert article.kind == "news"
    assert article.images == [{"url": "https://example.org/i.jpg", "caption": "Полка", "credit": "Фото: «Вёрстка»"}]


def test_paywall_from_json_ld_meta_or_markup():
    assert not page(ARTICLE).paywalled()
    assert page(ARTICLE.replace("<head>", '<head><meta property="article:content_tier" content="locked">')).paywalled()
    assert page(ARTICLE.replace("<body>", '<body><div class="paywall">Только подписчикам</div>'),
                paywall_selector="div.paywall").paywalled()
    jsonld = '<script type="application/ld+json">{"@type": "NewsArticle", "isAccessibleForFree": false}</script>'
    assert page(ARTICLE.replace("<head>", "<head>" + jsonld)).paywalled()
