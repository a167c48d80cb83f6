"""Re-crawl of an unchanged 2,000-article site: how many article pages it requests and how long it takes.

    python -m benchmarks.recrawl [--articles 2000]

Builds a Moscow Times-shaped site of N distinct articles (the template-derived seed page, each with
its own invented body of random words, so that none is a duplicate of another) listed bare in one
monthly sitemap, the newest 50 also in the RSS feed with their ``pubDate`` (like the real site), serves
it on 127.0.0.1 and runs the real ``scrapy crawl moscowtimes`` through MIRRORS three times with one
SQLite crawl state: the first crawl, the same crawl again (incremental: goal 0 article requests), and
``-a mode=refresh`` (every article re-checked with a conditional request). Politeness is off (no
AutoThrottle, no delay, 8 requests per domain) as in benchmarks/throughput.py. Times are the crawl's
own (``elapsed_time_seconds``) and the whole process's (with Python and Scrapy start-up).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from pathlib import Path

import lxml.html

from tests.crawl import ROOT, SITES, mirrors_for, read_jsonl
from tests.siteserver import SiteServer

SEED = "2023/08/22/russian-army-officials-visit-libya-after-haftar-invite-a82219"
BODY_PARAGRAPHS = 7  # the seed's own paragraphs; the rest of div.article__content is boilerplate
WORDS = ("the a of to in and said on for that with was as by at from his it an were are which this be has "
         "kremlin ministry court regional governor moscow ukraine war army drone attack ruble bank rate "
         "prices oil gas export budget election opposition journalist media foreign agent law police "
         "protest arrest detained sentenced years prison official spokesman president government "
         "region siberia fire forest smoke city residents school hospital doctors village road bridge "
         "sanctions company director factory workers salaries pension inflation deputy parliament vote").split()


def build_site(target: Path, count: int, seed: int = 1) -> list[str]:
    shutil.copytree(SITES / "moscowtimes", target)
    (target / "_responses.json").unlink()  # no bad-input behaviour here
    rng = random.Random(seed)
    template = lxml.html.parse(str(target / SEED)).getroot()
    urls = []
    start = datetime(2023, 8, 31, 20, 0, tzinfo=timezone(timedelta(hours=3)))
    for n in range(count):
        ident = f"a{900000 + n}"
        published = start - timedelta(minutes=20 * n)
        path = f"{published:%Y/%m/%d}/generated-article-{n}-{ident}"
        for p in template.cssselect("div.article__content p")[:BODY_PARAGRAPHS]:
            p.text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(35, 60))).capitalize() + "."
            for child in list(p):
                p.remove(child)
        html = lxml.html.tostring(template, encoding="unicode", doctype="<!DOCTYPE html>").replace("a82219", ident)
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        (target / path).write_text(html, "utf-8")
        urls.append((f"https://www.themoscowtimes.com/{path}", published))
    months: dict[str, list[str]] = {}
    for url, published in urls:
        months.setdefault(f"{published.year}-{published.month}", []).append(url)
    index = []
    for month, listed in months.items():
        entries = "".join(f"<url><loc>{u}</loc></url>" for u in listed)
        (target / "sitemap" / f"{month}.xml").write_text(
            f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</urlset>", "utf-8")
        index.append(f"<sitemap><loc>https://static.themoscowtimes.com/sitemap/{month}.xml</loc></sitemap>")
    (target / "sitemap" / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(index) + "</sitemapindex>", "utf-8")
    items = "".join(f"<item><title>t</title><link>{u}</link><pubDate>{format_datetime(p)}</pubDate></item>"
                    for u, p in urls[:50])
    (target / "rss" / "news").write_text(f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>',
                                         "utf-8")
    return [u for u, _ in urls]


def crawl(server: SiteServer, out: Path, state: str, since: str, *args: str) -> dict:
    stats_file = out.with_suffix(".stats.json")
    cmd = [sys.executable, "-m", "scrapy", "crawl", "moscowtimes", "-O", str(out), "-a", f"since={since}",
           "-a", "until=2023-08-31", *args, "-s", "MIRRORS=" + json.dumps(mirrors_for("moscowtimes", server.url)),
           "-s", f"STATE_URL={state}", "-s", f"STATS_FILE={stats_file}", "-s", "AUTOTHROTTLE_ENABLED=False",
           "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "LOG_LEVEL=INFO"]
    before = len(server.log)
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(proc.stderr[-3000:])
    stats = json.loads(stats_file.read_text("utf-8"))
    articles = [e for e in server.log[before:] if "/generated-article-" in e.path]
    duplicates = sum(v for k, v in stats.items() if k in ("dedup/marked/near", "dedup/dropped/near",
                                                          "dedup/dropped/fingerprint"))
    return {"items": len(read_jsonl(out)), "article_requests": len(articles), "duplicates": duplicates,
            "not_modified": sum(1 for e in articles if e.status == 304),
            "crawl_s": stats.get("elapsed_time_seconds", float("nan")), "wall_s": wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        urls = build_site(site, args.articles)
        since = min(u.split("/")[3:6] for u in urls)
        state = f"sqlite:///{tmp}/state.sqlite"
        with SiteServer(site) as server:
            first = crawl(server, Path(tmp) / "first.jsonl", state, "-".join(since))
            again = crawl(server, Path(tmp) / "again.jsonl", state, "-".join(since))
            refresh = crawl(server, Path(tmp) / "refresh.jsonl", state, "-".join(since), "-a", "mode=refresh")
        size = Path(tmp, "state.sqlite").stat().st_size / 2**20
    print(f"site: {args.articles} distinct articles ({len(urls)} in the sitemaps, newest 50 in the RSS feed)")
    print(f"{'run':<22} {'article requests':>17} {'304':>6} {'exported':>9} {'crawl s':>8} {'wall s':>7}")
    for name, r in (("first crawl", first), ("same crawl again", again), ("-a mode=refresh", refresh)):
        print(f"{name:<22} {r['article_requests']:>17} {r['not_modified']:>6} {r['items']:>9} "
              f"{r['crawl_s']:>8.1f} {r['wall_s']:>7.1f}")
    print(f"re-crawl / first crawl: {again['crawl_s'] / first['crawl_s']:.3f} of the crawl time, "
          f"{again['wall_s'] / first['wall_s']:.2f} of the wall time; refresh: "
          f"{refresh['crawl_s'] / first['crawl_s']:.2f} / {refresh['wall_s'] / first['wall_s']:.2f}")
    print(f"state after three runs: {size:.1f} MB; articles taken for duplicates of another: {first['duplicates']}")


if __name__ == "__main__":
    main()
