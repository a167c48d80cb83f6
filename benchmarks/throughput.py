"""End-to-end articles per second through a local fixture site, against `scrapy bench` in the same run.

    python -m benchmarks.throughput [--articles 500] [--archive]

Builds a copy of the Moscow Times fixture site with N article pages (copies of the template-derived
seed page under new ids) in one monthly sitemap, serves it on 127.0.0.1 and runs the real
`scrapy crawl moscowtimes` through MIRRORS with politeness off (no AutoThrottle, no delay, 8 requests
per domain: the same concurrency as `scrapy bench`), then `scrapy bench` (Scrapy's own local
link-following benchmark, which parses nothing) for the same number of seconds. Both run on this
machine, in this run, so the ratio is what matters. With ``--archive`` the crawl runs twice more,
without and with the evidence archive (``ARCHIVE_ENABLED``), alternating, and the archive's cost
(slowdown, bytes per article) is printed.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.crawl import ROOT, SITES, mirrors_for, read_jsonl
from tests.siteserver import SiteServer

SEED = "2023/08/22/russian-army-officials-visit-libya-after-haftar-invite-a82219"


def build_site(target: Path, count: int) -> None:
    shutil.copytree(SITES / "moscowtimes", target)
    (target / "_responses.json").unlink()  # no bad-input behaviour in a throughput run
    page = (target / SEED).read_text("utf-8")
    urls = []
    for n in range(count):
        ident = f"a{900000 + n}"
        path = f"2023/08/{1 + n % 28:02d}/generated-article-{n}-{ident}"
        urls.append(f"https://www.themoscowtimes.com/{path}")
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        (target / path).write_text(page.replace("a82219", ident), "utf-8")
    entries = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    (target / "sitemap" / "2023-8.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>')
    (target / "rss" / "news").write_text('<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>')


def stat(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    return float(match.group(1)) if match else float("nan")


def crawl(server: SiteServer, out: Path, *extra: str) -> tuple[int, float]:
    """(articles, seconds) of one `scrapy crawl moscowtimes` of the generated site (its CPU seconds,
    user + system, in ``crawl.cpu``)."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "moscowtimes", "-O", str(out),
           "-a", "since=2023-08-01", "-a", "until=2023-08-31",
           "-s", "MIRRORS=" + json.dumps(mirrors_for("moscowtimes", server.url)),
           "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
           "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "LOG_LEVEL=INFO",
           "-s", "STATE_ENABLED=False", *extra]  # the pages are copies of one text: dedup would keep one
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    crawl.cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)  # type: ignore[attr-defined]
    return len(read_jsonl(out)), stat(r"'elapsed_time_seconds': ([\d.]+)", proc.stderr)


def archive_cost(server: SiteServer, tmp: Path, rounds: int = 3) -> None:
    """Alternating crawls without and with the archive: wall-clock rate (noisy on a shared machine)
    and CPU time per article (what the archive adds to the work)."""
    plain, archived, plain_cpu, archived_cpu, size, count = [], [], [], [], 0, 0
    for n in range(rounds):
        items, seconds = crawl(server, tmp / f"plain{n}.jsonl", "-s", "ARCHIVE_ENABLED=False")
        plain.append(items / seconds)
        plain_cpu.append(crawl.cpu / items)  # type: ignore[attr-defined]
        out = tmp / f"archived{n}"
        items, seconds = crawl(server, tmp / f"archived{n}.jsonl", "-s", "ARCHIVE_ENABLED=True", "-s", f"OUTPUT_DIR={out}")
        archived.append(items / seconds)
        archived_cpu.append(crawl.cpu / items)  # type: ignore[attr-defined]
        (wacz,) = out.glob("moscowtimes/*/*.wacz")
        size, count = wacz.stat().st_size, items
    without, with_archive = statistics.median(plain), statistics.median(archived)
    cpu_without, cpu_with = statistics.median(plain_cpu) * 1000, statistics.median(archived_cpu) * 1000
    print(f"without archive: {without:.1f} articles/s; with archive: {with_archive:.1f} articles/s "
          f"({(1 - with_archive / without) * 100:+.1f} % slower; medians of {rounds} alternating runs each)")
    print(f"CPU per article: {cpu_without:.1f} ms without, {cpu_with:.1f} ms with the archive "
          f"({(cpu_with / cpu_without - 1) * 100:+.1f} %; process user + system time, startup included)")
    print(f"archive size:    {size / 1024:.0f} KiB for {count} articles = {size / max(count, 1) / 1024:.1f} KiB per article "
          f"(robots.txt, sitemaps and feeds included; page ~{(SITES / 'moscowtimes' / SEED).stat().st_size / 1024:.0f} KiB)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--archive", action="store_true", help="also measure the evidence archive's cost")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build_site(site, args.articles)
        out = Path(tmp) / "out.jsonl"
        with SiteServer(site) as server:
            items, seconds = crawl(server, out)
            if args.archive:
                archive_cost(server, Path(tmp))
        bench = subprocess.run([sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={max(5, round(seconds))}",
                                "-s", "LOG_LEVEL=INFO"], cwd=tmp, capture_output=True, text=True)
    pages = stat(r"'response_received_count': (\d+)", bench.stderr)
    bench_seconds = stat(r"'elapsed_time_seconds': ([\d.]+)", bench.stderr)
    ours = items / seconds
    reference = pages / bench_seconds
    print(f"ruspress crawl: {items} articles in {seconds:.1f}s = {ours:.1f} articles/s "
          f"(robots.txt, sitemaps, parse, clean, validate, JSON Lines export)")
    print(f"scrapy bench:   {pages:.0f} pages in {bench_seconds:.1f}s = {reference:.1f} pages/s (no parsing)")
    print(f"ratio:          {ours / reference:.2f}")


if __name__ == "__main__":
    main()
