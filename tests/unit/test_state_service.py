"""The crawl state's run-level decisions: the default window, the run's status, settings."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler import outlets
from crawler.spiders.moscowtimes import MoscowTimesSpider
from crawler.state.service import CrawlState, default_state_url

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)  # 09:00 in Moscow


def service(**settings) -> CrawlState:
    crawler = get_crawler(settings_dict={"STATE_URL": "sqlite:////tmp/unused.sqlite", **settings})
    state = CrawlState.from_crawler(crawler)
    state.outlet = outlets.get("moscowtimes")
    state.clock = lambda: NOW
    return state


def spider(**args) -> MoscowTimesSpider:
    MoscowTimesSpider.clock = staticmethod(lambda: NOW)
    try:
        return MoscowTimesSpider(**args)
    finally:
        del MoscowTimesSpider.clock


def test_the_window_starts_at_the_last_successful_run():
    s = spider()
    assert s.since == date(2026, 11, 21)  # first run: 7 days
    service()._set_window(s, datetime(2026, 11, 28, 5, 0, tzinfo=timezone.utc))  # an hour ago
    assert s.since == date(2026, 11, 26)  # not later than STATE_RECHECK_DAYS back: young articles re-checked
    s = spider()
    service()._set_window(s, datetime(2026, 10, 1, 22, 30, tzinfo=timezone.utc))  # 2 Oct in Moscow
    assert s.since == date(2026, 10, 2)  # catches up on everything since
    s = spider(since="2026-11-27")
    service()._set_window(s, datetime(2026, 10, 1, tzinfo=timezone.utc))
    assert s.since == date(2026, 11, 27)  # an explicit -a since wins
    s = spider()
    service()._set_window(s, None)
    assert s.since == date(2026, 11, 21)


def test_run_status():
    state = service()
    assert state._status(spider(), "finished", 0) == "finished"
    assert state._status(spider(until="2026-11-27"), "finished", 0) == "partial"
    assert state._status(spider(), "shutdown", 0) == "failed"
    assert state._status(spider(), "finished", 3) == "failed"
    state.feed_failures = 1
    assert state._status(spider(), "finished", 0) == "failed"
    state = service()
    state.stats.set_value("discovery/skipped/limit", 4)
    assert state._status(spider(limit="2"), "finished", 0) == "partial"


def test_mode_argument_is_validated():
    assert spider(mode="refresh").mode == "refresh" and spider().mode == "incremental"
    with pytest.raises(ValueError, match="expected incremental .* or refresh"):
        spider(mode="full")


def test_settings_are_checked_and_state_can_be_off(tmp_path):
    with pytest.raises(NotConfigured):
        CrawlState.from_crawler(get_crawler(settings_dict={"STATE_ENABLED": False}))
    with pytest.raises(ValueError, match="DEDUP_NEAR_ACTION"):
        service(DEDUP_NEAR_ACTION="delete")
    with pytest.raises(ValueError, match="DEDUP_NEAR_THRESHOLD"):
        service(DEDUP_NEAR_THRESHOLD=1.5)
    assert default_state_url(str(tmp_path)) == f"sqlite:///{tmp_path}/state.sqlite"
    assert default_state_url("").endswith("/output/state.sqlite")


def test_middlewares_and_pipeline_need_the_extension():
    from crawler.middlewares.incremental import IncrementalSpiderMiddleware
    from crawler.pipelines.dedup import DedupPipeline

    with pytest.raises(NotConfigured, match="not enabled"):
        IncrementalSpiderMiddleware.from_crawler(get_crawler())
    with pytest.raises(NotConfigured, match="STATE_ENABLED is off"):
        DedupPipeline.from_crawler(get_crawler(settings_dict={"STATE_ENABLED": False}))
    state = service()
    assert IncrementalSpiderMiddleware.from_crawler(state.crawler).state is state
    assert state.judging is False
    assert DedupPipeline.from_crawler(state.crawler).state.judging is True
    assert service(DEDUP_ENABLED=False).exact is False


def test_a_request_the_state_drops_is_handed_back_to_the_spider():
    from scrapy.utils.test import get_crawler as crawler_for

    s = MoscowTimesSpider.from_crawler(crawler_for(MoscowTimesSpider), since="2023-08-01", until="2023-08-31")
    url = "https://www.themoscowtimes.com/2023/08/22/russian-army-officials-visit-libya-after-haftar-invite-a82219"
    first = s.entry_request(url, None, meta={"feed_entry": {"published": "Tue, 22 Aug 2023 14:05:00 +0300"}})
    assert first is not None and s.requested == 1
    # the sitemap lists it again (new slug): folded into the first request, not requested twice
    assert s.entry_request(url.replace("russian-army", "army"), None,
                           meta={"sitemap_entry": {"loc": url, "lastmod": "2023-08-30"}}) is None
    assert first.meta["listings"] == [{"sitemap_entry": {"loc": url, "lastmod": "2023-08-30"}}]
    s.request_dropped(first)
    assert s.requested == 0 and s.crawler.stats.get_value("discovery/article_requests") == 0
    again = s.entry_request(url, None, meta={"sitemap_entry": {"loc": url}})
    assert again is not None and again.meta["listings"] == []


def test_crawls_of_one_process_share_one_store(tmp_path):
    import asyncio

    from crawler.state import StateLocked, shared

    url = f"sqlite:///{tmp_path}/state.sqlite"

    async def scenario() -> None:
        first = await shared.acquire(url)
        second = await shared.acquire(url)  # `scrapy crawlall`: another outlet, same process
        assert first is second and first.users == 2
        assert await first.call(first.store.count_articles) == 0
        await shared.release(first)
        assert first.store.conn is not None  # still used by the other crawl
        await shared.release(second)
        assert first.store.conn is None
        from crawler.state import open_store

        other = open_store(url)
        other.connect()  # released: another process could take it now
        try:
            with pytest.raises(StateLocked):
                await shared.acquire(url)
        finally:
            other.close()
        assert url not in shared._OPEN

    asyncio.run(scenario())


def test_run_status_after_discovery_failures():
    state = service()
    state.stats.set_value("sources/failed/sitemap", 1)
    state.stats.set_value("sources/ok/feed", 1)
    assert state._status(spider(), "finished", 0) == "partial"  # some sources down: the window is re-covered
    state.stats.set_value("sources/ok/feed", 0)
    assert state._status(spider(), "finished", 0) == "failed"  # nothing reached: never a successful run
