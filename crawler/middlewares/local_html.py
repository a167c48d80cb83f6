"""Answer a request from a saved file instead of the network (``scrapy article --html FILE``).

Reads the request meta key ``local_html`` (a file path); the response carries the request's URL.
"""

from __future__ import annotations

from pathlib import Path

from scrapy import Request
from scrapy.http import HtmlResponse


class LocalHtmlMiddleware:
    def process_request(self, request: Request) -> HtmlResponse | None:
        path = request.meta.get("local_html")
        if not path:
            return None
        return HtmlResponse(url=request.url, body=Path(path).read_bytes(), request=request)
