"""A fleet node's capacity: articles per hour and memory of Scrapyd jobs on a PostgreSQL state, against
a plain `scrapy crawl` in the same run.

    python -m benchmarks.fleet [--articles 600] [--nodes 2]

Builds the distinct-article Moscow Times-shaped site of benchmarks/recrawl.py, serves it on 127.0.0.1,
starts PostgreSQL (tests/pgserver.py) and N Scrapyd servers on 127.0.0.1 (tests/scrapydserver.py,
``max_proc = 1``, the egg put there by `scrapy deployall`), then:

1. reference: `scrapy crawl moscowtimes` in a subprocess (PostgreSQL state, local output), alone;
2. first crawl on every node at once: each node crawls the site into its own database of the same
   server (the same outlet twice in one state would be refused by its lease: a fleet runs different
   outlets on its nodes; one database each gives the same load without a second site);
3. every 30 minutes, again: the same jobs once more (incremental: nothing new to fetch), the cost of
   an outlet's routine run.

Per job: articles delivered, the crawl's own time (``elapsed_time_seconds``), Scrapyd's wall time for
the job (process start to end), and peak RSS (``VmHWM`` of the job's process, sampled until it ends);
and the Scrapyd daemon's own RSS. Everything runs on this machine at once; the ratio to the reference
is what carries over.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

from benchmarks.recrawl import build_site
from tests.crawl import ROOT, mirrors_for
from tests.pgserver import PostgresServer
from tests.scrapydserver import ScrapydServer, copy_project
from tests.siteserver import SiteServer

WINDOW = {"since": "2023-01-01", "until": "2023-08-31"}


def peak_rss_mib(pid: int) -> float:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"VmHWM:\s+(\d+) kB", text)
    return int(match.group(1)) / 1024 if match else 0.0


class Sampler(threading.Thread):
    """Samples the peak RSS of a process until it ends."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak = pid, 0.0

    def run(self) -> None:
        while Path(f"/proc/{self.pid}").exists():
            self.peak = max(self.peak, peak_rss_mib(self.pid))
            time.sleep(0.1)


def stat(log: str, name: str) -> float:
    found = re.findall(rf"'{re.escape(name)}': ([\d.]+)", log)
    return float(found[-1]) if found else 0.0


def settings(site: SiteServer, state: str, out: Path) -> dict[str, str]:
    return {"MIRRORS": json.dumps(mirrors_for("moscowtimes", site.url)), "STATE_URL": state,
            "OUTPUT_DIR": str(out), "OUTPUT_URI": str(out), "AUTOTHROTTLE_ENABLED": "False",
            "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "8", "LOG_LEVEL": "INFO"}


def reference(site: SiteServer, state: str, out: Path) -> dict[str, float]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "moscowtimes", "-a", f"since={WINDOW['since']}",
           "-a", f"until={WINDOW['until']}"]
    for name, value in settings(site, state, out).items():
        cmd += ["-s", f"{name}={value}"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = Sampler(proc.pid)
    sampler.start()
    log, _ = proc.communicate()
    sampler.join()
    return {"items": stat(log, "item_scraped_count"), "crawl_s": stat(log, "elapsed_time_seconds"),
            "wall_s": time.perf_counter() - started, "peak_mib": sampler.peak}


def round_of_jobs(nodes: list[ScrapydServer], site: SiteServer, states: list[str], outs: list[Path]) -> list[dict]:
    jobs = [node.schedule("moscowtimes", settings(site, state, out), **WINDOW)
            for node, state, out in zip(nodes, states, outs)]
    samplers = []
    for node, job in zip(nodes, jobs):
        sampler = Sampler(node.wait_state(job, "running", timeout=120)["pid"])
        sampler.start()
        samplers.append(sampler)
    results = []
    for node, job, sampler in zip(nodes, jobs, samplers):
        finished = node.wait_finished(job, timeout=3600)
        sampler.join()
        log = node.job_log("moscowtimes", job)
        wall = (datetime.fromisoformat(finished["end_time"]) - datetime.fromisoformat(finished["start_time"])).total_seconds()
        results.append({"items": stat(log, "item_scraped_count"), "crawl_s": stat(log, "elapsed_time_seconds"),
                        "wall_s": wall, "peak_mib": sampler.peak, "daemon_mib": peak_rss_mib(node.process.pid),
                        "ok": "Process finished" in node.exit_line(job)})
    return results


def line(name: str, r: dict, ref: dict | None = None) -> str:
    per_hour = r["items"] / r["crawl_s"] * 3600 if r["crawl_s"] else 0.0
    text = (f"{name:<22} {r['items']:>6.0f} articles  crawl {r['crawl_s']:>6.1f} s  wall {r['wall_s']:>6.1f} s  "
            f"{per_hour:>9,.0f} articles/h  peak RSS {r['peak_mib']:>5.0f} MiB")
    if "daemon_mib" in r:
        text += f"  (Scrapyd daemon {r['daemon_mib']:.0f} MiB)"
    if ref and ref["crawl_s"] and r["crawl_s"] and ref["items"]:
        text += f"  ratio {per_hour / (ref['items'] / ref['crawl_s'] * 3600):.2f}"
    return text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--nodes", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ruspress-fleet-") as tmp_name:
        tmp = Path(tmp_name)
        build_site(tmp / "site", args.articles)
        started: list = []
        try:
            pg = PostgresServer().start()
            started.append(pg)
            site = SiteServer(tmp / "site").start()
            started.append(site)
            import psycopg

            names = ["reference"] + [f"node{n}" for n in range(args.nodes)]
            with psycopg.connect(pg.url, autocommit=True) as conn:
                for name in names:
                    conn.execute(f"CREATE DATABASE {name}")
            states = {name: pg.url.rsplit("/", 1)[0] + f"/{name}" for name in names}
            ref = reference(site, states["reference"], tmp / "out-reference")
            nodes = []
            for n in range(args.nodes):
                node = ScrapydServer(tmp / f"node{n}", max_proc=1, items=False).start()
                started.append(node)
                nodes.append(node)
            (tmp / "project").mkdir()
            project = copy_project(tmp / "project")
            subprocess.run([sys.executable, "-m", "scrapy", "deployall", *[a for n in nodes for a in ("--url", n.url)],
                            "--version", "bench"], cwd=project, check=True, capture_output=True, timeout=600)
            node_states = [states[f"node{n}"] for n in range(args.nodes)]
            outs = [tmp / f"out-node{n}" for n in range(args.nodes)]
            first = round_of_jobs(nodes, site, node_states, outs)
            again = round_of_jobs(nodes, site, node_states, outs)
        finally:
            for component in reversed(started):
                component.stop()
    print(f"site: {args.articles} distinct articles; {args.nodes} Scrapyd nodes (max_proc 1) on one PostgreSQL server")
    print(line("reference (scrapy crawl)", ref))
    for n, r in enumerate(first):
        print(line(f"node{n} first crawl", r, ref) + ("" if r["ok"] else "  JOB FAILED"))
    for n, r in enumerate(again):
        print(line(f"node{n} 30 min later", r) + ("" if r["ok"] else "  JOB FAILED"))
    routine = max(r["wall_s"] for r in again)
    peak = max(r["peak_mib"] for r in first + again)
    print(f"an outlet's routine run: {routine:.1f} s of a job slot, {peak:.0f} MiB at most; a node with max_proc "
          f"slots runs about {1800 / routine:.0f} such runs per slot every 30 minutes")


if __name__ == "__main__":
    main()
