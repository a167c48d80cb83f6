"""Parsing a huge article page (30 MB of tiny paragraphs), against a normal page, in the same run.

    python -m benchmarks.huge_page [--megabytes 30] [--project DIR] [-s NAME=VALUE ...]

Writes the Moscow Times seed fixture page (44 KB, tests/sites/moscowtimes/) and a copy whose article
body goes on with ``<p>N</p>`` paragraphs up to ``--megabytes`` MB (the hostile page of issue 10), and
runs the real ``scrapy article --url ... --html FILE`` on each (the whole path: parser, clean and
validate pipelines; no network). It reports the wall time and the peak resident set of each run
(``ru_maxrss`` from ``os.wait4``), and whether an article came out. ``--project`` runs another
checkout (e.g. the main branch, for a before/after figure); ``-s PARSE_MAX_BYTES=0 -s
PARSE_MAX_NODES=0`` turns the parse budget off in this one.
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

from tests.crawl import ROOT, SITES

MIB = 1024 * 1024
SEED = "2023/08/22/russian-army-officials-visit-libya-after-haftar-invite-a82219"
URL = f"https://www.themoscowtimes.com/{SEED}"
MARK = '<div class="article__content" y-name="article-content">'


def huge_page(megabytes: float) -> bytes:
    page = (SITES / "moscowtimes" / SEED).read_bytes()
    head, tail = page.split(MARK.encode(), 1)
    filler = bytearray()
    n = 0
    while len(filler) < megabytes * 1_000_000:
        filler += b"".join(b"<p>%d</p>" % i for i in range(n, n + 10_000))
        n += 10_000
    return head + MARK.encode() + tail.replace(b"</div>", b"</div>" + bytes(filler), 1)


def run(project: Path, page: Path, extra: list[str]) -> dict:
    cmd = [sys.executable, "-m", "scrapy", "article", "--url", URL, "--html", str(page), "-s", "LOG_LEVEL=WARNING",
           *extra]
    env = {**os.environ, "PYTHONPATH": str(project)}
    out, err = page.with_suffix(".out"), page.with_suffix(".err")
    started = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(cmd, cwd=project, env=env, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - started
    try:
        item = json.loads(out.read_bytes())
    except ValueError:
        item = None
    return {"seconds": elapsed, "peak_rss": usage.ru_maxrss * 1024, "exit": os.waitstatus_to_exitcode(status),
            "item": item, "size": page.stat().st_size, "log": err.read_text("utf-8", "replace")[-600:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=float, default=30)
    parser.add_argument("--project", type=Path, default=ROOT)
    parser.add_argument("-s", dest="settings", action="append", default=[], help="extra setting NAME=VALUE")
    args = parser.parse_args()
    extra = [x for s in args.settings for x in ("-s", s)]
    with tempfile.TemporaryDirectory() as tmp:
        normal = Path(tmp) / "normal.html"
        normal.write_bytes((SITES / "moscowtimes" / SEED).read_bytes())
        huge = Path(tmp) / "huge.html"
        huge.write_bytes(huge_page(args.megabytes))
        results = [(p, run(args.project.resolve(), p, extra)) for p in (normal, huge)]
    print(f"project {args.project.resolve()}, python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    for page, r in results:
        item = r["item"] or {}
        print(f"{page.name:12} {r['size'] / 1e6:6.2f} MB  {r['seconds']:5.1f} s  "
              f"peak RSS {r['peak_rss'] / MIB:6.0f} MiB  exit {r['exit']}  "
              f"article: {'yes' if item else 'no'}, body {len(item.get('body') or '')} chars")
        if r["exit"]:
            print("    log:", r["log"].strip().replace("\n", "\n    "))
    (_, ref), (_, big) = results
    print(f"ratio {big['peak_rss'] / ref['peak_rss']:.2f} peak RSS, {big['seconds'] / ref['seconds']:.2f} time "
          f"({args.megabytes:g} MB page vs the 44 KB page)")


if __name__ == "__main__":
    main()
