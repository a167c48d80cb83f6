"""Offline demo: serve the bundled Moscow Times fixture site on 127.0.0.1 and crawl it through MIRRORS.

    ./run demo            (or: python -m tests.demo [--port 8765])

Runs the real ``scrapy crawl moscowtimes`` (robots.txt -> sitemap index -> monthly sitemaps + RSS ->
articles -> pipelines -> feed), writes output/moscowtimes/<YYYY-MM-DD>/<run id>-00001.jsonl (and a manifest), then prints a summary.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from crawler import outlets
from tests.crawl import ROOT, SITES
from tests.siteserver import SiteServer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--outlet", default="moscowtimes")
    parser.add_argument("--since", default="2023-06-01")
    parser.add_argument("--until", default="2023-08-31")
    args = parser.parse_args()
    server = SiteServer(SITES / args.outlet, args.port).start()
    mirrors = {host: server.url for host in outlets.get(args.outlet).hosts}
    out_dir = ROOT / "output" / args.outlet
    before = set(out_dir.rglob("*.jsonl")) if out_dir.exists() else set()
    state = Path(tempfile.mkdtemp(prefix="ruspress-demo-")) / "state.sqlite"  # fresh: every demo exports all
    cmd = [sys.executable, "-m", "scrapy", "crawl", args.outlet, "-a", f"since={args.since}",
           "-a", f"until={args.until}", "-s", "MIRRORS=" + json.dumps(mirrors), "-s", f"STATE_URL=sqlite:///{state}"]
    print(f"Serving tests/sites/{args.outlet} on {server.url}\n$ {' '.join(cmd[2:])}\n", flush=True)
    try:
        code = subprocess.run(cmd, cwd=ROOT).returncode
    finally:
        server.stop()
    new = sorted(set(out_dir.rglob("*.jsonl")) - before)
    if not new:
        print("No feed was written; see the log above.")
        return code or 1
    items = [json.loads(line) for line in new[-1].read_text("utf-8").splitlines() if line.strip()]
    print(f"\n{len(items)} articles in {new[-1].relative_to(ROOT)}:")
    for item in items:
        print(f"  {item['published_at'][:10]}  {item['kind']:<8} {item['title'][:70]}  ({len(item['authors'])} author(s), {item['word_count']} words)")
    if items:
        first = dict(items[0], body=textwrap.shorten(items[0]["body"], 300))
        print("\nFirst item (body shortened):\n" + json.dumps(first, ensure_ascii=False, indent=2))
    return code


if __name__ == "__main__":
    sys.exit(main())
