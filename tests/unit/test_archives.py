"""Web archives: the CDX and Common Crawl answers read, WARC records decoded, sources, cursors, politeness.
Answer shapes as in tests/archives.py (whose docstring cites their sources)."""

from __future__ import annotations

import gzip
import io
import json
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse
from scrapy.settings import Settings
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler import settings as project_settings
from crawler.discovery import commoncrawl, wayback
from crawler.discovery.web_archives import (SLOT_CC_DATA, SLOT_CC_INDEX, SLOT_WAYBACK, SLOT_WAYBACK_CDX, archive_request,
                                       capture_time, parse_sources)
from crawler.middlewares.web_archives import WebArchiveMiddleware
from crawler.middlewares.challenge import PageCheck
from crawler.middlewares.retry_after import RetryAfterMiddleware
from crawler.spiders.theinsider import TheInsiderSpider
from crawler.state.cursors import CursorLedger


def test_a_cdx_page_gives_rows_by_field_name_and_the_resume_key():
    body = json.dumps([["urlkey", "timestamp", "original"],
                       ["ru,theins)/news/1", "20260915083000", "https://theins.ru/news/1"],
                       ["ru,theins)/news/2", "20260916083000", "http://theins.ru:80/news/2"],
                       [], ["ru%2Ctheins%29%2Fnews%2F2+20260916083000%21"]]).encode()
    page = wayback.parse_cdx(body)
    assert [r["original"] for r in page.rows] == ["https://theins.ru/news/1", "http://theins.ru:80/news/2"]
    assert page.resume_key == "ru%2Ctheins%29%2Fnews%2F2+20260916083000%21"
    last = wayback.parse_cdx(json.dumps([["urlkey", "timestamp", "original"], ["k", "2026", "u"]]).encode())
    assert last.resume_key is None and len(last.rows) == 1
    assert wayback.parse_cdx(b"[]").rows == []
    for bad in (b"<html>blocked</html>", b'{"error": 1}', b"\xff\xfe"):
        with pytest.raises(ValueError):
            wayback.parse_cdx(bad)


def test_the_cdx_listing_query_asks_for_first_captures_of_html_200_pages_in_the_window():
    url = wayback.listing_query("theins.ru/", "20220224", "20221231235959", 5000, resume_key="k 1!")
    for part in ("url=theins.ru%2F", "matchType=prefix", "from=20220224", "to=20221231235959", "collapse=urlkey",
                 "filter=statuscode%3A200", "filter=mimetype%3Atext%2Fhtml", "output=json", "showResumeKey=true",
                 "limit=5000", "resumeKey=k+1%21"):
        assert part in url
    assert wayback.capture_url("20220301120000", "https://meduza.io/news/x") == \
        "https://web.archive.org/web/20220301120000id_/https://meduza.io/news/x"


def test_collinfo_spans_from_the_fields_or_from_the_collection_id():
    body = json.dumps([
        {"id": "CC-MAIN-2024-10", "cdx-api": "https://index.commoncrawl.org/CC-MAIN-2024-10-index",
         "from": "2024-02-20T00:00:00", "to": "2024-03-05T23:59:59"},
        {"id": "CC-MAIN-2022-05", "cdx-api": "https://index.commoncrawl.org/CC-MAIN-2022-05-index"},
        {"id": "CC-MAIN-2012", "cdx-api": "https://index.commoncrawl.org/CC-MAIN-2012-index"},  # no span: left out
        "garbage",
    ]).encode()
    found = commoncrawl.parse_collinfo(body)
    assert [c.id for c in found] == ["CC-MAIN-2022-05", "CC-MAIN-2024-10"]  # oldest first
    assert found[1].first == date(2024, 2, 20) and found[1].last == date(2024, 3, 5)
    assert found[0].first == date(2022, 1, 10) and found[0].last == date(2022, 2, 6)  # week 5 of 2022, and 3 before
    assert found[1].overlaps(date(2024, 3, 1), date(2024, 12, 31)) and not found[1].overlaps(date(2024, 3, 6), date(2024, 4, 1))
    with pytest.raises(ValueError):
        commoncrawl.parse_collinfo(b'{"not": "a list"}')


def test_index_lines_and_which_records_can_be_read():
    good = {"url": "https://theins.ru/news/1", "timestamp": "20260915083000", "status": "200", "mime": "text/html",
            "filename": "crawl-data/x.warc.gz", "offset": "120", "length": "3000"}
    body = (json.dumps(good) + "\nnot json\n" + json.dumps({**good, "status": "301"}) + "\n").encode()
    records = commoncrawl.parse_index_lines(body)
    assert len(records) == 2 and [commoncrawl.usable(r) for r in records] == [True, False]
    assert commoncrawl.record_url(good) == "https://data.commoncrawl.org/crawl-data/x.warc.gz#120,3000"
    assert commoncrawl.range_request_args(good) == ("https://data.commoncrawl.org/crawl-data/x.warc.gz",
                                                    {"Range": "bytes=120-3119"})


def _warc(payload: bytes, status: str = "200 OK", gzipped_payload: bool = False) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    headers = [("Content-Type", "text/html; charset=utf-8"), ("ETag", '"x"')]
    if gzipped_payload:
        payload = gzip.compress(payload)
        headers.append(("Content-Encoding", "gzip"))
    http = StatusAndHeaders(status, headers + [("Content-Length", str(len(payload)))], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record("https://theins.ru/news/1", "response", payload=io.BytesIO(payload),
                                                  http_headers=http))
    return out.getvalue()


def test_a_warc_record_gives_the_page_its_status_and_headers_with_the_content_decoded():
    page = commoncrawl.read_record(_warc("<html><body>Текст</body></html>".encode()))
    assert page.status == 200 and page.target == "https://theins.ru/news/1"
    assert page.body.decode() == "<html><body>Текст</body></html>"
    assert ("Content-Type", "text/html; charset=utf-8") in page.headers
    assert commoncrawl.read_record(_warc(b"<html>zipped</html>", gzipped_payload=True)).body == b"<html>zipped</html>"
    assert commoncrawl.read_record(_warc(b"gone", status="404 Not Found")).status == 404
    for bad in (b"", b"plain bytes", gzip.compress(b"not a warc record")):
        with pytest.raises(ValueError):
            commoncrawl.read_record(bad)
    with pytest.raises(ValueError, match="larger than"):
        commoncrawl.read_record(_warc(b"x" * 5000), max_size=1000)


def test_sources_and_capture_times():
    assert parse_sources("commoncrawl, site") == ("site", "commoncrawl")
    assert parse_sources(None) is None and parse_sources("") is None
    with pytest.raises(ValueError, match="site, wayback, commoncrawl"):
        parse_sources("site,archive.today")
    assert capture_time("20220224061500") == datetime(2022, 2, 24, 6, 15, tzinfo=timezone.utc)
    assert capture_time("2022") == datetime(2022, 1, 1, tzinfo=timezone.utc)
    assert capture_time("2022-13") is None and capture_time("") is None


def test_a_backfill_adds_the_archives_only_where_the_site_cannot_reach_back():
    today = datetime.now(timezone.utc).date()
    assert TheInsiderSpider(since="2022-02-24").sources == ("site",)  # an ordinary crawl: the site only
    assert TheInsiderSpider(since="2022-02-24", backfill="1").sources == ("site", "wayback", "commoncrawl")
    assert TheInsiderSpider(since=today.isoformat(), backfill="1").sources == ("site",)  # the feed reaches today
    spider = TheInsiderSpider(since="2022-02-24", backfill="1", sources="wayback")
    assert spider.sources == ("wayback",) and spider.archive_sources == ("wayback",)
    with pytest.raises(ValueError, match="backfill"):
        TheInsiderSpider(backfill="yes please")


def test_a_cursor_is_written_only_once_every_article_listed_before_it_is_settled():
    ledger = CursorLedger({"wayback:x/": "old"})
    assert ledger.resume("wayback:x/") == "old" and ledger.resume("commoncrawl:x/") is None
    for url in ("a", "b"):
        ledger.listed(url)
    ledger.checkpoint("wayback:x/", "page1")
    ledger.listed("c")
    ledger.checkpoint("wayback:x/", "page2")
    assert ledger.ready() == {}
    ledger.done("b")  # emitted, its feed not stored yet: progress counts it, the cursor does not move
    assert ledger.done_count == 1 and ledger.ready() == {}
    ledger.settle("b")
    assert ledger.ready() == {}  # "a" is still being fetched
    ledger.link("a-canonical", "a")  # the page named another canonical URL
    ledger.settle("a-canonical")
    assert ledger.ready() == {"wayback:x/": "page1"}
    ledger.settle("c")
    assert ledger.ready() == {"wayback:x/": "page2"} and ledger.ready() == {}
    ledger.listed("d")
    ledger.block()  # -a limit: an entry of this page was not requested
    ledger.settle("d")
    ledger.checkpoint("wayback:x/", "page3")
    assert ledger.ready() == {}
    assert (ledger.listed_count, ledger.settled_count, ledger.outstanding) == (4, 4, 0)


class _Slot:
    def __init__(self, delay: float) -> None:
        self.delay = delay


def test_a_429_from_an_archive_doubles_its_slot_delay_but_not_the_sites():
    stats = SimpleNamespace(values={}, inc_value=lambda k, n=1: stats.values.__setitem__(k, stats.values.get(k, 0) + n))
    slots = {"web.archive.org/cdx": _Slot(3.0), "theins.ru": _Slot(0.25)}
    crawler = SimpleNamespace(engine=SimpleNamespace(downloader=SimpleNamespace(slots=slots)))
    mw = RetryAfterMiddleware(300, stats, crawler)  # type: ignore[arg-type]
    archive = archive_request("https://web.archive.org/cdx/search/cdx?url=x", SLOT_WAYBACK_CDX)
    archive.meta["download_slot"] = SLOT_WAYBACK_CDX
    mw.slow_down(archive, 429)
    mw.slow_down(archive, 429)
    assert slots["web.archive.org/cdx"].delay == 12.0 and stats.values["retry_after/slot_slowed"] == 2
    site = Request("https://theins.ru/news/1", meta={"download_slot": "theins.ru"})  # AutoThrottle's to adjust
    mw.slow_down(site, 429)
    assert slots["theins.ru"].delay == 0.25


def test_every_archive_slot_has_a_polite_default_pace():
    slots = Settings(vars(project_settings)).getdict("DOWNLOAD_SLOTS")
    for slot in (SLOT_WAYBACK_CDX, SLOT_WAYBACK, SLOT_CC_INDEX, SLOT_CC_DATA):
        assert slots[slot]["concurrency"] == 1 and slots[slot]["delay"] >= 1.0
    assert slots[SLOT_WAYBACK_CDX]["delay"] >= 60 / 24  # the CDX API's 24 requests a minute
    request = archive_request("https://index.commoncrawl.org/collinfo.json", SLOT_CC_INDEX)
    assert request.meta["download_slot"] == SLOT_CC_INDEX and request.meta["autothrottle_dont_adjust_delay"] is True
    assert set(Settings(vars(project_settings)).getlist("SCOPE_EXTRA_HOSTS")) == {
        "web.archive.org", "index.commoncrawl.org", "data.commoncrawl.org"}


def test_which_answers_the_archives_stand_in_for():
    check = PageCheck.of(["_cf_chl_opt"], ["#root"], [403, 503], 200)
    mw = WebArchiveMiddleware(SimpleNamespace(stats=None), ("wayback",), check)  # type: ignore[arg-type]
    url = "https://theins.ru/news/1"

    def answer(status: int, body: str = "<html><body><p>Страница</p></body></html>") -> TextResponse:
        return HtmlResponse(url, status=status, body=body.encode(), encoding="utf-8")

    assert mw.reason(answer(404)) == "gone" and mw.reason(answer(410)) == "gone"
    assert mw.reason(answer(403)) == "blocked" and mw.reason(answer(451)) == "blocked"
    assert mw.reason(answer(503, "<html><script>var _cf_chl_opt={}</script></html>")) == "challenge"
    assert mw.reason(answer(200)) is None and mw.reason(answer(503)) is None  # a failing server: retried, not gone
    assert mw.is_page(Request(url, meta={"article": True}))
    assert not mw.is_page(Request("https://theins.ru/api/1", meta={"article": True, "canonical_url": url}))  # API record
    assert mw.is_page(Request(url, meta={"fetch_fallback": True}))  # the page after its API record failed
    assert not mw.is_page(Request("https://theins.ru/feed", meta={"discovery": "feed"}))
    assert not mw.is_page(Request(url, meta={"article": True, "webarchive_lookup": True}))
