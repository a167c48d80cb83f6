"""Broken and hostile pages cost at most their own article, counted and logged with the URL; the crawl
goes on. One crawl of a copy of the Moscow Times fixture site (its pages have no ``og:type``: the
JSON-LD ``NewsArticle`` is their only article signal), where each article page is broken in its own
way (the changes are made below, in this file's own wording, on the fixture's synthetic pages):

a82219  JSON-LD with a trailing comma             a82241  raw tab and newline inside a JSON-LD string
a82253  JSON-LD escaped as HTML entities          a82185  JSON-LD with /* */ and // comments
a82201  JSON-LD cut off in the middle              a82287  a JSON-LD value nested 1,000 deep
a82330  article markup nested 1,000 deep          a82064  datePublished 9999-12-31T23:59:59-23:59
a82031  UTF-8 page served as windows-1251 (with Cyrillic text); a82160 stays real windows-1251
a82121  the parser raises (tests/faults.py)       a82110  the clean pipeline raises (tests/faults.py)
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from crawler.text import split_paragraphs
from tests.crawl import SITES, expected, run_crawl
from tests.siteserver import SiteServer
from tests.unit.pages.expectations import mismatches

pytestmark = pytest.mark.integration
TRUTH = expected("moscowtimes")
WINDOW = ("-a", "since=2023-05-01", "-a", "until=2023-08-31")
DEEP = 1000
CYRILLIC = "Москва, 24 августа. Текст в UTF-8, объявленный как windows-1251."


def url_of(native_id: str) -> str:
    return next(url for url in TRUTH["articles"] if url.endswith(native_id))


def page_of(site: Path, native_id: str) -> Path:
    return site / url_of(native_id).split("/", 3)[3]


def news_article_json(html: str) -> str:
    """The text of the page's JSON-LD script that holds the NewsArticle object."""
    scripts = re.findall(r'<script type="application/ld\+json"[^>]*>\s*(.*?)\s*</script>', html, re.S)
    return next(text for text in scripts if '"@type":"NewsArticle"' in text)


def break_jsonld(site: Path, native_id: str, change) -> None:  # noqa: ANN001
    path = page_of(site, native_id)
    html = path.read_text("utf-8")
    original = news_article_json(html)
    path.write_text(html.replace(original, change(original)), "utf-8")


def edit(site: Path, native_id: str, old: str, new: str) -> None:
    path = page_of(site, native_id)
    html = path.read_text("utf-8")
    assert old in html, (native_id, old)
    path.write_text(html.replace(old, new, 1), "utf-8")


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    site = tmp / "site"
    shutil.copytree(SITES / "moscowtimes", site)
    break_jsonld(site, "a82219", lambda j: j[:-1] + ',}')
    break_jsonld(site, "a82241", lambda j: j.replace('"headline":"', '"headline":"\t', 1).replace('"name":"', '"name":"\n', 1))
    break_jsonld(site, "a82253", lambda j: j.replace('"', "&quot;"))
    break_jsonld(site, "a82185", lambda j: "/* generated */ " + j.replace(',"', ', // field\n"', 1))
    break_jsonld(site, "a82201", lambda j: j[: j.index('"dateModified"') + 30])
    break_jsonld(site, "a82287", lambda j: j[:-1] + ',"nested":' + "[" * DEEP + "]" * DEEP + "}")
    edit(site, "a82330", '<div class="article__content" y-name="article-content">',
         '<div class="article__content" y-name="article-content">' + "<div>" * DEEP + "<p>Deep text.</p>" + "</div>" * DEEP)
    break_jsonld(site, "a82064", lambda j: re.sub(r'"datePublished":"[^"]*"', '"datePublished":"9999-12-31T23:59:59-23:59"', j))
    edit(site, "a82031", '<div class="article__content" y-name="article-content">', f'<div class="article__content" y-name="article-content"><p>{CYRILLIC}</p>')
    routes = json.loads((site / "_responses.json").read_text("utf-8"))
    routes[url_of("a82031").split("/", 3)[3].join(["/", ""])] = {
        "headers": {"Content-Type": "text/html; charset=windows-1251"}}
    (site / "_responses.json").write_text(json.dumps(routes), "utf-8")
    with SiteServer(site) as server:
        return run_crawl("moscowtimes", server.url, tmp / "out.jsonl", *WINDOW,
                         fault="parser_bug:a82121,pipeline_bug:a82110")


def test_every_article_but_the_two_bugs_is_exported_with_its_fields(crawl):
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert crawl.stats["run/outcome"] == "delivered"
    exported = crawl.by_url()
    assert sorted(exported) == sorted(set(TRUTH["articles"]) - {url_of("a82121"), url_of("a82110")})
    for native_id in ("a82219", "a82241", "a82253", "a82185", "a82201", "a82287", "a82064", "a82160"):
        url = url_of(native_id)
        assert mismatches(exported[url], TRUTH["articles"][url]) == [], native_id


def test_a_page_nested_1000_deep_keeps_its_text(crawl):
    url = url_of("a82330")
    want = dict(TRUTH["articles"][url], body_first="Deep text.")
    want["body_paragraphs"] += 1
    assert mismatches(crawl.by_url()[url], want) == []


def test_utf8_declared_as_windows_1251_is_read_as_utf8(crawl):
    url = url_of("a82031")
    paragraphs = split_paragraphs(crawl.by_url()[url]["body"])
    assert paragraphs[0] == CYRILLIC
    want = dict(TRUTH["articles"][url], body_first=CYRILLIC)
    want["body_paragraphs"] += 1
    assert mismatches(crawl.by_url()[url], want) == []
    assert crawl.stats["charset/mismatch"] == 1 and crawl.stats["charset/mismatch/cp1251"] == 1
    assert f"Charset mismatch: {url} declares cp1251 but its bytes are UTF-8" in crawl.log


def test_malformed_jsonld_is_counted_and_logged_with_the_url(crawl):
    stats, log = crawl.stats, crawl.log
    assert stats["extract/jsonld/repaired"] == 3  # trailing comma, entities, comments
    assert stats["extract/jsonld/salvaged"] == 2  # cut off, nested too deep
    assert f"JSON-LD repaired (not valid JSON) <{url_of('a82219')}>" in log
    assert f"JSON-LD read field by field, broken fields skipped <{url_of('a82201')}>" in log
    assert stats.get("validate/dropped/not_article", 0) == 0


def test_a_parser_bug_and_a_pipeline_bug_cost_one_article_each(crawl):
    stats, log = crawl.stats, crawl.log
    assert stats["spider/parse_error/ZeroDivisionError"] == 1
    parse_lines = [line for line in log.splitlines() if "Parse error ZeroDivisionError" in line]
    assert len(parse_lines) == 1 and parse_lines[0].endswith(f"page skipped, the crawl goes on <{url_of('a82121')}>")
    assert "at tests/faults.py" in parse_lines[0] or "faults.py:" in parse_lines[0]
    assert stats["pipeline/error/KeyError"] == 1
    assert sum(1 for line in log.splitlines() if f"Pipeline error on {url_of('a82110')}: KeyError" in line) == 1
    assert "parse errors: ZeroDivisionError 1; pipeline errors: KeyError 1" in log  # the health report
    assert log.count("Traceback") == 1  # the pipeline error's, once; none for the pages above
