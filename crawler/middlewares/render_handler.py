"""scrapy-playwright's download handler, one instance for both http and https.

Scrapy builds one download handler per URL scheme. Registering scrapy-playwright's handler for http
and https therefore makes two handlers, and each starts its own Playwright driver (a Node.js process
of ~100 MiB) when the engine starts, and its own browser once it renders. This subclass hands the
same instance to both schemes of a crawl and closes it once. Installed by ``RenderAddon`` only when
a run may render; this module (and Playwright) is not even imported otherwise.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from scrapy.crawler import Crawler
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

_SHARED: WeakKeyDictionary[Crawler, RenderDownloadHandler] = WeakKeyDictionary()


class RenderDownloadHandler(ScrapyPlaywrightDownloadHandler):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderDownloadHandler:  # type: ignore[override]
        if crawler not in _SHARED:
            _SHARED[crawler] = cls(crawler)
        return _SHARED[crawler]

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.closed = False

    async def close(self) -> Any:
        if self.closed:
            return None
        self.closed = True
        return await super().close()
