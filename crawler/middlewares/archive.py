"""The archive's two ends in the crawl path: capturing what was fetched, and answering from an archive.

``ArchiveCaptureMiddleware`` (downloader, ``PRIORITY_ARCHIVE_CAPTURE``, between the redirect (600)
and decompression (590) middlewares): remembers each response as the server sent it (status, headers,
body still compressed) in the request meta, before decompression rewrites it and before a browser
re-fetch replaces it. Off when the archive is off.

``ArchiveSpiderMiddleware`` (spider, ``SPIDER_ARCHIVE``): every response handed to a spider callback
is written to the run's WACZ (:class:`crawler.exports.archive.ArchiveOutput`) before it is parsed;
the meta key ``archive`` then names the capture, and the spider copies it into the article.

``ArchiveReplayMiddleware`` (downloader, ``PRIORITY_ARCHIVE_REPLAY``, before the mirrors): answers
every request from the archives in ``ARCHIVE_REPLAY`` (local WACZ paths; set by ``scrapy reextract``
and ``scrapy fixture``) and never from the network: a URL the archive does not hold is ignored
(``archive/replay/missing``). The answer goes through the downloader middlewares like a download
(decompression included), so the whole crawl path runs unchanged; a page rendered at capture time
answers with its rendered HTML. Stats: ``archive/replay/answered``, ``archive/replay/missing``.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from crawler.exports.archive import META, RAW, ArchiveOutput
from crawler.exports.replay import ReplayIndex

logger = logging.getLogger(__name__)


class ArchiveCaptureMiddleware:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveCaptureMiddleware:
        if not crawler.settings.getbool("ARCHIVE_ENABLED"):
            raise NotConfigured  # no archive in this run: no log line
        return cls()

    def process_response(self, request: Request, response: Response) -> Response:
        if "playwright" in response.flags:
            return response  # the browser's page: the plain response (if any) stays remembered
        headers = response.headers
        if headers.get("Content-Encoding"):
            headers = headers.copy()  # decompression edits the headers in place
        request.meta[RAW] = (response.status, headers, response.body, response.protocol)
        return response


class ArchiveSpiderMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.output: ArchiveOutput | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveSpiderMiddleware:
        if not crawler.settings.getbool("ARCHIVE_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    def process_spider_input(self, response: Response) -> None:
        if self.output is None:
            self.output = ArchiveOutput.of(self.crawler)
            if self.output is None:
                return
        capture = self.output.record(response)
        response.meta.pop(RAW, None)
        if capture is not None:
            response.meta[META] = capture


class ArchiveReplayMiddleware:
    """Also, when the spider is idle: article pages of the archive that the replayed discovery did not
    reach (an archive kept with ``ARCHIVE_ARTICLES_ONLY`` has no sitemaps or feeds) are requested as
    articles, once (``archive/replay/unreached_articles``), if the outlet still takes them for articles."""

    def __init__(self, crawler: Crawler, index: ReplayIndex) -> None:
        self.crawler = crawler
        self.index = index
        self.stats = crawler.stats
        self.answered: set[str] = set()
        self.unreached_done = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveReplayMiddleware:
        paths = crawler.settings.getlist("ARCHIVE_REPLAY")
        if not paths:
            raise NotConfigured
        mw = cls(crawler, ReplayIndex(paths))
        crawler.signals.connect(mw.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        logger.info("Answering every request from %d archive(s): %d URLs", len(paths), len(mw.index.by_url))
        return mw

    def spider_idle(self, spider: Any) -> None:
        if self.unreached_done or not hasattr(spider, "article_request"):
            return
        self.unreached_done = True
        outlet = getattr(spider, "outlet", None)
        left = [url for url in self.index.article_urls()
                if url not in self.answered and (outlet is None or outlet.match_article(url))]
        if not left:
            return
        self.stats.set_value("archive/replay/unreached_articles", len(left))
        logger.info("%d archived article page(s) not reached by the replayed discovery: requested as articles",
                    len(left))
        for url in left:
            self.crawler.engine.crawl(spider.article_request(url, dont_filter=True))
        raise DontCloseSpider

    def spider_closed(self) -> None:
        self.index.close()

    def process_request(self, request: Request) -> Response:
        found = self.index.lookup(request.url)
        if found is None:
            self.stats.inc_value("archive/replay/missing")
            logger.debug("Not in the archive: %s", request.url)
            raise IgnoreRequest(f"not in the archive: {request.url}")
        stored = self.index.read(found)
        self.answered.add(request.url.split("#", 1)[0])
        self.stats.inc_value("archive/replay/answered")
        headers = Headers([(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored.headers])
        cls = responsetypes.from_args(headers=headers, url=stored.url, body=stored.body)
        flags = ["archive"] + (["playwright"] if stored.rendered else [])
        request.meta[META] = {"wacz": found.reader.name, "record": stored.record_id,
                              "date": stored.when.isoformat()}
        return cls(url=stored.url, status=stored.status, headers=headers, body=stored.body, request=request,
                   flags=flags, protocol=stored.protocol)
