"""De-duplicate and version articles against the crawl state; one decision per article.

The decision is made by :class:`crawler.state.matching.Matcher` in the crawl state's worker thread
(the reactor only awaits it): ``new`` and ``revised`` articles go on (a revision with ``version`` + 1
and ``modified_at`` updated), near-duplicates go on with ``duplicate_of`` and the shared ``story_id``
(``DEDUP_NEAR_ACTION = "mark"``, the default) or are dropped (``"drop"``); the rest are dropped with
the reason: ``unchanged`` (same text as the delivered version), ``url`` (the same article under
another URL or native id), ``fingerprint`` (the same text as another article), ``near``.

Reads: ``DEDUP_LOG_LEVEL`` (level of the "Dropped" lines, default INFO: a duplicate is expected, not
a warning); through the crawl state ``DEDUP_ENABLED`` (off: versions and unchanged articles only, no
duplicates across URLs), ``DEDUP_NEAR_*``. Disabled (NotConfigured) when ``STATE_ENABLED`` is off: this
pipeline is what records articles in the state, so keep it whenever the state is on.
Stats: ``dedup/new``, ``dedup/revised``, ``dedup/marked/near``, ``dedup/dropped/<reason>``.
"""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.state.matching import Fetched
from crawler.state.service import CrawlState

logger = logging.getLogger(__name__)


class DedupPipeline:
    def __init__(self, state: CrawlState, log_level: str = "INFO") -> None:
        self.state = state
        self.stats = state.stats
        self.log_level = log_level

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        state = CrawlState.of(crawler)
        state.judging = True
        return cls(state, crawler.settings.get("DEDUP_LOG_LEVEL", "INFO"))

    async def open_spider(self) -> None:
        """Open the crawl state now, so that a state that cannot be used stops the crawl at start."""
        await self.state.open()

    async def process_item(self, item: Any) -> Any:
        if not self.state.ready:
            return item
        adapter = ItemAdapter(item)
        fetched = Fetched(
            outlet=adapter["outlet"], url=adapter["url"], native_id=adapter.get("native_id"),
            lead=adapter.get("lead"), body=adapter.get("body") or "", published_at=adapter.get("published_at"),
            modified_at=adapter.get("modified_at"), fetched_at=adapter.get("fetched_at"),
        )
        judgement = await self.state.call(self.state.judge, fetched)
        if not judgement.emit:
            self.stats.inc_value(f"dedup/dropped/{judgement.outcome}")
            raise DropItem(f"{judgement.reason()} <{fetched.url}>", log_level=self.log_level)
        if judgement.outcome == "near":
            self.stats.inc_value("dedup/marked/near")
            logger.info("dedup: %s is %s", fetched.url, judgement.reason())
        else:
            self.stats.inc_value(f"dedup/{judgement.outcome}")
        adapter["version"] = judgement.version
        adapter["story_id"] = judgement.story_id
        adapter["duplicate_of"] = judgement.duplicate_of
        if judgement.outcome == "revised":
            adapter["modified_at"] = judgement.modified_at
            logger.info("dedup: %s changed since version %d: emitted as version %d", fetched.url,
                        judgement.version - 1, judgement.version)
        return item
