"""The Bell's GraphQL API, asked as the RSS-Bridge bridge asks it (``RSS-Bridge/rss-bridge@309af5b:bridges/
TheBellBridge.php``, 2026): ``POST /api/v2/graphql`` with the query below and ``{"first": N}``. Each node is
a whole article (``content`` HTML, ms-epoch ``published_at``, authors, categories, tags); it travels to
the parser with the article's page request as ``meta["api_document"]``. Without paging, only the newest
``extra["api_page_size"]`` posts are seen. When the API fails or answers something else, the RSS feeds
in ``extra["fallback_feeds"]`` are read instead.

Outlet data read: ``extra["api_graphql"]``, ``extra["api_page_size"]``, ``extra["fallback_feeds"]``, ``home``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from urllib.parse import urljoin

from scrapy.http import JsonRequest, Request, Response

from crawler.discovery.api import ApiDiscovery

QUERY = """query GetLatestArticles($first: Int!, $category: String) {
  published_posts(first: $first, orderBy: "published_at", orderDirection: "DESC", category: $category) {
    edges { node {
      id title subtitle slug published_at content
      authors { ... on Author { name_ru name_en } }
      categories { ... on Category { title } }
      tags { ... on Tag { title } }
    } }
  }
}"""


class TheBellGraphQL(ApiDiscovery):
    async def start(self) -> AsyncIterator[Request]:
        yield JsonRequest(self.extra("api_graphql"), data={"query": QUERY,
                                                          "variables": {"first": int(self.extra("api_page_size", 20))}},
                          callback=self.parse_posts, errback=self.on_error, priority=self.priority,
                          meta={"discovery": "api"})

    def parse_posts(self, response: Response) -> Iterator[Request]:
        data = self.read(response)
        edges = (((data or {}).get("data") or {}).get("published_posts") or {}).get("edges") \
            if isinstance(data, dict) else None
        if not isinstance(edges, list):
            if data is not None:
                self.stats.inc_value("discovery/api/unreadable")
                self.logger.error("GraphQL answer without published_posts from %s: %.200r", response.url, data)
            yield from self.fallback()
            return
        for edge in edges:
            node = edge.get("node") if isinstance(edge, dict) else None
            if not isinstance(node, dict) or not node.get("slug"):
                continue
            request = self.entry(urljoin(self.outlet.home, node["slug"]), node.get("published_at"),
                                 meta={"api_document": node})
            if request:
                yield request

    def fallback(self) -> Iterator[Request]:
        for feed in self.extra("fallback_feeds", ()):
            self.stats.inc_value("discovery/api/fallback_feed")
            self.logger.warning("The Bell's API failed: reading %s instead", feed)
            yield Request(feed, callback=self.spider.parse_feed, errback=self.spider.on_error, priority=self.priority,
                          meta={"discovery": "feed"})
