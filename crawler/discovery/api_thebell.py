"""The Bell's GraphQL API (``POST /api/v2/graphql``), paged back through the window with cursors.

The query is the one the RSS-Bridge bridge sends (``RSS-Bridge/rss-bridge@309af5b:bridges/TheBellBridge.php``,
2026): ``published_posts(first:, orderBy:"published_at", orderDirection:"DESC", category:)`` → ``edges[].node``
with the whole article (``content`` HTML, ms-epoch ``published_at``, authors, categories, tags); each node
travels to the parser with the article's page request as ``meta["api_document"]``. ``published_posts``
answers a connection (``edges { node }``), so the paged query adds the usual Relay arguments and fields:
``after: $after`` and ``pageInfo { hasNextPage endCursor }``. **That the server accepts them is an
assumption** (the bridge asks only for the first page): when it refuses them (GraphQL ``errors`` without
``published_posts``, or HTTP 400/422), the bridge's own query is sent instead (the newest
``extra["api_page_size"]`` posts, no paging: ``discovery/api/paging_refused``), and when the API fails
altogether the RSS feeds in ``extra["fallback_feeds"]`` are read (``discovery/api/fallback_feed``).

Paging (crawler/discovery/paging.py): source ``graphql:published_posts``, cursor = the ``endCursor`` of the
page handled; newest first, stopped at the window's start, at ``-a limit``, or when ``hasNextPage`` is false.

Outlet data read: ``extra["api_graphql"]``, ``extra["api_page_size"]``, ``extra["fallback_feeds"]``, ``home``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any
from urllib.parse import urljoin

from scrapy.http import JsonRequest, Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import dates
from crawler.discovery.api import ApiDiscovery
from crawler.discovery.paging import NEXT_PAGE_PRIORITY, Paging

NODE = """node {
      id title subtitle slug published_at content
      authors { ... on Author { name_ru name_en } }
      categories { ... on Category { title } }
      tags { ... on Tag { title } }
    }"""
PAGED_QUERY = """query GetArticles($first: Int!, $after: String, $category: String) {
  published_posts(first: $first, after: $after, orderBy: "published_at", orderDirection: "DESC", category: $category) {
    edges { %s }
    pageInfo { hasNextPage endCursor }
  }
}""" % NODE
QUERY = """query GetLatestArticles($first: Int!, $category: String) {
  published_posts(first: $first, orderBy: "published_at", orderDirection: "DESC", category: $category) {
    edges { %s }
  }
}""" % NODE  # the bridge's query: no paging
REFUSED_STATUSES = (400, 422)  # the server would not run the query as written


class TheBellGraphQL(ApiDiscovery):
    source = "graphql:published_posts"

    async def start(self) -> AsyncIterator[Request]:
        self.paging = Paging(self.spider, self.source)
        self.pages_read = 0
        yield self.page(self.paging.resume())

    def page(self, after: str | None, **kwargs: Any) -> Request:
        variables = {"first": int(self.extra("api_page_size", 20)), "after": after}
        return self.post(PAGED_QUERY, variables, self.parse_page, errback=self.on_page_error,
                         cb_kwargs={"after": after}, **kwargs)

    def post(self, query: str, variables: dict[str, Any], callback: Any, **kwargs: Any) -> Request:
        kwargs.setdefault("priority", self.priority)
        return JsonRequest(self.extra("api_graphql"), data={"query": query, "variables": variables},
                           callback=callback, meta={"discovery": "api"}, **kwargs)

    # ------------------------------------------------------------------ the paged query
    def parse_page(self, response: Response, after: str | None) -> Iterator[Request]:
        data = self.read(response)
        posts = self.posts(data)
        if posts is None or not isinstance(posts.get("edges"), list):
            errors = data.get("errors") if isinstance(data, dict) else None
            if errors and self.first():
                yield from self.refused(f"GraphQL errors: {self.messages(errors)}")
                return
            if data is not None:
                self.stats.inc_value("discovery/api/unreadable")
                self.logger.error("GraphQL answer without published_posts from %s: %.200r", response.url, data)
            if self.first():
                yield from self.fallback()
            else:
                self.paging.stop("error", after)
            return
        self.pages_read += 1
        oldest: date | None = None
        for node in self.nodes(posts["edges"]):
            day = dates.parse_datetime(node.get("published_at"), self.outlet.timezone)
            if day and (oldest is None or day.date() < oldest):
                oldest = day.date()
            request = self.post_entry(node)
            if request:
                yield request
        info = posts.get("pageInfo") if isinstance(posts.get("pageInfo"), dict) else {}
        cursor = info.get("endCursor")
        more = bool(info.get("hasNextPage")) and isinstance(cursor, str) and bool(cursor) and cursor != after
        if self.paging.handled(str(cursor or after or ""), more=more, listed=len(posts["edges"]), oldest=oldest):
            yield self.page(cursor, priority=NEXT_PAGE_PRIORITY)

    def on_page_error(self, failure: Failure) -> Iterator[Request]:
        self.spider.on_error(failure)
        after = failure.request.cb_kwargs.get("after")  # type: ignore[attr-defined]
        if not self.first():
            self.paging.stop("error", after)
            return
        if failure.check(HttpError) and failure.value.response.status in REFUSED_STATUSES:
            yield from self.refused(f"HTTP {failure.value.response.status}")
            return
        yield from self.fallback()

    def first(self) -> bool:
        """Is this the first page of the run (where a refusal means: this server does no paging)? Pages
        are asked for one after another, so only the first answer comes before any page was read."""
        return self.pages_read == 0

    def refused(self, why: str) -> Iterator[Request]:
        self.stats.inc_value("discovery/api/paging_refused")
        self.logger.warning("The Bell's API refused the paged query (%s): asking for the newest %s posts "
                            "without paging", why, self.extra("api_page_size", 20))
        self.paging.stop("refused")
        yield self.post(QUERY, {"first": int(self.extra("api_page_size", 20))}, self.parse_posts,
                        errback=self.on_error)

    # ------------------------------------------------------------------ the bridge's query (no paging)
    def parse_posts(self, response: Response) -> Iterator[Request]:
        data = self.read(response)
        posts = self.posts(data)
        edges = posts.get("edges") if posts is not None else None
        if not isinstance(edges, list):
            if data is not None:
                self.stats.inc_value("discovery/api/unreadable")
                self.logger.error("GraphQL answer without published_posts from %s: %.200r", response.url, data)
                self.spider.note_source(response.request, "unreadable: no published_posts")
            yield from self.fallback()
            return
        for node in self.nodes(edges):
            request = self.post_entry(node)
            if request:
                yield request

    def fallback(self) -> Iterator[Request]:
        for feed in self.extra("fallback_feeds", ()):
            self.stats.inc_value("discovery/api/fallback_feed")
            self.logger.warning("The Bell's API failed: reading %s instead", feed)
            yield Request(feed, callback=self.spider.parse_feed, errback=self.spider.on_error, priority=self.priority,
                          meta={"discovery": "feed"})

    # ------------------------------------------------------------------ shared
    @staticmethod
    def posts(data: Any) -> dict[str, Any] | None:
        posts = ((data.get("data") or {}).get("published_posts")) if isinstance(data, dict) else None
        return posts if isinstance(posts, dict) else None

    @staticmethod
    def nodes(edges: list[Any]) -> Iterator[dict[str, Any]]:
        for edge in edges:
            node = edge.get("node") if isinstance(edge, dict) else None
            if isinstance(node, dict) and node.get("slug"):
                yield node

    @staticmethod
    def messages(errors: Any) -> str:
        if not isinstance(errors, list):
            return repr(errors)[:200]
        return "; ".join(str(e.get("message") if isinstance(e, dict) else e) for e in errors[:3])[:300]

    def post_entry(self, node: dict[str, Any]) -> Request | None:
        return self.entry(urljoin(self.outlet.home, node["slug"]), node.get("published_at"),
                          meta={"api_document": node})
