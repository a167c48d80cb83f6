"""The checks made after every run: Spidermon monitors, one method per problem key.

A method that finds its problem calls :meth:`ProblemMonitor.problem` (which records the key and a
one-line message in ``data.meta["problems"]`` and fails the monitor); one that finds nothing passes,
which resolves the problem if it was open. A monitor that cannot judge (not enough data) is skipped
and leaves an open problem open.

Data (given by :class:`crawler.alerts.extension.Alerts`): ``stats`` (the crawl's final stats),
``run`` (the recorded :class:`RunRecord`), ``per_day`` (delivered articles per publication day,
``YYYY-MM-DD`` -> count, from the crawl state), ``today`` (the outlet's date now), ``limits`` (the
``ALERTS_*`` thresholds and ``HEALTH_MIN_ARTICLES``).

Problem keys: ``run_failed``, ``nothing_delivered``, ``zero_articles``, ``layout_drift``,
``spooled_files``, ``learned_boilerplate``, ``validation_drops``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from spidermon import Monitor, MonitorSuite, monitors

FAILED_OUTCOMES = ("nothing_reached", "output_failed", "state_failed")


def _sum(stats: Any, prefix: str) -> int:
    return sum(v for k, v in stats.items() if k.startswith(prefix) and isinstance(v, (int, float)))


def _counts(stats: Any, prefix: str) -> str:
    return ", ".join(f"{k[len(prefix):]} {v}" for k, v in sorted(stats.items())
                     if k.startswith(prefix) and isinstance(v, (int, float)) and v)


class ProblemMonitor(Monitor):
    def problem(self, key: str, message: str) -> None:
        self.data.meta.setdefault("problems", {})[key] = message
        self.fail(message)


class RunMonitor(ProblemMonitor):
    """Did the run work, and did it deliver what it fetched?"""

    @monitors.name("run_failed")
    def test_run_failed(self) -> None:
        stats, run = self.data.stats, self.data.run
        outcome = stats.get("run/outcome")
        undelivered = _sum(stats, "feedexport/failed_count/") or int(stats.get("output/failed") or 0)
        if run.status == "failed" or outcome in FAILED_OUTCOMES or undelivered:
            details = [f"status {run.status}", f"finish reason {stats.get('finish_reason', '?')}"]
            if outcome:
                details.append(f"outcome {outcome}")
            if undelivered:
                details.append(f"{undelivered} output file(s) not delivered")
            if stats.get("state/lease_lost"):
                details.append("its lease was lost")
            self.problem("run_failed", "the run failed: " + ", ".join(details))

    @monitors.name("nothing_delivered")
    def test_nothing_delivered(self) -> None:
        stats = self.data.stats
        requested = int(stats.get("discovery/article_requests") or 0)
        not_modified = int(stats.get("incremental/not_modified") or 0)
        parsed = _sum(stats, "extract/body/")
        delivered = int(stats.get("delivery/items_delivered") or stats.get("item_scraped_count") or 0)
        if requested - not_modified <= 0:
            self.skipTest("no article page fetched in this run")
        if parsed == 0 and delivered == 0:
            errors = _counts(stats, "spider/http_error/") or "none"
            self.problem("nothing_delivered", f"{requested - not_modified} article page(s) requested, none parsed, "
                                              f"nothing delivered (HTTP errors: {errors})")


class PublishingMonitor(ProblemMonitor):
    """An outlet that publishes every day has articles from the last days in the corpus."""

    @monitors.name("zero_articles")
    def test_zero_articles(self) -> None:
        limits, per_day, today = self.data.limits, self.data.per_day, self.data.today
        silent = [(today - timedelta(days=n)).isoformat() for n in range(limits["silent_days"])]
        before = [(today - timedelta(days=n)).isoformat()
                  for n in range(limits["silent_days"], limits["silent_days"] + limits["daily_days"])]
        active = sum(1 for day in before if per_day.get(day))
        if active < limits["daily_ratio"] * len(before):
            return  # not an outlet that normally publishes daily (or too little history): nothing to expect
        if not any(per_day.get(day) for day in silent):
            self.problem("zero_articles", f"no article dated {silent[-1]} .. {silent[0]} in the corpus, although "
                                          f"articles are dated on {active} of the {len(before)} days before")


class QualityMonitor(ProblemMonitor):
    """What the health report, the cleaner and the validator say about the articles."""

    @monitors.name("layout_drift")
    def test_layout_drift(self) -> None:
        stats = self.data.stats
        if "health/layout_changed" not in stats:
            self.skipTest("no health report in this run")
        if not stats["health/layout_changed"] and _sum(stats, "extract/body/") < self.data.limits["health_min_articles"]:
            self.skipTest("too few articles parsed in this run to judge the layout")
        if stats["health/layout_changed"]:
            layers = _counts(stats, "extract/body/") or "none"
            missing = _counts(stats, "health/missing/") or "none"
            self.problem("layout_drift", f"the health report says the layout has probably changed (body layers: "
                                         f"{layers}; fields missing: {missing})")

    @monitors.name("learned_boilerplate")
    def test_learned_boilerplate(self) -> None:
        stats = self.data.stats
        new = stats.get("clean/learned_new")
        kinds = _counts(stats, "clean/learned/")
        if new or (new is None and kinds):
            what = f"{new} new block(s)" if new else "blocks"
            self.problem("learned_boilerplate", f"boilerplate learned from this outlet's pages: {what}"
                                                + (f" ({kinds})" if kinds else "") + "; see the health report")

    @monitors.name("validation_drops")
    def test_validation_drops(self) -> None:
        stats = self.data.stats
        dropped = _sum(stats, "validate/dropped/")
        checked = dropped + int(stats.get("validate/passed") or 0)
        if not checked:
            self.skipTest("no article checked in this run")
        if dropped and dropped > self.data.limits["validation_ratio"] * checked:
            self.problem("validation_drops", f"{dropped} of {checked} articles failed validation "
                                             f"({_counts(stats, 'validate/dropped/')})")


class DeliveryMonitor(ProblemMonitor):
    """Files waiting in the local spool are not in the corpus yet."""

    @monitors.name("spooled_files")
    def test_spooled_files(self) -> None:
        stats = self.data.stats
        spooled = int(stats.get("delivery/feeds_spooled") or 0) + int(stats.get("output/manifest/spooled") or 0)
        stuck = int(stats.get("output/spool/flush_failed") or 0)
        incomplete = int(stats.get("output/spool/incomplete") or 0)
        if spooled or stuck or incomplete:
            parts = [f"{n} {what}" for n, what in ((spooled, "file(s) spooled by this run"),
                                                    (stuck, "spooled file(s) still not delivered"),
                                                    (incomplete, "incomplete upload(s) left by a killed run")) if n]
            self.problem("spooled_files", "the output spool holds files: " + ", ".join(parts))


class RunSuite(MonitorSuite):
    """Every check, after every run."""

    monitors = [RunMonitor, PublishingMonitor, QualityMonitor, DeliveryMonitor]


PROBLEMS = ("run_failed", "nothing_delivered", "zero_articles", "layout_drift", "spooled_files",
            "learned_boilerplate", "validation_drops")
