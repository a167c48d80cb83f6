"""Run the real ``scrapy crawl`` in a subprocess against a fixture site, through MIRRORS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from crawler import outlets

ROOT = Path(__file__).resolve().parent.parent
SITES = ROOT / "tests" / "sites"


@dataclass
class CrawlResult:
    returncode: int
    items: list[dict]
    log: str
    stats: dict

    def by_url(self) -> dict[str, dict]:
        return {item["url"]: item for item in self.items}


def mirrors_for(outlet_key: str, base_url: str) -> dict[str, str]:
    return {host: base_url for host in outlets.get(outlet_key).hosts}


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def run_crawl(spider: str, server_url: str, out: Path, *args: str, settings: dict | None = None,
              timeout: float = 300, mirrors: dict | None = None, fault: str | None = None,
              command: str = "crawl") -> CrawlResult:
    """``scrapy <command: crawl> <spider> -O <out> -s MIRRORS=...`` plus ``args``; the stats come from a JSON dump.

    Each crawl starts from an empty crawl state (``<out>.state.sqlite``) unless ``settings`` give
    ``STATE_URL``: pass the same one to several crawls to test incremental runs. ``fault`` runs the
    crawl through :mod:`tests.faults` (e.g. ``state_full:0``)."""
    stats_file = out.with_suffix(".stats.json")
    entry = ["-m", "tests.faults", fault] if fault else ["-m", "scrapy"]
    cmd = [sys.executable, *entry, command, spider, "-O", str(out),
           "-s", "MIRRORS=" + json.dumps(mirrors or mirrors_for(spider, server_url)),
           "-s", f"STATS_FILE={stats_file}", "-s", "AUTOTHROTTLE_ENABLED=False",
           "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO", *args]
    settings = {"STATE_URL": f"sqlite:///{out.with_suffix('.state.sqlite')}", **(settings or {})}  # fresh state
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value if isinstance(value, str) else json.dumps(value)}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    stats = json.loads(stats_file.read_text("utf-8")) if stats_file.exists() else {}
    return CrawlResult(proc.returncode, read_jsonl(out), proc.stderr + proc.stdout, stats)


def expected(site: str) -> dict:
    return json.loads((SITES / site / "_expected.json").read_text("utf-8"))
