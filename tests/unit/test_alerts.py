"""The alerts (crawler/alerts/): each monitor against the stats that name its problem (including the
stats other components own: ``run/outcome``, ``clean/learned/<kind>``, ``health/layout_changed``), the
"publishes daily" check against the crawl state's history, and the once-per-problem memory: a problem
is sent once per channel, again after it was resolved, and again after a failed send. Real SQLite
state, a real webhook receiver on 127.0.0.1; the monitors run through Spidermon as in a crawl."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler import outlets
from crawler.alerts.channels import WebhookChannel, webhook_name
from crawler.alerts.extension import Alerts
from crawler.state import ArticleState, RunRecord, open_store
from tests.receivers import Webhook
from tests.scrapydserver import free_port

TODAY = date(2026, 11, 20)
LIMITS = {"daily_days": 28, "daily_ratio": 0.8, "silent_days": 2, "validation_ratio": 0.1, "health_min_articles": 3}
GOOD = {"finish_reason": "finished", "discovery/article_requests": 5, "extract/body/outlet": 5,
        "item_scraped_count": 5, "delivery/items_delivered": 5, "validate/passed": 5, "health/layout_changed": 0}


class State:
    """What the extension uses of the crawl state: the outlet, the clock, the store and its thread."""

    def __init__(self, store: Any) -> None:
        self.outlet = outlets.get("moscowtimes")
        self.store = store
        self.clock = lambda: datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)

    async def call(self, fn: Any, *args: Any) -> Any:
        return fn(*args)


@pytest.fixture
def store(tmp_path):
    opened = open_store(f"sqlite:///{tmp_path}/state.sqlite")
    opened.connect()
    yield opened
    opened.close()


@pytest.fixture
def hook():
    receiver = Webhook()
    yield receiver
    receiver.close()


def check(store: Any, stats: dict, channels: list | None = None, status: str = "finished") -> dict:
    """One run's alerts: the stats the crawl ended with; returns the stats the extension added."""
    crawler = get_crawler(Spider, {"LOG_LEVEL": "WARNING"})
    crawler.spider = Spider(name="moscowtimes")
    crawler.stats.open_spider()
    for key, value in stats.items():
        crawler.stats.set_value(key, value)
    run = RunRecord("moscowtimes", "2026-11-20T11:00:00+00:00", status=status,
                    finished_at="2026-11-20T11:05:00+00:00", id=1)
    asyncio.run(Alerts(crawler, channels or [], LIMITS).run_recorded(State(store), run))
    return {k: v for k, v in crawler.stats.get_stats().items() if k.startswith("alerts/")}


def test_a_good_run_has_no_problem(store):
    assert check(store, GOOD) == {}


@pytest.mark.parametrize("stats, problem, words", [
    ({**GOOD, "run/outcome": "output_failed", "output/failed": 2}, "run_failed", "2 output file(s) not delivered"),
    ({**GOOD, "run/outcome": "nothing_reached"}, "run_failed", "outcome nothing_reached"),
    ({"discovery/article_requests": 4, "spider/http_error/503": 4, "health/layout_changed": 0}, "nothing_delivered",
     "4 article page(s) requested, none parsed, nothing delivered (HTTP errors: 503 4)"),
    ({**GOOD, "health/layout_changed": 1, "extract/body/generic": 4, "extract/body/outlet": 1}, "layout_drift",
     "body layers: generic 4, outlet 1"),
    ({**GOOD, "delivery/feeds_spooled": 1, "output/manifest/spooled": 1}, "spooled_files", "2 file(s) spooled"),
    ({**GOOD, "output/spool/flush_failed": 3}, "spooled_files", "3 spooled file(s) still not delivered"),
    ({**GOOD, "clean/learned/newsletter": 2, "clean/learned/donation": 1}, "learned_boilerplate",
     "(donation 1, newsletter 2)"),
    ({**GOOD, "clean/learned_new": 3}, "learned_boilerplate", "3 new block(s)"),
    ({**GOOD, "validate/passed": 3, "validate/dropped/missing_body": 2}, "validation_drops",
     "2 of 5 articles failed validation (missing_body 2)"),
])
def test_each_problem_is_named_from_the_stats(store, hook, stats, problem, words):
    found = check(store, stats, [WebhookChannel(hook.url)])
    assert found == {f"alerts/problem/{problem}": 1, "alerts/sent/webhook": 1}
    (payload,) = hook.payloads
    assert payload["json"] == {"text": payload["json"]["text"]}  # Slack / Mattermost: text only
    assert f"- {problem}: " in payload["json"]["text"] and words in payload["json"]["text"]


def test_a_failed_run_status_is_a_problem(store):
    assert check(store, GOOD, status="failed") == {"alerts/problem/run_failed": 1}


def daily(store: Any, days: range, per_day: int = 2) -> None:
    rows = []
    for n in days:
        day = TODAY - timedelta(days=n)
        for i in range(per_day):
            rows.append((ArticleState("moscowtimes", f"https://www.themoscowtimes.com/{day}/a-{n}-{i}",
                                      published_at=f"{day}T10:00:00+03:00", first_seen="2026-11-01T00:00:00+00:00",
                                      last_seen="2026-11-01T00:00:00+00:00"), []))
    store.save(rows)


def test_zero_articles_for_an_outlet_that_publishes_daily(store):
    daily(store, range(2, 30))  # every day of the 28 before the last two
    assert check(store, GOOD) == {"alerts/problem/zero_articles": 1}
    daily(store, range(1, 2))  # one article yesterday
    assert check(store, GOOD) == {}


def test_no_expectation_for_an_outlet_that_does_not_publish_daily(store):
    daily(store, range(2, 30, 2))  # every other day: 14 of 28 days
    assert check(store, GOOD) == {}


def test_each_problem_is_sent_once_until_it_is_resolved(store, hook):
    drift = {**GOOD, "health/layout_changed": 1, "extract/body/generic": 5}
    channels = [WebhookChannel(hook.url, chat_id="-100123")]
    assert check(store, drift, channels) == {"alerts/problem/layout_drift": 1, "alerts/sent/webhook": 1}
    assert hook.payloads[0]["json"]["chat_id"] == "-100123"  # a Telegram bot's sendMessage
    # the same problem, then a run that parsed too little to judge: nothing sent, the problem stays open
    assert check(store, drift, channels) == {"alerts/problem/layout_drift": 1}
    assert check(store, {"finish_reason": "finished", "health/layout_changed": 0}, channels) == {}
    assert [a.problem for a in store.open_alerts("moscowtimes")] == ["layout_drift"]
    both = {**drift, "validate/dropped/missing_title": 3}
    assert check(store, both, channels)["alerts/sent/webhook"] == 1  # only the new one
    assert "validation_drops" in hook.payloads[1]["json"]["text"] and "layout_drift" not in hook.payloads[1]["json"]["text"]
    # resolved: forgotten; when it comes back it is sent again
    assert check(store, GOOD, channels) == {"alerts/resolved": 2}
    assert store.open_alerts() == []
    assert check(store, drift, channels)["alerts/sent/webhook"] == 1
    assert len(hook.payloads) == 3


def test_a_failed_send_is_retried_by_the_next_run(store, hook):
    drift = {**GOOD, "health/layout_changed": 1, "extract/body/generic": 5}
    down = WebhookChannel(f"http://127.0.0.1:{free_port()}/hooks/secret-token", timeout=2)
    assert check(store, drift, [down]) == {"alerts/problem/layout_drift": 1, "alerts/failed/webhook": 1}
    assert store.open_alerts() == []
    assert check(store, drift, [WebhookChannel(hook.url)])["alerts/sent/webhook"] == 1


def test_a_webhook_is_named_without_its_token():
    assert webhook_name("https://hooks.slack.com/services/T0/B0/xyzSECRET") == "https://hooks.slack.com/…"
    assert webhook_name("https://api.telegram.org/bot123:SECRET/sendMessage") == "https://api.telegram.org/…"
