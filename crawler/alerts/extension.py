"""Run the monitors after every crawl and send what is new: the alerts extension.

On the crawl state's ``run_recorded`` signal (the run's row is final, every feed and the manifest are
stored or spooled, the store is still open and the outlet's lease still held) it reads the outlet's
delivered articles per day and the alerts already sent from the crawl state, runs the Spidermon
suite (:class:`crawler.alerts.monitors.RunSuite`) and its channels in a worker thread (sending never
blocks the reactor), then stores what was sent and forgets the problems that this run found resolved,
so each problem is sent once per channel until it goes away, and again if it comes back.

Reads: ``ALERTS_ENABLED`` (default True), ``ALERTS_WEBHOOK_URL`` (env ``RUSPRESS_ALERTS_WEBHOOK_URL``),
``ALERTS_TELEGRAM_CHAT_ID``, ``ALERTS_WEBHOOK_DETAILS``, ``ALERTS_SMTP_HOST`` / ``_PORT`` / ``_SECURITY``
/ ``_USER`` / ``_PASSWORD`` (user and password from env ``RUSPRESS_ALERTS_SMTP_USER`` / ``_PASSWORD``),
``ALERTS_EMAIL_FROM``, ``ALERTS_EMAIL_TO``, ``ALERTS_TIMEOUT``, and the thresholds ``ALERTS_DAILY_DAYS``
(28), ``ALERTS_DAILY_RATIO`` (0.8), ``ALERTS_SILENT_DAYS`` (2), ``ALERTS_VALIDATION_RATIO`` (0.1).
Off (NotConfigured) without the crawl state: the history and the memory of what was sent live there.
Without any channel the monitors still run and log their findings.

Stats: ``alerts/problem/<key>`` (1 per problem found), ``alerts/sent/<channel>`` (problems sent),
``alerts/failed/<channel>``, ``alerts/resolved``.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings
from spidermon import settings as spidermon_settings
from spidermon.contrib.scrapy.runners import SpiderMonitorResult, SpiderMonitorRunner

from crawler.alerts.channels import Channel, EmailChannel, WebhookChannel
from crawler.alerts.monitors import RunSuite
from crawler.state.records import RunRecord
from crawler.state.service import CrawlState, run_recorded

logger = logging.getLogger(__name__)


def channels_from_settings(settings: BaseSettings) -> list[Channel]:
    timeout = settings.getfloat("ALERTS_TIMEOUT", 20)
    channels: list[Channel] = []
    if settings.get("ALERTS_WEBHOOK_URL"):
        channels.append(WebhookChannel(settings["ALERTS_WEBHOOK_URL"], str(settings.get("ALERTS_TELEGRAM_CHAT_ID") or ""),
                                       settings.getbool("ALERTS_WEBHOOK_DETAILS", False), timeout))
    if settings.get("ALERTS_SMTP_HOST"):
        to = settings.getlist("ALERTS_EMAIL_TO")
        if not to or not settings.get("ALERTS_EMAIL_FROM"):
            raise ValueError("ALERTS_SMTP_HOST is set: set ALERTS_EMAIL_FROM and ALERTS_EMAIL_TO too")
        channels.append(EmailChannel(settings["ALERTS_SMTP_HOST"], settings.getint("ALERTS_SMTP_PORT", 25),
                                     settings["ALERTS_EMAIL_FROM"], to, settings.get("ALERTS_SMTP_SECURITY", "starttls"),
                                     settings.get("ALERTS_SMTP_USER") or "", settings.get("ALERTS_SMTP_PASSWORD") or "",
                                     timeout))
    return channels


class QuietResult(SpiderMonitorResult):
    """Spidermon's log of a run, with one line per problem instead of a traceback per failed monitor,
    through the spider's logger (Spider.log() is deprecated in Scrapy 2.19)."""

    def log(self, msg: str, level: int = logging.DEBUG) -> None:
        self.spider.logger.log(level, "[Spidermon] %s", msg)

    def write_errors(self) -> None:
        for status in self.step.error_statuses:
            for item in self.step.items_for_status(status):
                last = str(item.error).strip().splitlines()[-1] if item.error else ""
                self.log(f"{item.status}: {item.item.name}: {last}", level=logging.WARNING)


class Runner(SpiderMonitorRunner):
    def create_result(self) -> SpiderMonitorResult:
        return QuietResult(self.spider)


class Alerts:
    def __init__(self, crawler: Crawler, channels: list[Channel], limits: dict[str, Any]) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.channels = channels
        self.limits = limits

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Alerts:
        settings = crawler.settings
        if not settings.getbool("ALERTS_ENABLED", True):
            raise NotConfigured("ALERTS_ENABLED is off")
        if not settings.getbool("STATE_ENABLED", True):
            raise NotConfigured("alerts need the crawl state (the outlet's history and the alerts already sent)")
        limits = {"daily_days": settings.getint("ALERTS_DAILY_DAYS", 28),
                  "daily_ratio": settings.getfloat("ALERTS_DAILY_RATIO", 0.8),
                  "silent_days": settings.getint("ALERTS_SILENT_DAYS", 2),
                  "validation_ratio": settings.getfloat("ALERTS_VALIDATION_RATIO", 0.1),
                  "health_min_articles": settings.getint("HEALTH_MIN_ARTICLES", 3)}
        ext = cls(crawler, channels_from_settings(settings), limits)
        crawler.signals.connect(ext.run_recorded, signal=run_recorded)
        return ext

    async def run_recorded(self, state: CrawlState, run: RunRecord) -> None:
        outlet = state.outlet
        assert state.store is not None
        today = state.clock().astimezone(ZoneInfo(outlet.timezone)).date()
        since = today - timedelta(days=self.limits["silent_days"] + self.limits["daily_days"])
        try:
            per_day = await state.call(state.store.articles_per_day, outlet.key, since.isoformat())
            open_alerts = await state.call(state.store.open_alerts, outlet.key)
        except Exception as exc:  # noqa: BLE001 - a state that cannot be read: alert anyway, without memory
            logger.warning("alerts: %s: the crawl state cannot be read (%r): no history, every problem is sent",
                           outlet.key, exc)
            per_day, open_alerts = {}, []
        data = {"stats": dict(self.stats.get_stats()), "crawler": self.crawler, "spider": self.crawler.spider,
                "run": run, "outlet": outlet.key, "outlet_name": outlet.name, "per_day": per_day, "today": today,
                "limits": self.limits, "open_alerts": open_alerts, "host": socket.gethostname(),
                "job": getattr(self.crawler.spider, "_job", None),
                "meta": {}}  # Spidermon's default "meta" is one dict shared by every run of the process
        result, meta = await asyncio.to_thread(self._check, data)
        problems: dict[str, str] = meta.get("problems", {})
        passed = {r.item.method_name for r in result.monitor_results  # skipped ones could not judge
                  if r.status == spidermon_settings.MONITOR.STATUS.SUCCESS}
        resolved = sorted({a.problem for a in open_alerts} & passed)
        sent = meta.get("alerts_sent", [])
        try:
            await state.call(state.store.record_alerts, sent, [(outlet.key, key) for key in resolved])
        except Exception as exc:  # noqa: BLE001
            logger.warning("alerts: %s: what was sent could not be recorded (%r): it may be sent again", outlet.key, exc)
        self._report(outlet.key, problems, open_alerts, sent, resolved, result)

    def _check(self, data: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        suite = RunSuite(crawler=self.crawler, monitors_failed_actions=list(self.channels))
        runner = Runner(self.crawler.spider)
        result = runner.run(suite, **data)
        return result, runner.data.meta

    def _report(self, outlet: str, problems: dict[str, str], open_alerts: list, sent: list, resolved: list[str],
                result: Any) -> None:
        for key in problems:
            self.stats.set_value(f"alerts/problem/{key}", 1)
        for alert in sent:
            self.stats.inc_value(f"alerts/sent/{alert.channel}")
        if resolved:
            self.stats.inc_value("alerts/resolved", len(resolved))
            logger.info("alerts: %s: resolved since the last alert: %s", outlet, ", ".join(resolved))
        for item in result.monitors_failed_action_results:
            if item.status == spidermon_settings.ACTION.STATUS.ERROR:
                channel = getattr(item.item, "channel", item.item.name)
                self.stats.inc_value(f"alerts/failed/{channel}")
                last = str(item.error).strip().splitlines()[-1] if item.error else "?"
                logger.error("alerts: %s: %s could not send: %s (sent again by the next run that finds it)",
                             outlet, item.item.name, last)
        if problems:
            told = {(a.problem, a.channel) for a in open_alerts}
            if sent:
                what = ", ".join(f"{a.problem} by {a.channel}" for a in sent)
            elif not self.channels:
                what = "nothing (no channel configured)"
            elif all((k, c.channel) in told for k in problems for c in self.channels):
                what = "nothing new (every problem was sent before)"
            else:
                what = "nothing (see the errors above)"
            logger.warning("alerts: %s: %s; sent: %s", outlet, "; ".join(f"{k}: {m}" for k, m in problems.items()), what)
