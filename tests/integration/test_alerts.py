"""Alerts end to end: the real `scrapy crawl moscowtimes` against a broken copy of the Moscow Times
fixture site, a local SMTP server (aiosmtpd) and a local webhook receiver on 127.0.0.1.

The broken copy is tests/sites/moscowtimes with the article body container renamed in every article
page (``article__content`` -> ``article__text-v2``), as a redesign would do it: the outlet's markup
finds no body, the generic extractor does, and the health report says the layout has probably changed.
Two runs over two windows of the site, with one crawl state: the first finds the drift on new articles
and each channel receives one alert; the second finds the same drift on other new articles and sends
nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from crawler.state import open_store
from tests.crawl import SITES, run_crawl
from tests.receivers import Inbox, Webhook
from tests.scrapydserver import free_port
from tests.siteserver import SiteServer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def receivers() -> Iterator[tuple[Inbox, Controller, Webhook]]:
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    hook = Webhook()
    try:
        yield inbox, smtp, hook
    finally:
        hook.close()
        smtp.stop()


def broken_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(SITES / "moscowtimes", site)
    for page in site.glob("20*/*/*/*"):
        text = page.read_text("utf-8")
        if "article__content" in text:
            page.write_text(text.replace("article__content", "article__text-v2"), "utf-8")
    return site


def test_a_broken_outlet_alerts_once_by_webhook_and_email(receivers, tmp_path):
    inbox, smtp, hook = receivers
    settings = {"STATE_URL": f"sqlite:///{tmp_path / 'state.sqlite'}",
                "ALERTS_WEBHOOK_URL": hook.url, "ALERTS_WEBHOOK_DETAILS": "True",
                "ALERTS_SMTP_HOST": "127.0.0.1", "ALERTS_SMTP_PORT": str(smtp.port), "ALERTS_SMTP_SECURITY": "none",
                "ALERTS_EMAIL_FROM": "crawler@example.org", "ALERTS_EMAIL_TO": "desk@example.org,oncall@example.org"}
    with SiteServer(broken_site(tmp_path)) as site:
        first = run_crawl("moscowtimes", site.url, tmp_path / "first.jsonl", "-a", "since=2023-08-01",
                          "-a", "until=2023-08-20", settings=settings)
        assert first.returncode == 0, first.log[-3000:]
        assert first.stats["health/layout_changed"] == 1 and first.stats["alerts/problem/layout_drift"] == 1
        assert len(hook.payloads) == 1 and len(inbox.messages) == 1
        second = run_crawl("moscowtimes", site.url, tmp_path / "second.jsonl", "-a", "since=2023-08-21",
                           "-a", "until=2023-08-31", settings=settings)
    assert second.returncode == 0, second.log[-3000:]
    assert len(second.items) == 5 and second.stats["health/layout_changed"] == 1  # the same problem, new articles
    assert second.stats["alerts/problem/layout_drift"] == 1 and "alerts/sent/webhook" not in second.stats
    assert len(hook.payloads) == 1 and len(inbox.messages) == 1  # nothing sent again

    (payload,) = hook.payloads
    assert payload["type"].startswith("application/json") and payload["path"].endswith("/s3cretWebhookToken")
    text = payload["json"]["text"]
    assert text.startswith("ruspress-crawler: The Moscow Times (moscowtimes): 1 new problem\n- layout_drift: "
                           "the health report says the layout has probably changed")
    assert payload["json"]["ruspress"]["problems"].keys() == {"layout_drift"}
    (mail,) = inbox.messages
    assert mail["from"] == "crawler@example.org" and mail["to"] == ["desk@example.org", "oncall@example.org"]
    assert "Subject: [ruspress] moscowtimes: layout_drift" in mail["data"] and "- layout_drift: " in mail["data"]
    for run in (first, second):  # the webhook's token never reaches the log
        assert "s3cretWebhookToken" not in run.log and "Traceback" not in run.log
    assert f"http://127.0.0.1:{hook.server.server_port}/…" in first.log or "by webhook" in first.log
    store = open_store(settings["STATE_URL"], readonly=True)
    store.connect()
    try:
        assert sorted((a.problem, a.channel) for a in store.open_alerts("moscowtimes")) == [
            ("layout_drift", "email"), ("layout_drift", "webhook")]
    finally:
        store.close()
