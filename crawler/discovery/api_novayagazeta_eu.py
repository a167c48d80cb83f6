"""Novaya Gazeta Europe's main API: ``GET /api/v1/get/main[?lang=en]`` answers ``{records: [{type, blocks:
[{slug: "YYYY/MM/DD/slug", title, subtitle, authors, date (ms epoch), tags, body: null…}]}]}``; blocks
without ``date`` (banners) are not articles (``RSS-Bridge/rss-bridge@309af5b:bridges/
NovayaGazetaEuropeBridge.php``, 2026). The list is the front page only (no paging is known): the RSS
feeds on the outlet record find the rest. Each article is downloaded from its API record by the
outlet's ``extra["fetch_url"]``.

Outlet data read: ``extra["api_main"]`` (the main-list URLs), ``extra["api_article_base"]``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from scrapy.http import Request, Response

from crawler.discovery.api import ApiDiscovery


class NovayaGazetaMain(ApiDiscovery):
    async def start(self) -> AsyncIterator[Request]:
        for url in self.extra("api_main", ()):
            yield self.request(url, self.parse_main)

    def parse_main(self, response: Response) -> Iterator[Request]:
        data = self.read(response)
        if not isinstance(data, dict):
            return
        for record in data.get("records") or []:
            for block in (record.get("blocks") if isinstance(record, dict) else None) or []:
                if not isinstance(block, dict) or not block.get("date") or not block.get("slug"):
                    continue  # banners and other undated blocks
                request = self.entry(self.extra("api_article_base") + block["slug"].strip("/"), block["date"],
                                     meta={"api_entry": block})
                if request:
                    yield request
