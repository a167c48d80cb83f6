"""The evidence archive's parts without a crawl: when it is on, the SURT keys of its index, what a response
record holds (compressed bodies, rendered pages, articles only), and the answers read back from it."""

from __future__ import annotations

import gzip
import io
import json
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
import surt
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler

from crawler.exports.archive import RAW, ArchiveOutput
from crawler.exports.replay import decoded_body
from crawler.exports.wacz import WaczReader, WaczWriter, surt_key
from crawler.middlewares.archive import ArchiveCaptureMiddleware, ArchiveReplayMiddleware
from tests.crawl import SITES
from tests.unit.test_feeds import addon_settings

PAGE = "https://www.themoscowtimes.com/2023/08/22/russian-army-officials-visit-libya-after-haftar-invite-a82219"


def fixture_urls() -> list[str]:
    """Every article URL the fixture sites' ground truth names, plus a few awkward forms."""
    urls = []
    for expected in sorted(SITES.glob("*/_expected.json")):
        urls += list(json.loads(expected.read_text("utf-8")).get("articles", {}))
    return urls + ["https://meduza.io/api/w5/search?page=0&chrono=news&per_page=24", "http://Example.com:8080/a/?b=2&a=1#x",
                   "https://www2.svoboda.org/a/32567.html", "https://tvrain.tv/news/%D0%B0%d0%B1/", "https://novayagazeta.eu"]


def test_surt_keys_are_the_reference_implementations():
    urls = fixture_urls()
    assert len(urls) > 50
    assert [surt_key(url) for url in urls] == [surt.surt(url) for url in urls]


@pytest.mark.parametrize(("overrides", "on"), [
    ({}, False),  # an ad-hoc run: -o/-O, tests, the demo
    ({"OUTPUT_URI": "/srv/corpus"}, True),  # a deployment that builds the corpus
    ({"OUTPUT_URI": "/srv/corpus", "ARCHIVE_ENABLED": False}, False),
    ({"ARCHIVE_ENABLED": True, "FEEDS": {"/tmp/x.jsonl": {"format": "jsonlines"}}}, True),
])
def test_archive_is_on_for_scheduled_runs_and_goes_beside_the_feeds(tmp_path: Path, overrides, on):
    settings = addon_settings(tmp_path, **overrides)
    assert settings.getbool("ARCHIVE_ENABLED") is on
    if on:
        run_id = settings["OUTPUT_RUN_ID"]
        assert settings["OUTPUT_ARCHIVE_URI"].endswith(f"/moscowtimes/{run_id[:4]}-{run_id[4:6]}-{run_id[6:8]}/{run_id}.wacz")
    else:
        assert not settings.get("OUTPUT_ARCHIVE_URI")


def test_archive_is_on_under_scrapyd(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SCRAPY_JOB", "1a2b3c4d")
    assert addon_settings(tmp_path).getbool("ARCHIVE_ENABLED")


def output(articles_only: bool = False) -> tuple[ArchiveOutput, io.BytesIO]:
    crawler = get_crawler(settings_dict={"ARCHIVE_ENABLED": True, "OUTPUT_ARCHIVE_URI": "file:///x/r.wacz"})
    ext = ArchiveOutput(crawler, "file:///x/r.wacz", articles_only=articles_only)
    buffer = io.BytesIO()
    ext.writer = WaczWriter(buffer, title="t", warcinfo={"spider": "moscowtimes"})
    return ext, buffer


def downloaded(request: Request, response: Response) -> Response:
    """The response as the downloader middlewares hand it on: captured, then decompressed."""
    response = ArchiveCaptureMiddleware().process_response(request, response)
    return HttpCompressionMiddleware.from_crawler(get_crawler()).process_response(request, response)


def read_back(buffer: io.BytesIO, tmp_path: Path):
    path = tmp_path / "r.wacz"
    path.write_bytes(buffer.getvalue())
    reader = WaczReader(str(path))
    return reader, [reader.read(warc, entry) for warc, entry in reader.entries()]


def test_a_compressed_response_is_kept_as_sent_and_answers_decompressed(tmp_path: Path):
    ext, buffer = output()
    html = "<html><head><title>Тест</title></head><body><p>Текст статьи.</p></body></html>".encode()
    request = Request(PAGE, meta={"article": True})
    raw = HtmlResponse(PAGE, body=gzip.compress(html), request=request,
                       headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip",
                                "Transfer-Encoding": "chunked"})
    parsed = downloaded(request, raw)
    assert parsed.body == html and RAW in request.meta
    capture = ext.record(parsed)
    ext.worker.shutdown(wait=True)
    ext.writer.close()
    reader, (stored,) = read_back(buffer, tmp_path)
    assert capture["record"] == stored.record_id and stored.kind == "article"
    headers = {k.lower(): v for k, v in stored.headers}
    assert headers["content-encoding"] == "gzip" and "transfer-encoding" not in headers
    assert stored.body == gzip.compress(html) == raw.body and headers["content-length"] == str(len(raw.body))
    assert decoded_body(stored) == html
    # read back by the replay middleware: the stored bytes, decompressed by the usual middleware
    crawler = get_crawler(settings_dict={"ARCHIVE_REPLAY": [str(tmp_path / "r.wacz")]})
    replay = ArchiveReplayMiddleware.from_crawler(crawler)
    again = Request(PAGE)
    answer = replay.process_request(again)
    assert answer.body == raw.body and again.meta["archive"]["record"] == stored.record_id
    assert HttpCompressionMiddleware.from_crawler(get_crawler()).process_response(again, answer).text == parsed.text
    with pytest.raises(Exception, match="not in the archive"):
        replay.process_request(Request(PAGE + "-other"))
    reader.close()
    replay.index.close()


def test_a_rendered_page_keeps_the_plain_response_and_the_browsers_html(tmp_path: Path):
    ext, buffer = output()
    request = Request(PAGE, meta={"article": True, "render": "fallback"})
    plain = HtmlResponse(PAGE, body=b'<html><body><div id="root"></div></body></html>', request=request,
                         headers={"Content-Type": "text/html"})
    downloaded(request, plain)  # the fallback check then sends the page to the browser
    request.meta["render_reason"] = "app_shell"
    rendered = HtmlResponse(PAGE, body=b"<html><body><p>Rendered text</p></body></html>", request=request,
                            flags=["playwright"], headers={"Content-Type": "text/html"})
    rendered = downloaded(request, rendered)
    capture = ext.record(rendered)
    ext.worker.shutdown(wait=True)
    ext.writer.close()
    reader, stored = read_back(buffer, tmp_path)
    by_type = {s.record_type: s for s in stored}
    assert set(by_type) == {"response", "conversion"}
    assert by_type["response"].body == plain.body
    conversion = by_type["conversion"]
    assert conversion.body == rendered.body and conversion.rendered == "app_shell"
    assert conversion.warc_headers["WARC-Refers-To"] == by_type["response"].record_id
    assert capture["record"] == conversion.record_id  # the item names what its parser read
    reader.close()


def test_articles_only_skips_discovery_responses(tmp_path: Path):
    ext, buffer = output(articles_only=True)
    sitemap = Request("https://static.themoscowtimes.com/sitemap/sitemap.xml", meta={"discovery": "sitemap"})
    assert ext.record(downloaded(sitemap, Response(sitemap.url, body=b"<urlset/>", request=sitemap))) is None
    page = Request(PAGE, meta={"article": True})
    assert ext.record(downloaded(page, HtmlResponse(PAGE, body=b"<html></html>", request=page))) is not None
    ext.worker.shutdown(wait=True)
    ext.writer.close()
    assert ext.stats.get_value("archive/skipped/sitemap") == 1
    reader, stored = read_back(buffer, tmp_path)
    assert [s.url for s in stored] == [PAGE]
    reader.close()


def test_warcinfo_carries_the_runs_window_for_reextract(tmp_path: Path):
    crawler = get_crawler(settings_dict={"ARCHIVE_ENABLED": True})
    ext = ArchiveOutput(crawler, "file:///x/r.wacz")
    spider = SimpleNamespace(name="moscowtimes", since=datetime(2023, 5, 1, tzinfo=timezone.utc).date(),
                             until=datetime(2023, 8, 31, tzinfo=timezone.utc).date(), mode="incremental", limit=None)
    buffer = io.BytesIO()
    WaczWriter(buffer, title="t", warcinfo=ext.warcinfo(spider)).close()
    path = tmp_path / "w.wacz"
    path.write_bytes(buffer.getvalue())
    info = WaczReader(str(path)).warcinfo()
    assert (info["spider"], info["ruspress-since"], info["ruspress-until"]) == ("moscowtimes", "2023-05-01", "2023-08-31")
    assert "ruspress-limit" not in info
