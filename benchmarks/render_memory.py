"""Peak memory of rendering N pages in the browser, against the same crawl without a browser.

    python -m benchmarks.render_memory [--pages 200] [--pages-per-context 0]

Builds a copy of the render fixture site (tests/sites/render/) with N application-shell pages (copies
of ``/news/js-article``: an empty ``<div id="root">`` that a script fills from a JSON request, with an
image and a web font that the browser must not download), serves it on 127.0.0.1 and runs the real
``scrapy crawl rendertest -a render=always`` through MIRRORS with politeness off. Every 0.2 s it
samples the memory of the crawl's whole process tree (Scrapy, Playwright's driver, every Chromium
process), from /proc: RSS summed (an over-count: Chromium's processes share pages) and PSS summed
(shared pages split between their users; the honest total). It prints the peak, and the total after
each quarter of the pages, which shows whether memory grows with the number of pages. The reference
is the same crawl with ``-a render=never`` (plain HTTP, no browser) in the same run. Linux only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.crawl import ROOT
from tests.integration.render_site import HOST, SITE, TEST_OUTLETS_ENV
from tests.siteserver import SiteServer

MIB = 1024 * 1024


def build_site(target: Path, pages: int) -> None:
    """N copies of the JS article, a feed listing them, and their JSON."""
    shutil.copytree(SITE, target)
    shutil.rmtree(target / "news")
    (target / "news").mkdir()
    template = (SITE / "news" / "js-article").read_text("utf-8")
    data = json.loads((SITE / "api" / "articles" / "js-article.json").read_text("utf-8"))
    items = []
    for n in range(pages):
        slug = f"bench-{n:04d}"
        (target / "news" / slug).write_text(template.replace("js-article", slug), "utf-8")
        copy = dict(data, slug=slug, paragraphs=[f"{p} ({n})" for p in data["paragraphs"]] * 3)
        (target / "api" / "articles" / f"{slug}.json").write_text(json.dumps(copy, ensure_ascii=False), "utf-8")
        items.append(f"<item><title>{slug}</title><link>https://{HOST}/news/{slug}</link>"
                     f"<pubDate>Tue, 04 Mar 2025 09:00:00 +0300</pubDate></item>")
    (target / "feed.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>bench</title>'
        + "".join(items) + "</channel></rss>", "utf-8")


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def memory(pids: list[int]) -> tuple[int, int]:
    """(RSS, PSS) summed over ``pids``, in bytes."""
    rss = pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
        except OSError:
            continue
    return rss, pss


def crawl(server: SiteServer, out: Path, pages: int, mode: str, extra: list[str]) -> dict:
    stats_file = out.with_suffix(".stats.json")
    cmd = [sys.executable, "-m", "scrapy", "crawl", "rendertest", "-O", str(out), "-a", "since=2025-01-01",
           "-a", f"render={mode}", "-s", "MIRRORS=" + json.dumps({HOST: server.url}),
           "-s", f"STATS_FILE={stats_file}", "-s", f"STATE_URL=sqlite:///{out.with_suffix('.state.sqlite')}", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
           "-s", "LOG_LEVEL=WARNING", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", *extra]
    env = {**os.environ, "PYTHONPATH": str(ROOT), TEST_OUTLETS_ENV: "1"}
    samples: list[tuple[int, int, int]] = []  # (pages served so far, rss, pss)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.extend(proc.stderr), daemon=True)  # type: ignore[arg-type]
    reader.start()
    while proc.poll() is None:
        served = len(server.requests_to(lambda p: p.startswith("/api/articles/") or p.startswith("/news/")))
        rss, pss = memory(tree(proc.pid))
        if rss:
            samples.append((served, rss, pss))
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    reader.join(timeout=5)
    stats = json.loads(stats_file.read_text("utf-8")) if stats_file.exists() else {}
    items = sum(1 for line in out.read_text("utf-8").splitlines() if line.strip()) if out.exists() else 0
    quarters = []
    per_page = 2 if mode != "never" else 1  # a rendered page also fetches its JSON
    for q in (1, 2, 3, 4):
        done = [s for s in samples if s[0] <= q * pages * per_page // 4]
        quarters.append(max((s[2] for s in done), default=0))
    return {"mode": mode, "seconds": elapsed, "items": items, "returncode": proc.returncode,
            "peak_rss": max((s[1] for s in samples), default=0), "peak_pss": max((s[2] for s in samples), default=0),
            "pss_by_quarter": quarters, "rendered": stats.get("render/pages", 0),
            "aborted": stats.get("playwright/request_count/aborted", 0),
            "max_pages": stats.get("playwright/page_count/max_concurrent", 0),
            "contexts": stats.get("playwright/context_count", 0),
            "log_tail": "".join(log[-5:])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("-s", dest="settings", action="append", default=[],
                        help="extra scrapy setting for the rendered crawl, NAME=VALUE")
    args = parser.parse_args()
    extra = [x for s in args.settings for x in ("-s", s)]
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build_site(site, args.pages)
        results = []
        for mode in ("never", "always"):
            with SiteServer(site) as server:
                results.append(crawl(server, Path(tmp) / f"{mode}.jsonl", args.pages, mode,
                                     extra if mode == "always" else []))
    print(f"{args.pages} application-shell pages, python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    for r in results:
        print(f"render={r['mode']:6}  {r['seconds']:5.1f} s  items {r['items']:3}  rendered {r['rendered']:3}  "
              f"peak RSS {r['peak_rss'] / MIB:6.0f} MiB  peak PSS {r['peak_pss'] / MIB:6.0f} MiB  "
              f"PSS after each quarter: {' / '.join(f'{q / MIB:.0f}' for q in r['pss_by_quarter'])} MiB")
        if r["mode"] == "always":
            print(f"    browser: {r['max_pages']} pages open at most, {r['contexts']} context(s), "
                  f"{r['aborted']} image/media/font requests aborted")
        if r["returncode"]:
            print(f"    crawl failed ({r['returncode']}): {r['log_tail']}")


if __name__ == "__main__":
    main()
