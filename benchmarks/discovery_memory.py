"""Peak memory of discovering a huge sitemap, against the same crawl of a small one, in the same run.

    python -m benchmarks.discovery_memory [--urls 500000] [--reference 5000] [--pages 2000] [--project DIR]

Builds a site with the Moscow Times' layout (robots.txt -> sitemap index -> one urlset) whose urlset
lists N article URLs, all inside the crawl's date window (the worst case: every entry becomes an
article request), serves it on 127.0.0.1 and runs the real ``scrapy crawl moscowtimes`` through
MIRRORS with politeness off. Article pages are absent (404: cheap answers, so the figure is the cost
of discovery, not of parsing). Each crawl stops after ``--pages`` responses (CLOSESPIDER_PAGECOUNT):
memory is measured while the sitemap's entries are being turned into requests. The peak resident set
of the crawl process is read with ``os.wait4`` (the kernel's ``ru_maxrss``). The reference is the same
crawl with a ``--reference``-URL sitemap. ``--project`` runs another checkout (e.g. the main branch,
for a before/after figure) with this machine's virtualenv. The sitemap is ~95 bytes per URL
(500,000 URLs: ~45 MiB, under the protocol's 50 MB); pass ``-s DOWNLOAD_MAXSIZE=67108864`` to a
checkout that limits sitemaps to ``DOWNLOAD_MAXSIZE``. Linux only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.crawl import ROOT, mirrors_for
from tests.siteserver import SiteServer

MIB = 1024 * 1024
HOST = "https://www.themoscowtimes.com"


def build_site(target: Path, urls: int) -> int:
    """robots.txt, the index and one urlset of ``urls`` in-window article URLs; returns its size."""
    (target / "sitemap").mkdir(parents=True)
    (target / "robots.txt").write_text(
        "User-agent: *\nAllow: /\nSitemap: https://static.themoscowtimes.com/sitemap/sitemap.xml\n")
    (target / "sitemap" / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>https://static.themoscowtimes.com/sitemap/2023-8.xml</loc></sitemap></sitemapindex>")
    with (target / "sitemap" / "2023-8.xml").open("w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
        for n in range(urls):
            f.write(f"<url><loc>{HOST}/2023/08/{1 + n % 28:02d}/a{1000000 + n}</loc>"
                    f"<lastmod>2023-08-{1 + n % 28:02d}</lastmod></url>\n")
        f.write("</urlset>\n")
    (target / "rss").mkdir()
    (target / "rss" / "news").write_text('<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>')
    return (target / "sitemap" / "2023-8.xml").stat().st_size


def crawl(project: Path, server: SiteServer, out: Path, pages: int, extra: list[str]) -> dict:
    stats_file = out.with_suffix(".stats.json")
    cmd = [sys.executable, "-m", "scrapy", "crawl", "moscowtimes", "-O", str(out),
           "-a", "since=2023-08-01", "-a", "until=2023-08-31",
           "-s", "MIRRORS=" + json.dumps(mirrors_for("moscowtimes", server.url)),
           "-s", f"STATS_FILE={stats_file}", "-s", f"STATE_URL=sqlite:///{out.with_suffix('.state.sqlite')}",
           "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=ERROR",
           "-s", f"CLOSESPIDER_PAGECOUNT={pages}", "-s", "HEALTH_ENABLED=False", *extra]
    env = {**os.environ, "PYTHONPATH": str(project)}
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read() if proc.stderr else b""  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - started
    stats = json.loads(stats_file.read_text("utf-8")) if stats_file.exists() else {}
    return {"seconds": elapsed, "peak_rss": usage.ru_maxrss * 1024, "status": os.waitstatus_to_exitcode(status),
            "responses": stats.get("response_received_count", 0),
            "requests": stats.get("discovery/article_requests", 0),
            "scheduled": stats.get("scheduler/enqueued", 0),
            "log_tail": stderr.decode("utf-8", "replace")[-800:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--urls", type=int, default=500_000)
    parser.add_argument("--reference", type=int, default=5_000)
    parser.add_argument("--pages", type=int, default=2_000, help="stop each crawl after this many responses")
    parser.add_argument("--project", type=Path, default=ROOT, help="the checkout to run (default: this one)")
    parser.add_argument("-s", dest="settings", action="append", default=[], help="extra setting NAME=VALUE")
    args = parser.parse_args()
    extra = [x for s in args.settings for x in ("-s", s)]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for urls in (args.reference, args.urls):
            site = Path(tmp) / f"site-{urls}"
            size = build_site(site, urls)
            with SiteServer(site) as server:
                result = crawl(args.project.resolve(), server, Path(tmp) / f"out-{urls}.jsonl", args.pages, extra)
            results.append((urls, size, result))
    print(f"project {args.project.resolve()}, python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"each crawl stopped after {args.pages} responses")
    for urls, size, r in results:
        print(f"{urls:>8,} URLs ({size / MIB:5.1f} MiB sitemap): peak RSS {r['peak_rss'] / MIB:7.0f} MiB  "
              f"{r['seconds']:5.1f} s  responses {r['responses']}  article requests {r['requests']}  "
              f"scheduled {r['scheduled']}  exit {r['status']}")
        if r["status"] not in (0,):
            print("    log:", r["log_tail"].strip().replace("\n", "\n    "))
    (_, _, ref), (_, _, big) = results
    print(f"ratio {big['peak_rss'] / ref['peak_rss']:.2f} (peak RSS, {args.urls:,} URLs vs {args.reference:,})")


if __name__ == "__main__":
    main()
