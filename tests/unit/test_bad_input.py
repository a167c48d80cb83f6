"""Bad input never raises: malformed and deep JSON-LD, deep HTML, dates at the edge of the range, a
charset that contradicts the bytes, JSON-LD values of the wrong type, a callback that raises."""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timezone

import pytest
from lxml import html as lxml_html
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler import dates, outlets
from crawler.middlewares.charset import CharsetMiddleware
from crawler.middlewares.parse_errors import ParseErrorMiddleware
from crawler.pages import jsonld
from crawler.pages.moscowtimes import MoscowTimesPage
from crawler.pages.tree import collect
from crawler.text import normalize
from tests.unit.pages.expectations import fixture_response

MT = "https://www.themoscowtimes.com/2023/08/24/siberian-wildfires-burn-record-area-as-firefighting-budgets-shrink-a82241"
FETCHED = datetime(2026, 11, 28, tzinfo=timezone.utc)
GOOD = '{"@type": "NewsArticle", "headline": "A", "datePublished": "2023-08-01T10:00:00+03:00"}'


@pytest.mark.parametrize("raw, how", [
    (GOOD, "json"),
    ('{"@type": "NewsArticle", "headline": "A", "author": [{"name": "X",},],}', "repaired"),
    ('{"@type": "NewsArticle", "headline": "A\tB\nC"}', "json"),  # raw control characters
    ('/* gen */ {"@type": "NewsArticle", // note\n "headline": "A"}', "repaired"),
    ('//<![CDATA[\n{"@type": "NewsArticle", "headline": "A"}\n//]]>', "repaired"),
    ('<!-- {"@type": "NewsArticle", "headline": "A"} -->', "repaired"),
    (GOOD.replace('"', "&quot;"), "repaired"),
    ('{"@type": "NewsArticle", "headline": "A", "articleBody": "Cut off in the mid', "salvaged"),
    ('{"@type": "NewsArticle", "headline": "A", "author": {name: X}, "x": 1}', "salvaged"),
    ('{"@type": "NewsArticle", "headline": "A", "x": ' + "[" * 5000 + "]" * 5000 + "}", "salvaged"),
])
def test_jsonld_is_read_repaired_or_salvaged_field_by_field(raw, how):
    data, got = jsonld.parse(raw)
    assert got == how
    assert data["@type"] == "NewsArticle" and data["headline"].startswith("A")


def test_jsonld_that_cannot_be_read_is_skipped():
    assert jsonld.parse("not json") == (None, "unreadable")
    assert jsonld.parse("[" * 5000 + "]" * 5000) == (None, "too_deep")
    assert jsonld.parse('{"headline": "a, b", "x": "}" ,}')[0] == {"headline": "a, b", "x": "}"}  # strings kept


def test_walk_has_no_recursion_limit():
    graph: dict = {"@graph": []}
    node = graph
    for _ in range(5000):
        child: dict = {"@graph": []}
        node["@graph"].append(child)
        node = child
    assert sum(1 for _ in jsonld.walk(graph)) == 5001
    assert [o["n"] for o in jsonld.walk([{"n": 1, "@graph": [{"n": 2}]}, {"n": 3}])] == [1, 2, 3]


def page(html: str) -> MoscowTimesPage:
    response = HtmlResponse(MT, body=html.encode("utf-8"), encoding="utf-8", request=Request(MT))
    return MoscowTimesPage(response, outlets.get("moscowtimes"), fetched_at=FETCHED)


def news_article_json(html: str) -> str:
    scripts = re.findall(r'<script type="application/ld\+json"[^>]*>\s*(.*?)\s*</script>', html, re.S)
    return next(text for text in scripts if '"@type":"NewsArticle"' in text)


def test_a_trailing_comma_does_not_cost_the_article_and_is_counted(caplog):
    html = fixture_response("moscowtimes", MT).text
    script = news_article_json(html)
    with caplog.at_level(logging.INFO):
        parsed = page(html.replace(script, script[:-1] + ",}"))
        article = parsed.to_article()
    assert article.kind == "news" and article.published_at == "2023-08-24T11:30:00+03:00"
    assert parsed.events == {"jsonld/repaired": 1}
    assert f"JSON-LD repaired (not valid JSON) <{MT}>" in caplog.text


def test_wrong_value_types_in_jsonld_do_not_raise():
    """Each field of the page's NewsArticle replaced by values of other types: the parser never raises."""
    html = fixture_response("moscowtimes", MT).text
    script = news_article_json(html)
    original = json.loads(script)
    for field in (*original, "inLanguage", "keywords", "image", "author"):
        for value in (5, [], {"a": 1}, ["x", 5], [{"name": 5}], {"url": {}}):
            article = page(html.replace(script, json.dumps({**original, field: value}))).to_article()
            assert article.title, (field, value)


def test_html_nested_1000_deep_keeps_its_text():
    inner = "<div>" * 1000 + "deep <b>text</b>" + "</div>" * 1000
    root = HtmlResponse(MT, body=f"<html><body><div><p>first</p>{inner}<p>last <i>one</i></p></div></body></html>".encode(),
                        encoding="utf-8").selector.css("body > div")[0].root  # parsed as the parsers see it
    out: list[str] = []
    collect(root, out)
    assert out == ["first", "deep text", "last one"]


def test_paragraph_walker_unchanged_on_ordinary_markup():
    root = lxml_html.fromstring("<div>lead <b>bold</b><p>one<br>two</p><!-- c --><ul><li>a <span>b <p>c</p></span></li></ul>"
                                "<figure>img</figure>tail<script>x</script></div>")
    out: list[str] = []
    collect(root, out)
    assert out == ["lead bold", "one two", "a b c", "tail"]


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "0001-01-01T00:00:00",
                                   "Fri, 31 Dec 9999 23:59:59 -2359", "99999999999999999", 10 ** 20, "-1e400"])
def test_dates_beyond_the_range_are_not_dates(value):
    assert dates.parse_datetime(value, "Europe/Moscow") is None


def test_dates_at_the_edge_that_exist_are_kept():
    assert dates.iso(dates.parse_datetime("9999-12-31T23:59:59", "Europe/Moscow")) == "9999-12-31T23:59:59+03:00"
    assert dates.iso(dates.parse_datetime("2023-08-24T11:30:00+03:00", "Europe/Moscow")) == "2023-08-24T11:30:00+03:00"


def test_normalize_takes_what_structured_data_gives():
    assert normalize(5) == "5" and normalize(["a ", "b", 3]) == "a b" and normalize({"a": 1}) == "" and normalize(True) == ""


def charset_response(body: bytes, header: str | None = None) -> HtmlResponse:
    headers = {"Content-Type": header} if header else {}
    return HtmlResponse("https://x.invalid/a", body=body, headers=headers, request=Request("https://x.invalid/a"))


def test_utf8_declared_as_cp1251_is_read_as_utf8(caplog):
    crawler = get_crawler()
    middleware = CharsetMiddleware.from_crawler(crawler)
    text = "<html><head><meta charset='windows-1251'></head><body><p>Привет, мир</p></body></html>"
    for response in (charset_response(text.encode("utf-8")),
                     charset_response(text.encode("utf-8"), "text/html; charset=windows-1251")):
        assert response.encoding == "cp1251"
        fixed = middleware.process_response(response.request, response)
        assert "Привет, мир" in fixed.text
    assert crawler.stats.get_value("charset/mismatch") == 2
    assert "Charset mismatch: https://x.invalid/a declares cp1251 but its bytes are UTF-8" in caplog.text


def test_real_cp1251_and_ascii_pages_stay_as_declared():
    crawler = get_crawler()
    middleware = CharsetMiddleware.from_crawler(crawler)
    text = "<html><head><meta charset='windows-1251'></head><body><p>Привет, мир</p></body></html>"
    real = charset_response(text.encode("cp1251"))
    assert middleware.process_response(real.request, real) is real and "Привет, мир" in real.text
    ascii_only = charset_response(b"<html><head><meta charset='windows-1251'></head><body>Hi</body></html>")
    assert middleware.process_response(ascii_only.request, ascii_only) is ascii_only
    assert crawler.stats.get_value("charset/mismatch") is None


def test_a_callback_exception_is_counted_and_logged_once_with_the_url(caplog):
    crawler = get_crawler()
    middleware = ParseErrorMiddleware.from_crawler(crawler)
    response = HtmlResponse("http://127.0.0.1:1/x", body=b"<html></html>",
                            request=Request("http://127.0.0.1:1/x", meta={"mirror": {"canonical": MT}}))
    try:
        {}["missing"]
    except KeyError as exc:
        assert middleware.process_spider_exception(response, exc) == []
    assert crawler.stats.get_value("spider/parse_error/KeyError") == 1
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].getMessage().endswith(f"page skipped, the crawl goes on <{MT}>")
    assert "tests/unit/test_bad_input.py" in errors[0].getMessage() or "test_bad_input.py:" in errors[0].getMessage()
