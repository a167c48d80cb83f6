"""A fleet for real, on 127.0.0.1: two Scrapyd servers (two ports, two working directories) running
the egg `scrapy deployall` put on both, sharing one PostgreSQL crawl state and one S3 bucket (moto's
server), crawling a copy of the Moscow Times fixture site.

* the same outlet scheduled on both nodes at once crawls once: one job delivers, the other exits 6
  at once with one line, having touched nothing;
* a job killed with SIGKILL halfway (two batches of two articles delivered) leaves its lease; once it
  has expired (``STATE_LEASE_SECONDS=6`` here), `scrapy schedule` (one node down, reported) sends the
  outlet to the other node, which takes the lease over and delivers the rest: every article reaches
  the bucket exactly once.

One PostgreSQL server, one S3 server, one site and the two Scrapyd servers are shared by the module;
each test has its own database and bucket prefix.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from crawler import outlets
from tests.crawl import ROOT, SITES, expected, mirrors_for
from tests.pgserver import PostgresServer, find_bindir
from tests.scrapydserver import PROJECT, ScrapydServer, copy_project, free_port
from tests.siteserver import SiteServer

pytestmark = pytest.mark.integration
BUCKET = "fleet"
MT = "https://www.themoscowtimes.com"
ALL_URLS = set(expected("moscowtimes")["articles"])  # 12 articles, 2023-06-14 .. 2023-08-31
WINDOW = {"since": "2023-05-01", "until": "2023-08-31"}
LEASE_SECONDS = 6


class GatedSite(SiteServer):
    """The fixture site, where after ``gate_after`` distinct articles the requests for others wait (in the
    server's thread) until ``gate`` is opened: a crawl killed there has no upload in flight."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.gate_after: int | None = None
        self.gate = threading.Event()
        self.articles: set[str] = set()

    def resolve(self, method: str, raw_path: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        url = MT + raw_path.split("?")[0]
        if self.gate_after is not None and url in ALL_URLS:
            with self.lock:  # distinct articles (the fixture answers some with a 503 or 429 first)
                if url not in self.articles and len(self.articles) < self.gate_after:
                    self.articles.add(url)
                wait = url not in self.articles
            if wait:
                self.gate.wait(120)
        return super().resolve(method, raw_path, *args, **kwargs)

    def hold(self, after: int) -> None:
        """From now on, hold every article request after the first ``after`` until ``gate.set()``."""
        with self.lock:
            self.articles, self.gate_after = set(), after
        self.gate.clear()


@dataclass
class Fleet:
    a: ScrapydServer
    b: ScrapydServer
    pg: PostgresServer
    s3: str
    site: GatedSite
    tmp: Path
    deploy: subprocess.CompletedProcess

    def database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.pg.url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.pg.url.rsplit("/", 1)[0] + f"/{name}"

    def settings(self, state: str, prefix: str, node: ScrapydServer, **extra: str) -> dict[str, str]:
        return {"MIRRORS": json.dumps(mirrors_for("moscowtimes", self.site.url)), "STATE_URL": state,
                "OUTPUT_URI": f"s3://{BUCKET}/{prefix}", "AWS_ENDPOINT_URL": self.s3,
                "OUTPUT_SPOOL_DIR": str(node.root / "spool"), "STATE_LEASE_SECONDS": str(LEASE_SECONDS),
                "AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS": "1", **extra}

    def objects(self, prefix: str) -> dict[str, bytes]:
        s3 = s3_client(self.s3)
        listing = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix + "/").get("Contents", [])
        return {o["Key"]: s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listing}


def s3_client(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x",
                        aws_secret_access_key="y")


def items(objects: dict[str, bytes]) -> list[dict]:
    return [json.loads(line) for key, body in sorted(objects.items()) if key.endswith(".jsonl")
            for line in body.decode("utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    if find_bindir() is None:
        pytest.skip("PostgreSQL is not installed here (./run test installs Debian's postgresql)")
    tmp = tmp_path_factory.mktemp("fleet")
    site_dir = tmp / "site"
    shutil.copytree(SITES / "moscowtimes", site_dir)
    routes = json.loads((site_dir / "_responses.json").read_text("utf-8"))
    for path in [p for p, route in routes.items() if "times" in route]:  # no first-time 503/429 here: a retry
        del routes[path]  # queued behind a held request would never come (tests/integration/test_s3.py has them)
    (site_dir / "_responses.json").write_text(json.dumps(routes), "utf-8")
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    opener.open(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10).close()
    s3_client(endpoint).create_bucket(Bucket=BUCKET)
    env = {"AWS_ACCESS_KEY_ID": "AKIAFLEETTEST0000042", "AWS_SECRET_ACCESS_KEY": "fleet-test-secret",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": "1",
           "AWS_CONFIG_FILE": str(tmp / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "none")}
    started: list = []
    try:
        pg = PostgresServer().start()
        started.append(pg)
        nodes = []
        for name in ("node-a", "node-b"):
            node = ScrapydServer(tmp / name, env=env, items=False).start()  # Scrapyd's own feed would
            # hold every article until the end of the run (an article is delivered when all its feeds are)
            started.append(node)
            nodes.append(node)
        site = GatedSite(site_dir).start()
        started.append(site)
        (tmp / "project").mkdir()
        project = copy_project(tmp / "project")
        deploy = subprocess.run([sys.executable, "-m", "scrapy", "deployall", "--url", nodes[0].url,
                                 "--url", nodes[1].url, "--version", "r1"], cwd=project,
                                capture_output=True, text=True, timeout=300,
                                env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
        yield Fleet(nodes[0], nodes[1], pg, endpoint, site, tmp, deploy)
    finally:
        for component in reversed(started):
            component.stop()
        moto.stop()


def test_deployall_puts_the_same_egg_on_every_node(fleet: Fleet) -> None:
    assert fleet.deploy.returncode == 0, fleet.deploy.stdout + fleet.deploy.stderr[-3000:]
    lines = fleet.deploy.stdout.splitlines()
    assert len(lines) == 2
    for line, node in zip(lines, (fleet.a, fleet.b)):
        # Scrapyd counted the spiders of the egg it received: every outlet's
        assert line == f"deployed {PROJECT} r1 to {node.url}: {len(outlets.all_outlets())} spiders", line
    digests = set()
    for node in (fleet.a, fleet.b):
        assert node.call("listversions.json", project=PROJECT)["versions"] == ["r1"]
        (egg,) = (node.root / "eggs" / PROJECT).glob("r1*.egg")
        digests.add(hashlib.sha256(egg.read_bytes()).hexdigest())
    assert len(digests) == 1  # the very same bytes


def test_the_same_outlet_scheduled_on_both_nodes_at_once_crawls_once(fleet: Fleet) -> None:
    state = fleet.database("fleet_once")
    fleet.site.hold(0)  # the crawl that wins waits for its first article until the other has given up
    jobs = {node.url: node.schedule("moscowtimes", fleet.settings(state, "once", node), **WINDOW)
            for node in (fleet.a, fleet.b)}
    deadline = time.monotonic() + 120
    while not any(job["id"] in jobs.values() for node in (fleet.a, fleet.b) for job in node.jobs()["finished"]):
        assert time.monotonic() < deadline, "neither job finished"
        time.sleep(0.2)
    fleet.site.gate.set()
    for node in (fleet.a, fleet.b):
        node.wait_finished(jobs[node.url])
    exits = {node.url: node.exit_line(jobs[node.url]) for node in (fleet.a, fleet.b)}
    (winner,) = [node for node in (fleet.a, fleet.b) if "Process finished" in exits[node.url]]
    (loser,) = [node for node in (fleet.a, fleet.b) if "Process died: exitstatus=6" in exits[node.url]]
    log = loser.job_log("moscowtimes", jobs[loser.url])
    (line,) = [line for line in log.splitlines() if " ERROR: " in line]
    assert "moscowtimes: another crawl holds the lease on this outlet (host " in line and "(exit code 6)" in line
    assert f"job {jobs[winner.url]}" in line  # it names the job that holds it
    assert "Spider opened" not in log and "Traceback" not in log  # it touched nothing
    assert not (loser.root / "spool").exists()
    stored = fleet.objects("once")
    got = items(stored)
    assert sorted(i["url"] for i in got) == sorted(ALL_URLS)  # every article, once
    assert len([k for k in stored if k.endswith(".manifest.json")]) == 1
    import psycopg

    with psycopg.connect(state) as conn:
        assert conn.execute("SELECT COUNT(*), MIN(status) FROM runs").fetchone() == (1, "partial")  # a window that ended
        assert conn.execute("SELECT COUNT(*) FROM leases").fetchone() == (0,)  # released at the end


def test_a_job_killed_with_sigkill_is_taken_over_after_its_lease_expires(fleet: Fleet) -> None:
    import psycopg

    state = fleet.database("fleet_kill")
    fleet.site.hold(4)
    first = fleet.a.schedule("moscowtimes", fleet.settings(state, "kill", fleet.a, OUTPUT_BATCH_ITEMS="2"), **WINDOW)
    pid = fleet.a.wait_state(first, "running")["pid"]
    deadline = time.monotonic() + 120
    # four articles, then the site holds the fifth: two batches stored and recorded as delivered, nothing
    # in flight (a kill between an upload and its record would re-emit that batch: at least once)
    with psycopg.connect(state, autocommit=True) as conn:
        while len([k for k in fleet.objects("kill") if k.endswith(".jsonl")]) < 2 or conn.execute(
                "SELECT COUNT(*) FROM articles WHERE status = 'delivered'").fetchone()[0] < 4:
            assert time.monotonic() < deadline, (list(fleet.objects("kill")), conn.execute(
                "SELECT status, COUNT(*) FROM articles GROUP BY status").fetchall())
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
        (holder, left), = conn.execute(
            "SELECT holder, expires_at - EXTRACT(EPOCH FROM clock_timestamp()) FROM leases").fetchall()
    fleet.site.gate.set()
    assert left > 0  # the killed job could not release it (a job started now exits 6: the test above)
    fleet.a.wait_finished(first)
    assert "Process died" in fleet.a.exit_line(first), fleet.a.exit_line(first)
    with psycopg.connect(state) as conn:
        while conn.execute("SELECT expires_at > EXTRACT(EPOCH FROM clock_timestamp()) FROM leases").fetchone()[0]:
            time.sleep(0.2)
    # after it: the scheduler (a node down, reported) sends the outlet to the least busy node that is up
    dead = f"http://127.0.0.1:{free_port()}/"
    cmd = [sys.executable, "-m", "scrapy", "schedule", "moscowtimes", "--url", dead, "--url", fleet.b.url,
           "--url", fleet.a.url, "-a", f"since={WINDOW['since']}", "-a", f"until={WINDOW['until']}"]
    for name, value in fleet.settings(state, "kill", fleet.b).items():
        cmd += ["--setting", f"{name}={value}"]
    scheduled = subprocess.run(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                               text=True, timeout=60)
    assert scheduled.returncode == 0, scheduled.stdout + scheduled.stderr
    assert len(scheduled.stdout.splitlines()) == 2, scheduled.stdout
    down_line, line = scheduled.stdout.splitlines()
    assert down_line.startswith(f"down {dead}: ") and f"1 of 3 node(s) down: {dead}" in scheduled.stderr
    assert line.startswith("scheduled moscowtimes ") and line.endswith(f" on {fleet.b.url}")
    second = line.split()[2]
    fleet.b.wait_finished(second)
    assert "Process finished" in fleet.b.exit_line(second)
    log = fleet.b.job_log("moscowtimes", second)
    assert f"moscowtimes: took over the lease of an earlier crawl (host " in log and "expired" in log
    stored = fleet.objects("kill")
    got = items(stored)
    urls = [i["url"] for i in got]
    assert sorted(urls) == sorted(ALL_URLS)  # every article reached the bucket exactly once
    with psycopg.connect(state) as conn:
        statuses = [r[0] for r in conn.execute("SELECT status FROM runs ORDER BY id")]
    assert statuses == ["running", "partial"]  # the killed run stays "running"; the busy one left no row
    assert f"/{holder.split('/')[1]}/" in holder and holder not in log  # a new holder took it over
