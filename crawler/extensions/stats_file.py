"""Write the crawl's final stats as JSON to ``STATS_FILE`` (a path; unset: disabled), once the engine
has stopped, so that the feeds', manifest's and crawl state's last counters are in it.

Monitoring and the tests read it; ``%(name)s`` in the path is replaced by the spider name.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler import outcome


class StatsFile:
    def __init__(self, path: str, crawler: Crawler) -> None:
        self.path = path
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        path = crawler.settings.get("STATS_FILE")
        if not path:
            raise NotConfigured  # off by default: no log line
        ext = cls(path, crawler)
        # engine_stopped: after every feed, the manifest and the crawl state have closed and counted
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_stopped(self) -> None:
        if self.crawler.stats.get_stats():  # a crawl that never started has no outcome
            outcome.settle(self.crawler.stats)
        name = self.crawler.spider.name if self.crawler.spider else "crawl"
        write_stats(self.path, name, dict(self.crawler.stats.get_stats()))


def write_stats(template: str, name: str, stats: dict[str, Any]) -> None:
    """``stats`` as JSON at ``template`` (``%(name)s`` replaced by ``name``); also used by ``scrapy crawl``
    for a run that stopped before its crawler started (another crawl held the outlet's lease)."""
    path = Path(template.replace("%(name)s", name))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stats, default=_plain, indent=1, sort_keys=True), "utf-8")


def _plain(value: Any) -> str:
    return value.isoformat() if isinstance(value, (date, datetime)) else str(value)
