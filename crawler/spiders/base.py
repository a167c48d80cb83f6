"""One spider for every outlet: discovery from robots.txt, sitemaps and feeds; the page parser named
by the outlet record does the extraction.

Spider arguments (validated once, in ``__init__``):
  since, until  dates YYYY-MM-DD bounding the articles' dates (default: until today, since the outlet's
                last successful run when the crawl state knows one, else the last 7 days)
  mode          incremental (default: only new or changed articles) | refresh (re-check every article
                of the window, conditionally); the crawl state acts on it (crawler/state/policy.py)
  limit         at most this many article requests
  url           crawl this one article only (used by ``scrapy article``)
  html          with ``url``: parse this saved file instead of downloading (no network)
  render        always | fallback | never: overrides the outlet record's ``render`` for this run
                (see crawler/middlewares/render.py)
  sources       where articles are listed, and which web archives may stand in for a page the site does
                not serve: a comma list of site, wayback, commoncrawl (default: site; in a back-fill,
                also both archives when the outlet's own discovery cannot reach ``since``); see
                docs/backfill.md
  backfill      1: a back-fill run (``scrapy backfill``): paged discoveries resume where a stopped
                back-fill of the same outlet and ``since`` was, and progress is shown
Subclasses set ``name`` and ``outlet_key``; nothing else.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date, datetime, timedelta, timezone
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, ClassVar

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.misc import load_object
from twisted.python.failure import Failure

from crawler import dates, outlets
from crawler.discovery.web_archives import ARCHIVES, ENTRY, parse_sources
from crawler.discovery.feeds import parse_feed
from crawler.discovery.paging import NEXT_PAGE_PRIORITY, Paging
from crawler.discovery.sitemaps import SITEMAP_MAX_SIZE, SitemapEntry, SitemapReader
from crawler.discovery.xml import DiscoveryError
from crawler.extensions import sources
from crawler.middlewares import render
from crawler.scope import Scope
from crawler.state.policy import MODES as STATE_MODES
from crawler.urls import canonical_url

DEFAULT_WINDOW_DAYS = 7
# request meta the parser and the crawl state read: kept when an article is fetched in two steps
ARTICLE_META = ("article", "canonical_url", "feed_entry", "sitemap_entry", "api_entry", "entry_date", "article_day",
                "state_check", "archive", ENTRY, "webarchive_capture")
RENDER_MODES = render.MODES
FEED_ONLY_STATUSES = (403, 429, 451)  # and 5xx: the page is blocked or failing, not gone
NO_PAGE_STATUSES = (404, 410)  # robots.txt, a dated listing page that is not there: answered, not a failed source
UNWANTED_RUN = 1000  # sitemap entries skipped in a row before parse_sitemap yields None (a turn for the reactor)
ARCHIVE_DISCOVERY = {"wayback": "crawler.discovery.wayback.WaybackDiscovery",
                     "commoncrawl": "crawler.discovery.commoncrawl.CommonCrawlDiscovery"}


class OutletSpider(scrapy.Spider):
    outlet_key: ClassVar[str] = ""
    clock: Callable[[], datetime] = staticmethod(lambda: datetime.now(timezone.utc))

    def __init__(self, *args: Any, since: str | None = None, until: str | None = None,
                 limit: str | int | None = None, url: str | None = None, html: str | None = None,
                 render: str | None = None, mode: str | None = None, sources: str | None = None,
                 backfill: str | bool | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outlet = outlets.get(self.outlet_key or self.name)
        today = self.clock().date()
        self.since_given = since is not None
        self.since: date = dates.parse_date_arg(since, "since") if since else today - timedelta(days=DEFAULT_WINDOW_DAYS)
        self.until: date = dates.parse_date_arg(until, "until") if until else today
        if self.since > self.until:
            raise ValueError(f"-a since={self.since} is after -a until={self.until}")
        try:
            self.limit: int | None = int(limit) if limit not in (None, "") else None
        except ValueError:
            raise ValueError(f"-a limit={limit!r}: expected a positive whole number") from None
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"-a limit={limit!r}: expected a positive whole number")
        self.single_url = url
        self.html_file = str(Path(html).resolve()) if html else None
        if self.html_file and not url:
            raise ValueError("-a html=FILE needs -a url=URL (the page's canonical address)")
        if render not in (None, "") and render not in RENDER_MODES:
            raise ValueError(f"-a render={render!r}: expected one of {', '.join(RENDER_MODES)}")
        self.render_mode: str = render or self.outlet.render
        if mode not in (None, "") and mode not in STATE_MODES:
            raise ValueError(f"-a mode={mode!r}: expected incremental (the default: only new or changed "
                             "articles) or refresh (re-check every article of the window)")
        self.mode: str = mode or STATE_MODES[0]
        if str(backfill if backfill is not None else "0").strip().lower() not in ("0", "1", "true", "false", ""):
            raise ValueError(f"-a backfill={backfill!r}: expected 1 (a back-fill run) or 0")
        self.backfill = str(backfill).strip().lower() in ("1", "true")
        given = parse_sources(sources)
        if given is None:  # the site; in a back-fill, the archives too where the site cannot reach back
            given = ("site",) if not self.backfill or self.outlet.reaches(self.since, today) else ("site", *ARCHIVES)
        self.sources: tuple[str, ...] = given
        self.archive_sources = tuple(s for s in self.sources if s in ARCHIVES)
        self.cursors: Any = None  # a back-fill's discovery cursors (crawler/extensions/backfill.py)
        self.parked: list[Request] = []  # paged listings' next pages, requested when the spider is idle
        self.parser_cls = load_object(self.outlet.parser)
        self.requested = 0
        self.feed_entries: dict[str, dict[str, Any]] = {}  # canonical URL -> feed item with full text
        self.native_ids: set[str] = set()  # the outlet's ids already requested in this run
        self.discovered: set[str] = set()  # canonical article URLs already requested in this run
        self.listings: dict[str, list[dict[str, Any]]] = {}  # URL and native id -> later listings' meta
        self.scope = Scope.of(self.outlet)  # an exported item's URL must be on the outlet's own hosts
        self.sitemaps_requested: set[str] = set()  # each sitemap is read once per run

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> OutletSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.release_pages, signal=signals.spider_idle)
        return spider

    def canonical(self, url: str) -> str:
        """The article URL in its one canonical form, with the outlet's own host (``www.`` or not) and
        trailing-slash form (crawler/urls.py)."""
        return canonical_url(url, self.outlet.home, self.outlet.match_article)

    def request_dropped(self, request: Request) -> None:
        """An article request made here was dropped downstream: the crawl state found nothing new to
        fetch (crawler/middlewares/incremental.py). It does not count toward ``limit`` or
        ``discovery/article_requests``, and a later listing of the article (another sitemap or feed,
        perhaps with a newer date) is requested again for the state to judge."""
        url = self.canonical(request.meta.get("canonical_url") or request.url)
        native = self.outlet.native_id(url)
        self.requested = max(0, self.requested - 1)
        self.crawler.stats.inc_value("discovery/article_requests", -1)
        self.discovered.discard(url)
        self.listings.pop(url, None)
        self.settled(url)  # the state knows it
        if native:
            self.native_ids.discard(native)
            self.listings.pop(native, None)

    # ------------------------------------------------------------------ paged discovery: where to resume
    def discovery_resume(self, source: str) -> str | None:
        """Where the paged discovery ``source`` should start: the cursor it last reported through
        ``discovery_checkpoint`` (a page number, a GraphQL ``endCursor``, a child sitemap's URL, a day),
        or None to start from the newest page. ``source`` names one paged listing of this outlet, e.g.
        ``search:news`` (Meduza's search API, chrono news), ``graphql:published_posts`` (The Bell),
        ``sitemap:<index URL>``, ``dated:<listing URL template>``.

        Outside a back-fill: always None (every run starts from the newest page). In a back-fill
        (``-a backfill=1``) the cursors come from the crawl state (crawler/extensions/backfill.py), so
        that a stopped back-fill continues where it was."""
        return self.cursors.resume(source) if self.cursors is not None else None

    def discovery_checkpoint(self, source: str, cursor: str) -> None:
        """The paged discovery ``source`` has handled the page ``cursor``: the page was read and its article
        requests were handed to the scheduler (they may still be queued or downloading). Called once per
        page, newest first, and also for the last page read (the listing then stops:
        ``discovery/paging/stop/<reason>``). Outside a back-fill: nothing. In a back-fill the cursor is
        written to the crawl state only once every article listed up to this page is recorded there
        (delivered, already known, dropped, gone): a run stopped at any point, even killed, loses no
        article (crawler/state/cursors.py)."""
        if self.cursors is not None:
            self.cursors.checkpoint(source, cursor)

    def next_page(self, request: Request) -> None:
        """A paged listing's next page, requested once everything asked so far is done (the spider is
        idle): a listing is read one page at a time, its articles fetched (and a back-fill's cursor
        written) before the next page, and no more than a page of article requests is ever held. The
        scheduler alone would not keep that order: it serves the least busy download slot first, so an
        archive's index pages would race ahead of the site's article pages."""
        self.parked.append(request)

    def release_pages(self) -> None:
        """``spider_idle``: request the parked next pages, and keep the spider open for them."""
        if not self.parked:
            return
        pages, self.parked = self.parked, []
        for request in pages:
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def limit_reached(self) -> bool:
        """``-a limit`` article requests were made: paged discoveries read no further page."""
        return self.limit is not None and self.requested >= self.limit

    def settled(self, url: str) -> None:
        """A listed article needs nothing more in this run (recorded in the crawl state, or gone)."""
        if self.cursors is not None:
            self.cursors.settle(self.canonical(url))

    def limit_reached(self) -> bool:
        """``-a limit`` article requests are made (requests the crawl state dropped do not count)."""
        return self.limit is not None and self.requested >= self.limit

    def default_window_from(self, day: date) -> None:
        """Without ``-a since``, start the window at ``day`` (the crawl state passes the outlet's last
        successful run, or earlier to re-check young articles); an explicit ``since`` wins."""
        if self.since_given:
            return
        self.since = min(day, self.until)

    # ------------------------------------------------------------------ start
    async def start(self) -> AsyncIterator[Any]:
        if self.single_url:
            # a saved page needs neither the network nor robots.txt
            meta = {"local_html": self.html_file, "dont_obey_robotstxt": True} if self.html_file else {}
            yield self.article_request(self.single_url, meta=meta, dont_filter=True)
            return
        self.logger.info("%s: articles dated %s .. %s%s", self.outlet.name, self.since, self.until,
                         f", at most {self.limit}" if self.limit else "")
        if self.archive_sources:
            self.logger.info("%s: sources %s", self.outlet.name, ", ".join(self.sources))
        for archive in self.archive_sources:  # web archives list the window too (docs/backfill.md)
            async for request in load_object(ARCHIVE_DISCOVERY[archive])(self).start():
                yield request
        if "site" not in self.sources:
            return
        if self.outlet.discovery:  # the outlet's own API, where that is the clean path
            async for request in load_object(self.outlet.discovery)(self).start():
                yield request
        for feed in self.outlet.feeds:
            yield Request(feed, callback=self.parse_feed, errback=self.on_error, priority=10,
                          meta={"discovery": "feed"})
        if self.outlet.robots_url:
            yield Request(self.outlet.robots_url, callback=self.parse_robots, errback=self.on_robots_error,
                          meta={"discovery": "robots", "dont_obey_robotstxt": True})
        else:
            for request in self.sitemap_requests(self.outlet.sitemaps):
                yield request

    # ------------------------------------------------------------------ discovery
    def parse_robots(self, response: Response) -> Iterator[Request]:
        text = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
        listed = [response.urljoin(line.split(":", 1)[1].strip()) for line in text.splitlines()
                  if line.lower().startswith("sitemap:") and line.split(":", 1)[1].strip()]
        self.note_source(response.request)
        if not listed:
            self.crawler.stats.inc_value("discovery/robots/no_sitemap")
        yield from self.sitemap_requests(listed or self.outlet.sitemaps)

    def on_robots_error(self, failure: Failure) -> Iterator[Request]:
        self.on_error(failure)
        yield from self.sitemap_requests(self.outlet.sitemaps)

    def sitemap_requests(self, urls: tuple[str, ...] | list[str]) -> Iterator[Request]:
        for url in urls:
            request = self.sitemap_request(url)
            if request is not None:
                yield request

    @cached_property
    def sitemap_bounds(self) -> tuple[int, int, int]:
        """(DISCOVERY_SITEMAP_MAX_SIZE, DISCOVERY_SITEMAP_MAX_DEPTH, DISCOVERY_SITEMAP_MAX_FILES), read once."""
        settings = self.settings
        return (settings.getint("DISCOVERY_SITEMAP_MAX_SIZE", SITEMAP_MAX_SIZE),
                settings.getint("DISCOVERY_SITEMAP_MAX_DEPTH", 3), settings.getint("DISCOVERY_SITEMAP_MAX_FILES", 1000))

    def sitemap_request(self, url: str, source: str | None = None, queue: list[str] | None = None,
                        priority: int = 5, depth: int = 0, depths: list[int] | None = None) -> Request | None:
        """A sitemap to read, or None when this run read it already (``discovery/sitemap/skipped_seen``) or
        has read ``DISCOVERY_SITEMAP_MAX_FILES`` sitemaps (``discovery/sitemap/skipped_max_files``). A
        top-level one is its own paged listing (``source`` ``sitemap:<url>``); the children of an index are
        read one at a time, each carrying the rest of the ``queue`` (and their index ``depths``: robots.txt's
        and the record's sitemaps are 0, their children 1...). Sitemaps are read up to the protocol's 50 MB
        (``DISCOVERY_SITEMAP_MAX_SIZE``, inflated) whatever ``DOWNLOAD_MAXSIZE`` allows article pages."""
        stats = self.crawler.stats
        max_size, _, max_files = self.sitemap_bounds
        if url in self.sitemaps_requested:
            stats.inc_value("discovery/sitemap/skipped_seen")
            return None
        if len(self.sitemaps_requested) >= max_files:
            stats.inc_value("discovery/sitemap/skipped_max_files")
            if stats.get_value("discovery/sitemap/skipped_max_files") == 1:
                self.logger.warning("DISCOVERY_SITEMAP_MAX_FILES=%d sitemaps read: no more are read in this run "
                                    "(first skipped: %s)", max_files, url)
            return None
        self.sitemaps_requested.add(url)
        stats.inc_value("discovery/sitemap/requested")
        queue = list(queue or ())
        return Request(url, callback=self.parse_sitemap, errback=self.on_sitemap_error, priority=priority,
                       meta={"discovery": "sitemap", "sitemap_loc": url, "sitemap_source": source,
                             "sitemap_queue": queue, "sitemap_depth": depth,
                             "sitemap_queue_depths": list(depths or [depth] * len(queue)),
                             "download_maxsize": max_size, "download_warnsize": max_size})

    def parse_sitemap(self, response: Response) -> Iterable[Request | None]:
        """A sitemap index: its first child to read (the others travel in its meta). A urlset: the article
        request of each entry, read from the body only as they are asked for (``sitemap_entries``;
        crawler/middlewares/frontier.py hands them out as the crawl can take them), then the next child of
        the index it belongs to. What the response itself says (readable or not, its kind, the source
        answered) is settled when it arrives."""
        stats = self.crawler.stats
        meta = response.meta
        try:
            sitemap = SitemapReader(response.body, max_size=self.sitemap_bounds[0])
        except DiscoveryError as exc:
            stats.inc_value("discovery/sitemap/unreadable")
            self.logger.error("Unreadable sitemap %s: %s", response.url, exc)
            self.note_source(response.request, f"unreadable: {exc}")
            return list(self.next_child_sitemap(meta, handled=False))
        stats.inc_value(f"discovery/sitemap/{sitemap.kind}")
        self.note_source(response.request)
        if sitemap.kind != "sitemapindex":
            return self.sitemap_entries(sitemap, response)
        entries = list(sitemap)
        self.sitemap_read(sitemap, response.url)
        source = meta.get("sitemap_source")
        children = self.child_sitemaps(entries, response)
        if source is None:  # a top-level index: a paged listing of its own, perhaps resumed
            source = f"sitemap:{meta.get('sitemap_loc') or response.url}"
            cursor = Paging(self, source).resume()
            if cursor in children:
                children = children[children.index(cursor) + 1:]
        depth = int(meta.get("sitemap_depth", 0)) + 1
        if children and depth > self.sitemap_bounds[1]:
            stats.inc_value("discovery/sitemap/skipped_depth", len(children))
            self.logger.warning("Sitemap index %s nests deeper than DISCOVERY_SITEMAP_MAX_DEPTH=%d: its %d "
                                "sitemap(s) are not read", response.url, self.sitemap_bounds[1], len(children))
            children = []
        queue = children + list(meta.get("sitemap_queue") or ())  # a nested index: its children first
        depths = [depth] * len(children) + list(meta.get("sitemap_queue_depths") or ())
        return list(self.first_sitemap(queue, depths, source, priority=5))

    def sitemap_entries(self, sitemap: SitemapReader, response: Response) -> Iterator[Request | None]:
        """The article request of each entry of a urlset, read lazily (None after each ``UNWANTED_RUN``
        entries in a row that are not wanted: a turn for the reactor), then the next child of its index."""
        unwanted = 0
        for entry in sitemap:
            when = entry.news_publication_date or entry.lastmod
            request = self.entry_request(entry.loc, when, meta={"sitemap_entry": entry.__dict__})
            if request:
                unwanted = 0
                yield request
            else:
                unwanted += 1
                if unwanted % UNWANTED_RUN == 0:
                    yield None
        self.sitemap_read(sitemap, response.url)
        yield from self.next_child_sitemap(response.meta, handled=True)

    def sitemap_read(self, sitemap: SitemapReader, url: str) -> None:
        """Count and log what could not be read of a sitemap (its other entries were kept)."""
        stats = self.crawler.stats
        if sitemap.failure:
            stats.inc_value("discovery/sitemap/cut")
            self.logger.error("Sitemap %s read only in part (%s): kept its first %d entries", url, sitemap.failure,
                              sitemap.count)
        elif sitemap.malformed:
            stats.inc_value("discovery/sitemap/malformed")
            self.logger.warning("Malformed sitemap %s (%s): kept the %d entries that could be read",
                                url, sitemap.errors, sitemap.count)

    def first_sitemap(self, queue: list[str], depths: list[int], source: str, priority: int) -> Iterator[Request]:
        """The request for the first sitemap of ``queue`` that may be read (see ``sitemap_request``)."""
        depths = depths + [depths[-1] if depths else 1] * (len(queue) - len(depths))
        for n, url in enumerate(queue):
            request = self.sitemap_request(url, source, queue[n + 1:], priority=priority, depth=depths[n],
                                           depths=depths[n + 1:])
            if request is not None:
                yield request
                return

    def next_child_sitemap(self, meta: dict[str, Any], handled: bool) -> Iterator[Request]:
        """After a child of an index (read, or failed): report it, then read the next child, if any and if
        ``-a limit`` is not reached. The next child waits behind this one's articles (its priority is
        below theirs), so only one child's article requests are held at a time."""
        source = meta.get("sitemap_source")
        if source is None:
            return
        queue = list(meta.get("sitemap_queue") or ())
        paging = Paging(self, source)
        go_on = paging.handled(meta["sitemap_loc"], more=bool(queue)) if handled else \
            (bool(queue) and not paging.limit_reached())
        if go_on:
            yield from self.first_sitemap(queue, list(meta.get("sitemap_queue_depths") or ()), source,
                                          priority=NEXT_PAGE_PRIORITY)

    def on_sitemap_error(self, failure: Failure) -> Iterator[Request]:
        self.on_error(failure)
        yield from self.next_child_sitemap(failure.request.meta, handled=False)  # type: ignore[attr-defined]

    def child_sitemaps(self, entries: list[SitemapEntry], response: Response | None = None) -> list[str]:
        """The children that can hold articles of the window, newest first: children that say nothing of
        their date (a Pangea ``_latest``, WordPress' numbered files) first, then by the month their name
        gives or their ``lastmod``, then by the numbers in their name, highest first. A child whose
        month is outside the window, or whose ``lastmod`` is before it (nothing in it changed since), is
        skipped: that is where a newest-first reading of the index stops."""
        chosen = []
        for entry in entries:
            if not self.outlet.follows_sitemap(entry.loc):
                self.crawler.stats.inc_value("discovery/sitemap/skipped_not_followed")
                continue
            month = self.outlet.sitemap_month_of(entry.loc)
            when: float | None = None
            if month:
                first = date(month[0], month[1], 1)
                last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
                if last < self.since or first > self.until:
                    self.crawler.stats.inc_value("discovery/sitemap/skipped_out_of_window")
                    continue
                when = datetime(month[0], month[1], 1, tzinfo=timezone.utc).timestamp()
            elif entry.lastmod:
                modified = dates.parse_datetime(entry.lastmod, self.outlet.timezone)
                if modified and modified.date() < self.since:
                    self.crawler.stats.inc_value("discovery/sitemap/skipped_out_of_window")
                    continue
                when = modified.timestamp() if modified else None
            numbers = tuple(int(n) for n in re.findall(r"\d+", entry.loc.rsplit("/", 1)[-1]))
            chosen.append(((when is None, when or 0.0, numbers), response.urljoin(entry.loc) if response else entry.loc))
        return [loc for _, loc in sorted(chosen, reverse=True)]

    def parse_feed(self, response: Response) -> Iterator[Request]:
        try:
            entries = parse_feed(response.body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
        except DiscoveryError as exc:
            self.crawler.stats.inc_value("discovery/feed/unreadable")
            self.logger.error("Unreadable feed %s: %s", response.url, exc)
            self.note_source(response.request, f"unreadable: {exc}")
            return
        self.note_source(response.request)
        self.crawler.stats.inc_value("discovery/feed/entries", len(entries))
        for entry in entries:
            if entry.content:  # full text: kept for the article, whichever discovery reaches it first
                self.feed_entries[self.canonical(entry.link)] = entry.__dict__
            request = self.entry_request(entry.link, entry.updated or entry.published,
                                         meta={"feed_entry": entry.__dict__})
            if request:
                yield request

    def entry_request(self, url: str, when: str | None, meta: dict[str, Any],
                      fetch_url: str | None = None) -> Request | None:
        """An article request for a discovered URL, or None (counted) when it is not wanted.

        ``fetch_url`` downloads the article from elsewhere (e.g. the outlet's JSON API) while the
        item keeps ``url``: the parser reads it from ``meta["canonical_url"]``. Without it, the outlet
        record's ``extra["fetch_url"]`` template (see ``Outlet.derived_url``) gives it, so that every
        discovery path (API list, feed, sitemap) fetches an article the same way; if that download
        fails, the article's own page is fetched instead. A second URL for a native id already
        requested (a changed slug: only The Moscow Times' ``a{ID}`` matters) is skipped."""
        stats = self.crawler.stats
        url = self.canonical(url)
        if not self.outlet.match_article(url):
            stats.inc_value("discovery/skipped/not_article")
            return None
        dated = dates.parse_datetime(when, self.outlet.timezone) if when else None
        day = dated.date() if dated else self.outlet.url_date(url)
        if day and not (self.since <= day <= self.until):
            stats.inc_value("discovery/skipped/out_of_window")
            return None
        if url in self.discovered:  # listed by the feed and the sitemap: one request, counted once
            self.listings.get(url, []).append(meta)  # the crawl state reads every listing's date
            stats.inc_value("discovery/skipped/duplicate")
            return None
        native = self.outlet.native_id(url)
        if native and native in self.native_ids:
            self.listings.get(native, []).append(meta)
            stats.inc_value("discovery/skipped/same_native_id")
            return None
        if self.limit is not None and self.requested >= self.limit:
            stats.inc_value("discovery/skipped/limit")
            if self.cursors is not None:
                self.cursors.block()  # listed but not requested: no cursor may pass this point
            return None
        self.discovered.add(url)
        if self.cursors is not None:
            self.cursors.listed(url)
        meta["listings"] = self.listings[url] = []  # later listings of this article (read by the state)
        if native:
            self.native_ids.add(native)
            self.listings[native] = meta["listings"]
        fetch_url = fetch_url or self.outlet.derived_url("fetch_url", url)
        meta["entry_date"] = dates.iso(dated) if dated else None  # the sitemap/feed entry's own date
        meta["article_day"] = day.isoformat() if day else None  # from the entry, else from the URL
        if fetch_url:
            meta["canonical_url"] = url
            return self.article_request(fetch_url, meta=meta, errback=self.on_fetch_error)
        return self.article_request(url, meta=meta)

    def article_request(self, url: str, meta: dict[str, Any] | None = None, **kwargs: Any) -> Request:
        self.requested += 1
        self.crawler.stats.inc_value("discovery/article_requests")
        if self.render_mode != "never":
            meta = {render.META_MODE: self.render_mode, **(meta or {})}
        kwargs.setdefault("errback", self.on_article_error)
        return Request(url, callback=self.parse_article, meta={"article": True, **(meta or {})}, **kwargs)

    def on_article_error(self, failure: Failure) -> Iterator[Any]:
        """An article page that could not be had (blocked: 403/429/451/5xx after retries, or a download
        error) is built from its feed item when the feed carries the full text (Verstka's pages answer
        bots with a challenge; its feed has every article): ``spider/feed_only/<status or error>``.
        A 404/410 means the article is gone, and a gone article is not brought back from the feed."""
        self.on_error(failure)
        request = failure.request  # type: ignore[attr-defined]
        url = self.canonical(request.meta.get("canonical_url") or request.meta.get("mirror", {}).get("canonical")
                            or request.url)
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            self.settled(url)  # not modified (the state knows it) or refused by robots.txt
            return
        if failure.check(HttpError) and failure.value.response.status in (404, 410):
            self.settled(url)  # gone, and no archive had it: the state keeps it as gone
        entry = request.meta.get("feed_entry") or self.feed_entries.get(url)
        if not entry or not entry.get("content"):
            return
        if failure.check(HttpError):
            status = failure.value.response.status
            if status not in FEED_ONLY_STATUSES and status < 500:
                return
            reason = str(status)
        else:
            reason = type(failure.value).__name__
        self.crawler.stats.inc_value(f"spider/feed_only/{reason}")
        self.logger.info("Article %s built from its feed item (page: %s)", url, reason)
        meta = {k: v for k, v in request.meta.items() if k in ARTICLE_META}
        stand_in = HtmlResponse(url, body=b"<html><body></body></html>", encoding="utf-8",
                                request=Request(url, meta={**meta, "feed_entry": entry, "feed_only": True}))
        yield from self.parse_article(stand_in)

    def on_fetch_error(self, failure: Failure) -> Iterator[Request]:
        """The article's ``fetch_url`` (its API record) failed: fetch its own page instead. The page is the
        same article, already let through by discovery and the crawl state: it is not an article request
        to be judged again (no ``meta["article"]``)."""
        self.on_error(failure)
        if failure.check(IgnoreRequest) and not failure.check(HttpError):  # HttpError is an IgnoreRequest
            return
        meta = dict(failure.request.meta)  # type: ignore[attr-defined]
        page = meta.pop("canonical_url", None)
        if not page:
            return
        self.crawler.stats.inc_value("spider/fetch_url/fallback_to_page")
        self.logger.info("Fetching the page instead: %s", page)
        meta = {k: v for k, v in meta.items() if k in ARTICLE_META and k != "article"}
        yield Request(page, callback=self.parse_article, errback=self.on_error, meta={**meta, "fetch_fallback": True})

    # ------------------------------------------------------------------ articles
    def parse_article(self, response: Response) -> Iterator[Any]:
        stats = self.crawler.stats
        meta = response.request.meta if response.request is not None else {}
        listed = meta.get("canonical_url") or meta.get("mirror", {}).get("canonical") or response.url
        if not isinstance(response, TextResponse):
            self.settled(listed)
            stats.inc_value("spider/skipped/not_html")
            self.logger.warning("Not an HTML page, skipped: %s (Content-Type %s)", response.url,
                                response.headers.get("Content-Type", b"?").decode("latin-1"))
            return
        if not response.body.strip():
            self.settled(listed)
            stats.inc_value("spider/skipped/empty_page")
            self.logger.warning("Empty page, skipped: %s", response.url)
            return
        if "feed_entry" not in meta:
            known = self.feed_entries.get(self.canonical(meta.get("canonical_url") or response.url))
            if known:  # reached through a sitemap first: the feed's full text is still a body layer
                meta["feed_entry"] = known
        document = self.api_document_request(response)
        if document is not None:  # the page first, then the outlet's API record of the article
            yield document
            return
        capture = meta.get("archive")  # the page's record in the run's archive (crawler/exports/archive.py)
        fetched_at = datetime.fromisoformat(capture["date"]) if capture else self.clock()
        page = self.parser_cls(response, self.outlet, fetched_at=fetched_at)
        article = page.to_article()
        if capture:
            article.archive = {"wacz": capture["wacz"], "record": capture["record"]}
        if not self.scope.allows_item(article.url):  # whatever the downloader or the page said
            stats.inc_value("spider/offsite/item")
            self.logger.warning("Not exported: %s is not on %s's hosts (page %s)", article.url, self.outlet.name,
                                response.url)
            return
        if article.extraction.get("body") == "none" and not meta.get("feed_only"):
            again = render.render_again(response, "no_body")  # fallback mode: try the browser once
            if again is not None:
                self.crawler.engine.crawl(again)  # a re-fetch of this page, not a new discovery
                return
        for css, count in page.removed.items():
            stats.inc_value("clean/blocks_removed", count)
            stats.inc_value(f"clean/markup/{css}", count)
        for event, count in page.events.items():
            stats.inc_value(f"extract/{event}", count)
        for field_name, layer in article.extraction.items():
            stats.inc_value(f"extract/{field_name}/{layer}")
        capture = meta.get("webarchive_capture")
        if capture:  # taken from a web archive (crawler/middlewares/web_archives.py)
            article.source = capture["source"]
            article.archived_at = capture["archived_at"]
            article.archive_url = capture["archive_url"]
            article.deleted_from_site = bool(capture.get("deleted_from_site"))
        if self.cursors is not None:
            self.cursors.link(article.url, self.canonical(listed))
        yield article

    # ------------------------------------------------------------------ the article's API record
    def api_document_request(self, response: TextResponse) -> Request | None:
        """The outlet's API record of this article (``extra["api_document"]``, a template over the article
        URL's groups), fetched after its page; None when the outlet has none, the page already went
        through this (``meta["api_document"]`` set, None if it failed) or came from a saved file."""
        meta = response.meta
        if "api_document" in meta or meta.get("local_html"):
            return None
        url = self.outlet.derived_url("api_document", meta.get("canonical_url") or response.url)
        if not url:
            return None
        self.crawler.stats.inc_value("api_document/requested")
        page = {"url": response.url, "body": response.body, "encoding": response.encoding, "cls": type(response),
                "meta": {k: v for k, v in meta.items() if k in ARTICLE_META}}
        return Request(url, callback=self.parse_api_document, errback=self.on_api_document_error,
                       meta={"api_page": page, "discovery": "api_document"}, dont_filter=True)

    def parse_api_document(self, response: Response) -> Iterator[Any]:
        try:
            document = json.loads(response.text) if isinstance(response, TextResponse) else None
        except ValueError:
            document = None
        if document is None:
            self.crawler.stats.inc_value("api_document/unreadable")
            self.logger.warning("Unreadable API record %s: the page is parsed without it", response.url)
        yield from self.parse_article(self._page_response(response.meta["api_page"], document))

    def on_api_document_error(self, failure: Failure) -> Iterator[Any]:
        self.on_error(failure)
        yield from self.parse_article(self._page_response(failure.request.meta["api_page"], None))  # type: ignore[attr-defined]

    @staticmethod
    def _page_response(page: dict[str, Any], document: Any) -> TextResponse:
        request = Request(page["url"], meta={**page["meta"], "api_document": document})
        return page["cls"](url=page["url"], body=page["body"], encoding=page["encoding"], request=request)

    def on_error(self, failure: Failure) -> None:
        if failure.check(IgnoreRequest) and not failure.check(HttpError):  # HttpError is an IgnoreRequest
            return  # a middleware chose not to go on (e.g. a 304 re-check) and counted it
        request = failure.request  # type: ignore[attr-defined]
        what = request.meta.get("discovery") or ("article" if request.meta.get("article") else "request")
        url = request.meta.get("mirror", {}).get("canonical", request.url)
        if failure.check(HttpError):
            status = failure.value.response.status
            self.crawler.stats.inc_value(f"spider/http_error/{status}")
            self.logger.warning("HTTP %s for %s %s: skipped", status, what, url)
            answered = what in ("robots", "listing") and status in NO_PAGE_STATUSES
            self.note_source(request, None if answered else f"HTTP {status}")
        else:
            name = type(failure.value).__name__
            self.crawler.stats.inc_value(f"spider/download_error/{name}")
            self.logger.warning("Download failed for %s %s: %s: %s", what, url, name, failure.value)
            self.note_source(request, name)

    def note_source(self, request: Request | None, error: str | None = None) -> None:
        """Say whether a discovery source (robots.txt, a sitemap, a feed, an API page) was read
        (``error`` None) or not, for the run's outcome, health report and manifest
        (crawler/extensions/sources.py). Other requests are not sources."""
        kind = request.meta.get("discovery") if request is not None else None
        if kind in sources.KINDS:
            url = request.meta.get("mirror", {}).get("canonical", request.url)  # type: ignore[union-attr]
            self.crawler.signals.send_catch_log(sources.source_checked, kind=kind, url=url, error=error)
