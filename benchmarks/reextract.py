"""Re-extraction from an archive vs a crawl of the same pages, articles per second, in the same run.

    python -m benchmarks.reextract [--articles 10000]

Builds the throughput benchmark's copy of the Moscow Times fixture site with N article pages
(benchmarks/throughput.py), crawls it through MIRRORS on 127.0.0.1 with the evidence archive on
(politeness off, 8 requests per domain), then runs `scrapy reextract` over the run's WACZ (no network:
every answer comes from the archive) and compares articles per second. Both without the crawl state
(the pages are copies of one text, which de-duplication would drop); the WACZ size per article is
printed too.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.throughput import build_site, stat
from tests.crawl import ROOT, mirrors_for, read_jsonl
from tests.siteserver import SiteServer

COMMON = ["-s", "STATE_ENABLED=False", "-s", "LOG_LEVEL=INFO", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site, out = Path(tmp) / "site", Path(tmp) / "out"
        build_site(site, args.articles)
        with SiteServer(site) as server:
            crawl = subprocess.run(
                [sys.executable, "-m", "scrapy", "crawl", "moscowtimes", "-O", str(Path(tmp) / "crawl.jsonl"),
                 "-a", "since=2023-08-01", "-a", "until=2023-08-31",
                 "-s", "MIRRORS=" + json.dumps(mirrors_for("moscowtimes", server.url)),
                 "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "ARCHIVE_ENABLED=True",
                 "-s", f"OUTPUT_DIR={out}", *COMMON], cwd=ROOT, capture_output=True, text=True)
        crawled = len(read_jsonl(Path(tmp) / "crawl.jsonl"))
        crawl_seconds = stat(r"'elapsed_time_seconds': ([\d.]+)", crawl.stderr)
        (wacz,) = out.glob("moscowtimes/*/*.wacz")
        again = subprocess.run([sys.executable, "-m", "scrapy", "reextract", str(wacz), "-O",
                                str(Path(tmp) / "again.jsonl"), *COMMON], cwd=ROOT, capture_output=True, text=True)
        reextracted = len(read_jsonl(Path(tmp) / "again.jsonl"))
        seconds = stat(r"'elapsed_time_seconds': ([\d.]+)", again.stderr)
        size = wacz.stat().st_size
    print(f"crawl (fixture site, archive on): {crawled} articles in {crawl_seconds:.1f}s = "
          f"{crawled / crawl_seconds:.1f} articles/s")
    print(f"reextract (from the WACZ):        {reextracted} articles in {seconds:.1f}s = "
          f"{reextracted / seconds:.1f} articles/s")
    print(f"ratio:                            {(reextracted / seconds) / (crawled / crawl_seconds):.2f}")
    print(f"WACZ: {size / 1e6:.1f} MB, {size / max(crawled, 1) / 1024:.1f} KiB per article")


if __name__ == "__main__":
    main()
