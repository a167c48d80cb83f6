"""A page that declares a legacy charset but is UTF-8 is read as UTF-8.

Russian sites moving off windows-1251 often keep ``charset=windows-1251`` in a header or a ``<meta>``
while the bytes are already UTF-8; decoded as declared, every Cyrillic letter turns into two
("РџСЂРёРІРµС‚"). Downloader middleware: when a text response's declared encoding is not UTF-8 and its
body has non-ASCII bytes that are all valid UTF-8, the response is decoded as UTF-8 instead,
counted (``charset/mismatch``, ``charset/mismatch/<declared>``) and logged once per page as a warning.
Text really in windows-1251 (or KOI8-R...) is practically never valid UTF-8 (its Cyrillic letters are
bytes 0xC0-0xFF, which UTF-8 allows only as the start of a sequence), so it stays as declared.
Disabled with ``CHARSET_CHECK_ENABLED = False``.
"""

from __future__ import annotations

import codecs
import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response, TextResponse

logger = logging.getLogger(__name__)
UTF8 = codecs.lookup("utf-8").name


def utf8_despite_declared(response: TextResponse) -> str | None:
    """The declared encoding, when the body is in fact UTF-8 (with non-ASCII text); else None."""
    try:
        declared = codecs.lookup(response.encoding).name
    except LookupError:
        return None
    if declared == UTF8 or response.body.isascii():
        return None
    try:
        response.body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return declared


class CharsetMiddleware:
    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CharsetMiddleware:
        if not crawler.settings.getbool("CHARSET_CHECK_ENABLED", True):
            raise NotConfigured("CHARSET_CHECK_ENABLED is off")
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse):
            return response
        declared = utf8_despite_declared(response)
        if declared is None:
            return response
        self.stats.inc_value("charset/mismatch")
        self.stats.inc_value(f"charset/mismatch/{declared}")
        canonical = request.meta.get("mirror", {}).get("canonical", response.url)
        logger.warning("Charset mismatch: %s declares %s but its bytes are UTF-8; read as UTF-8", canonical, declared)
        return response.replace(encoding="utf-8")
