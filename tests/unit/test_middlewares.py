from datetime import datetime, timezone

from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.middlewares.mirrors import MirrorMiddleware
from crawler.middlewares.retry_after import retry_after_seconds

URL = "https://www.themoscowtimes.com/2023/08/22/x-a82219?page=2"


def test_mirror_rewrites_download_and_restores_canonical_url():
    mw = MirrorMiddleware({"www.themoscowtimes.com": "http://127.0.0.1:8765/"})
    mirrored = mw.process_request(Request(URL, meta={"article": True}))
    assert mirrored is not None and mirrored.url == "http://127.0.0.1:8765/2023/08/22/x-a82219?page=2"
    assert mirrored.meta["article"] and mirrored.meta["allow_offsite"]
    assert mw.process_request(mirrored) is None  # not rewritten twice
    response = mw.process_response(mirrored, HtmlResponse(mirrored.url, body=b"<html></html>"))
    assert response.url == URL


def test_mirror_maps_a_redirect_on_the_mirror_back_to_the_canonical_host():
    mw = MirrorMiddleware({"www.themoscowtimes.com": "http://127.0.0.1:8765"})
    mirrored = mw.process_request(Request("https://www.themoscowtimes.com/old"))
    moved = HtmlResponse("http://127.0.0.1:8765/new", body=b"")
    assert mw.process_response(mirrored, moved).url == "https://www.themoscowtimes.com/new"


def test_unmirrored_hosts_pass_through():
    mw = MirrorMiddleware({"www.themoscowtimes.com": "http://127.0.0.1:8765"})
    assert mw.process_request(Request("https://meduza.io/news/2026/11/27/a")) is None


def test_retry_after_values():
    now = datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("7", now) == 7
    assert retry_after_seconds("Sat, 28 Nov 2026 12:00:30 GMT", now) == 30
    assert retry_after_seconds("Sat, 28 Nov 2026 11:00:00 GMT", now) == 0
    assert retry_after_seconds("soon", now) is None
