"""What ``scrapy status`` shows: per outlet, from the crawl state, how it has been doing.

:func:`collect` reads one store: articles per publication day for the last ``days`` days, the runs of
that period (the last one's time, result and health verdict; body layers used; drift and spool
warnings), open alerts and the current lease. :func:`to_json` and :func:`to_html` write it out; the
page is one self-contained file (inline CSS and SVG, no script, no external resource).
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from crawler import outlets as registry
from crawler.state.records import RunRecord

SPOOL_STATS = {"delivery/feeds_spooled": "file(s) spooled", "output/manifest/spooled": "manifest(s) spooled",
               "output/spool/flush_failed": "spooled file(s) still not delivered",
               "output/spool/incomplete": "incomplete upload(s) in the spool"}


@dataclass
class LastRun:
    started_at: str
    finished_at: str | None
    status: str  # finished | partial | failed | running (a run that died stays "running")
    outcome: str | None
    finish_reason: str | None
    articles: int
    health: str  # ok | layout changed | unknown


@dataclass
class OutletStatus:
    outlet: str
    name: str
    per_day: list[tuple[str, int]]  # oldest first, every day of the period
    articles: int
    runs: dict[str, int]  # status -> count in the period
    last_run: LastRun | None
    body_layers: dict[str, int]  # over the period's runs
    warnings: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)  # open problems (already sent)
    lease: str | None = None  # who crawls it now


def _int(value: Any) -> int:
    return int(value) if isinstance(value, (int, float)) else 0


def last_run_of(run: RunRecord) -> LastRun:
    stats = run.stats
    drift = stats.get("health/layout_changed")
    health = "unknown" if drift is None else ("layout changed" if drift else "ok")
    articles = _int(stats.get("delivery/items_delivered", stats.get("item_scraped_count")))
    return LastRun(run.started_at, run.finished_at, run.status, stats.get("run/outcome"),
                   stats.get("finish_reason"), articles, health)


def collect(store: Any, today: date, days: int = 60, only: list[str] | None = None) -> list[OutletStatus]:
    """The status of every outlet the store knows (or of ``only``), for the ``days`` days up to ``today``."""
    start = today - timedelta(days=days - 1)
    runs_since = datetime.combine(start, datetime.min.time(), timezone.utc).isoformat(timespec="seconds")
    all_runs = store.runs_since(runs_since)
    leases = {lease.outlet: lease for lease in store.leases()}
    alerts: dict[str, list[str]] = {}
    for alert in store.open_alerts():
        if alert.problem not in alerts.setdefault(alert.outlet, []):
            alerts[alert.outlet].append(alert.problem)
    found = []
    for key in only if only is not None else store.outlets():
        counts = store.articles_per_day(key, start.isoformat())
        per_day = [((start + timedelta(days=n)).isoformat(), 0) for n in range(days)]
        per_day = [(day, counts.get(day, 0)) for day, _ in per_day]
        runs = [run for run in all_runs if run.outlet == key]
        statuses: dict[str, int] = {}
        layers: dict[str, int] = {}
        for run in runs:
            statuses[run.status] = statuses.get(run.status, 0) + 1
            for name, value in run.stats.items():
                if name.startswith("extract/body/"):
                    layer = name.rsplit("/", 1)[1]
                    layers[layer] = layers.get(layer, 0) + _int(value)
        record = registry.all_outlets().get(key)
        status = OutletStatus(key, record.name if record else key, per_day, sum(c for _, c in per_day),
                              dict(sorted(statuses.items())), last_run_of(runs[-1]) if runs else None,
                              dict(sorted(layers.items(), key=lambda kv: -kv[1])),
                              alerts=alerts.get(key, []))
        status.warnings = warnings_of(runs)
        if key in leases:
            status.lease = leases[key].describe()
        found.append(status)
    return found


def warnings_of(runs: list[RunRecord]) -> list[str]:
    found = []
    if runs:
        last = runs[-1].stats
        if last.get("health/layout_changed"):
            found.append("layout drift: the last run's health report says the layout has probably changed")
        spooled = [f"{_int(last.get(k))} {what}" for k, what in SPOOL_STATS.items() if _int(last.get(k))]
        if spooled:
            found.append("spool: " + ", ".join(spooled))
        drifted = sum(1 for run in runs if run.stats.get("health/layout_changed"))
        if drifted and not last.get("health/layout_changed"):
            found.append(f"layout drift in {drifted} earlier run(s) of the period")
    return found


def to_json(statuses: list[OutletStatus], generated_at: str, days: int) -> str:
    outlets = []
    for status in statuses:
        entry = asdict(status)
        entry["per_day"] = dict(status.per_day)
        outlets.append(entry)
    return json.dumps({"generated_at": generated_at, "days": days, "outlets": outlets}, ensure_ascii=False, indent=1)


# ---------------------------------------------------------------------- HTML
CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1d2327;background:#fff}
h1{font-size:20px;margin:0 0 4px}.sub{color:#646970;margin:0 0 16px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:8px 10px;border-bottom:1px solid #dcdcde}
th{font-size:12px;text-transform:uppercase;color:#646970}td.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#00711c}.bad{color:#b32d2e;font-weight:600}.muted{color:#646970}
.warn{display:block;color:#8a4b00}.alert{display:block;color:#b32d2e}
svg.chart{display:block}svg.chart rect.bar{fill:#2271b1}svg.chart rect.zero{fill:#c3c4c7}
svg.chart text{font-size:9px;fill:#646970}
"""
CHART_W, CHART_H, BAR_GAP = 300, 40, 1


def chart(per_day: list[tuple[str, int]], label: str) -> str:
    """A bar per day (height by count, a grey stub for an empty day), a tooltip per bar."""
    top = max((count for _, count in per_day), default=0)
    peak = top or 1
    width = CHART_W / max(len(per_day), 1)
    bars = []
    for n, (day, count) in enumerate(per_day):
        height = max(1.0, CHART_H * count / peak)
        cls = "bar" if count else "bar zero"
        bars.append(f'<rect class="{cls}" x="{n * width:.2f}" y="{CHART_H - height:.2f}" width="{width - BAR_GAP:.2f}" '
                    f'height="{height:.2f}"><title>{day}: {count} article{"" if count == 1 else "s"}</title></rect>')
    first, last = (per_day[0][0], per_day[-1][0]) if per_day else ("", "")
    return (f'<svg class="chart" role="img" aria-label="{html.escape(label)}" width="{CHART_W}" height="{CHART_H + 12}" '
            f'viewBox="0 0 {CHART_W} {CHART_H + 12}" xmlns="http://www.w3.org/2000/svg">{"".join(bars)}'
            f'<text x="0" y="{CHART_H + 10}">{first}</text>'
            f'<text x="{CHART_W}" y="{CHART_H + 10}" text-anchor="end">{last} · max {top}/day</text></svg>')


def _cell_run(run: LastRun | None) -> str:
    if run is None:
        return '<span class="muted">no run in the period</span>'
    good = run.status in ("finished", "partial") and run.outcome in (None, "delivered")
    result = run.status + (f", {run.outcome}" if run.outcome else "")
    return (f'{html.escape(_when(run.started_at))}<br><span class="{"ok" if good else "bad"}">{html.escape(result)}</span>'
            f' · {run.articles} article{"" if run.articles == 1 else "s"}')


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return iso


def _cell_health(run: LastRun | None) -> str:
    if run is None:
        return '<span class="muted">unknown</span>'
    cls = {"ok": "ok", "layout changed": "bad"}.get(run.health, "muted")
    return f'<span class="{cls}">{html.escape(run.health)}</span>'


def to_html(statuses: list[OutletStatus], generated_at: str, days: int, source: str) -> str:
    rows = []
    for s in statuses:
        layers = ", ".join(f"{html.escape(k)} {v}" for k, v in s.body_layers.items()) or '<span class="muted">none</span>'
        notes = "".join(f'<span class="warn">⚠ {html.escape(w)}</span>' for w in s.warnings)
        notes += "".join(f'<span class="alert">alert sent: {html.escape(a)}</span>' for a in s.alerts)
        if s.lease:
            notes += f'<span class="muted">crawling now: {html.escape(s.lease)}</span>'
        runs = ", ".join(f"{k} {v}" for k, v in s.runs.items()) or "none"
        rows.append(
            f'<tr id="outlet-{html.escape(s.outlet)}"><td><strong>{html.escape(s.name)}</strong><br>'
            f'<span class="muted">{html.escape(s.outlet)}</span></td>'
            f'<td>{chart(s.per_day, f"{s.name}: articles per day, last {days} days")}</td>'
            f'<td class="num">{s.articles}</td><td>{_cell_run(s.last_run)}<br><span class="muted">runs: {runs}</span></td>'
            f'<td>{_cell_health(s.last_run)}</td><td>{layers}</td><td>{notes or "<span class=muted>none</span>"}</td></tr>')
    body = "".join(rows) or '<tr><td colspan="7" class="muted">The crawl state has no run yet.</td></tr>'
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ruspress-crawler status</title><style>{CSS}</style></head>
<body><h1>ruspress-crawler: outlets</h1>
<p class="sub">Generated {html.escape(generated_at)} from {html.escape(source)} · articles per day of publication, last {days} days</p>
<table><thead><tr><th>outlet</th><th>articles per day</th><th>{days} days</th><th>last run</th><th>health</th>
<th>body layers</th><th>warnings</th></tr></thead><tbody>{body}</tbody></table></body></html>
"""
