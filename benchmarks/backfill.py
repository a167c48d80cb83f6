"""A back-fill of N articles listed by a fixture Wayback Machine: is memory flat in the number of articles?

    python -m benchmarks.backfill [--articles 20000] [--reference 2000] [--deleted 0.05] [--state on|off]

Serves, on 127.0.0.1, a fixture Wayback CDX API (tests/archives.py) that lists N article URLs of The
Insider over a window (page size ``WEBARCHIVE_CDX_PAGE_SIZE``, default 5,000 rows), and a site that answers
each ``/news/<id>`` with a page of The Insider's fixture shape (tests/archives.py ``insider_page``; every
page its own invented text, so that none is a duplicate of another), except a share ``--deleted`` of
them that answer 404 and are taken from their Wayback capture. Runs the real ``scrapy backfill
theinsider --sources wayback`` with politeness off (no delays, 8 requests per host) and a fresh crawl
state, first for the reference count and then for N, in the same run of this script, sampling the
crawl process's resident memory (VmRSS from /proc) every 0.2 s: its peak, and its value after each
quarter of the article requests. Discovery is streamed when the peak stays flat from the reference to
N (one CDX page of article requests at a time, never the whole listing). The output is the project's
own (``OUTPUT_DIR``), a file every 1,000 articles (``scrapy backfill``'s default), as a long back-fill
should deliver. ``--state off`` runs without
the crawl state (no incremental filter, no de-duplication, no cursors): what discovery, downloads,
parsing and export cost alone; the crawl state's own per-run memory (the run's de-duplication index)
is the difference. Linux only.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.archives import WORDS, ArchiveServer, Capture, insider_page
from tests.crawl import ROOT, mirrors_for

START = datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)
FIRST_ID = 400000


class PageFactory:
    """Pages made from one template by string replacement: fast enough to serve 20,000 of them."""

    def __init__(self) -> None:
        base = insider_page(FIRST_ID, START, seed=1).decode("utf-8")
        post = json.loads(re.search(r'<script id="__NEXT_DATA__"[^>]*>(.*?)</script>', base, re.S)[1])["props"]["pageProps"]["post"]
        self.paragraphs = re.findall(r"<p>(.*?)</p>", post["body"])
        self.title = post["title"]
        self.template = base

    def page(self, n: int) -> bytes:
        rng = random.Random(n)
        html = self.template.replace(str(FIRST_ID), str(n)).replace(self.title, f"Новость номер {n}")
        for old in self.paragraphs:
            html = html.replace(old, " ".join(rng.choice(WORDS) for _ in range(40)).capitalize() + ".")
        return html.encode("utf-8")


def site_server(factory: PageFactory, deleted: set[int], log: list[int]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            m = re.match(r"^/news/(\d+)$", self.path)
            status, body = 404, b"<html><body>Not found</body></html>"
            if m:
                n = int(m[1])
                log.append(n)
                if n not in deleted:
                    status, body = 200, factory.page(n)
            elif self.path == "/feed":
                status, body = 200, b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>'
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def rss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    m = re.search(r"VmRSS:\s+(\d+)", text)
    return int(m[1]) if m else 0


def run(count: int, deleted_share: float, factory: PageFactory, tmp: Path, state: bool = True) -> dict:
    numbers = list(range(FIRST_ID, FIRST_ID + count))
    rng = random.Random(count)
    deleted = set(rng.sample(numbers, int(count * deleted_share)))
    span = timedelta(days=60) / count
    captures = [Capture(f"https://theins.ru/news/{n}", (START + span * i).strftime("%Y%m%d%H%M%S"),
                        factory.page(n) if n in deleted else b"") for i, n in enumerate(numbers)]
    requested: list[int] = []
    site = site_server(factory, deleted, requested)
    site_url = f"http://127.0.0.1:{site.server_address[1]}"
    out = tmp / f"out-{count}-{'state' if state else 'nostate'}"
    stats_file = tmp / f"backfill-{count}.stats.json"
    with ArchiveServer(captures) as archive:
        mirrors = {**mirrors_for("theinsider", site_url), **archive.mirrors()}
        settings = {"MIRRORS": mirrors, "DOWNLOAD_SLOTS": {}, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
                    "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "STATE_URL": f"sqlite:///{tmp}/state-{count}.sqlite",
                    "STATS_FILE": str(stats_file), "LOG_LEVEL": "INFO", "BACKFILL_PROGRESS": "log",
                    "BACKFILL_PROGRESS_INTERVAL": 30, "DEDUP_LOG_LEVEL": "DEBUG", "STATE_ENABLED": state,
                    "OUTPUT_DIR": str(out)}
        cmd = [sys.executable, "-m", "scrapy", "backfill", "theinsider", "--since", "2026-09-01", "--until",
               "2026-11-30", "--sources", "wayback"]  # the project's output: a file every 1,000 articles
        for name, value in settings.items():
            cmd += ["-s", f"{name}={value if isinstance(value, str) else json.dumps(value)}"]
        started = time.perf_counter()
        log = open(tmp / f"backfill-{count}.log", "wb")
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        peak, quarters, marks = 0, [], [count * q // 4 for q in (1, 2, 3)]
        while proc.poll() is None:
            current = rss_kib(proc.pid)
            peak = max(peak, current)
            while marks and len(requested) >= marks[0]:
                quarters.append(current)
                marks.pop(0)
            time.sleep(0.2)
        wall = time.perf_counter() - started
        log.close()
    site.shutdown()
    site.server_close()
    if proc.returncode:
        raise SystemExit((tmp / f"backfill-{count}.log").read_text()[-3000:])
    stats = json.loads(stats_file.read_text("utf-8"))
    items = sum(1 for f in out.glob("theinsider/*/*.jsonl") for line in f.read_text("utf-8").splitlines() if line.strip())
    return {"count": count, "items": items, "from_archive": stats.get("webarchive/fetched/wayback", 0),
            "cdx_pages": stats.get("discovery/wayback/pages", 0), "wall_s": wall,
            "crawl_s": stats.get("elapsed_time_seconds", float("nan")), "peak_mib": peak / 1024,
            "quarters_mib": [q / 1024 for q in quarters]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--reference", type=int, default=2000)
    parser.add_argument("--deleted", type=float, default=0.05)
    parser.add_argument("--state", choices=("on", "off"), default="on")
    args = parser.parse_args()
    factory = PageFactory()
    with tempfile.TemporaryDirectory() as tmp:
        results = [run(n, args.deleted, factory, Path(tmp), args.state == "on") for n in (args.reference, args.articles)]
    print(f"crawl state {args.state}")
    print(f"{'articles':>9} {'exported':>9} {'from archive':>13} {'CDX pages':>10} {'crawl s':>8} {'art/s':>6} "
          f"{'peak RSS MiB':>13}  RSS at 1/4, 1/2, 3/4 (MiB)")
    for r in results:
        print(f"{r['count']:>9} {r['items']:>9} {r['from_archive']:>13} {r['cdx_pages']:>10} {r['crawl_s']:>8.1f} "
              f"{r['items'] / r['crawl_s']:>6.1f} {r['peak_mib']:>13.1f}  "
              + ", ".join(f"{q:.0f}" for q in r["quarters_mib"]))
    ref, big = results
    print(f"peak RSS {big['count']:,} / {ref['count']:,} articles: {big['peak_mib'] / ref['peak_mib']:.2f} "
          f"({big['count'] / ref['count']:.0f}x the articles)")


if __name__ == "__main__":
    main()
