"""Scrapyd for real: a Scrapyd 1.6 started on 127.0.0.1 (a free port) with every directory under the
test's tmp dir, the project deployed with `scrapyd-deploy` (the `remote` target of scrapy.cfg, URL from
RUSPRESS_SCRAPYD_URL), `moscowtimes` scheduled against the fixture site (`setting=MIRRORS=...`), and
`scrapy schedule` / `ruspress-schedule` skipping an outlet whose job is still pending or running.

The editable install of the project is hidden from Scrapyd and its jobs (a sitecustomize on PYTHONPATH
drops setuptools' editable finder), so the jobs can only run the deployed egg, from Scrapyd's own
working directory: anything relative to the checkout or the working directory would fail here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler import outlets
from tests.crawl import ROOT, SITES, expected, mirrors_for, read_jsonl
from tests.scrapydserver import PROJECT, ScrapydServer, copy_project, free_port
from tests.siteserver import SiteServer

pytestmark = pytest.mark.integration
EXPECTED_URLS = {url for url, art in expected("moscowtimes")["articles"].items()
                 if "2023-06-01" <= art["published_at"][:10] <= "2023-08-31"}
BIN = Path(sys.executable).parent
ENV_KEY_ID, ENV_SECRET = "AKIASCRAPYDENV000042", "scrapyd-environment-secret-never-logged-42"


class Scrapyd(ScrapydServer):
    def schedule_cli(self, *args: str, scrapy_command: bool = False) -> subprocess.CompletedProcess:
        """`ruspress-schedule` (python -m, as the console script runs it) or `scrapy schedule` in the checkout."""
        if scrapy_command:
            cmd = [sys.executable, "-m", "scrapy", "schedule", "--url", self.url, *args]
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
        else:
            cmd = [sys.executable, "-m", "crawler.commands.schedule", *args]
            env = {**os.environ, "PYTHONPATH": str(ROOT), "RUSPRESS_SCRAPYD_URL": self.url}
        return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    root = tmp_path_factory.mktemp("scrapyd")
    # S3 credentials come from Scrapyd's environment, as in deploy/ruspress.env
    server = Scrapyd(root, env={
        "AWS_ACCESS_KEY_ID": ENV_KEY_ID, "AWS_SECRET_ACCESS_KEY": ENV_SECRET, "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_MAX_ATTEMPTS": "1", "AWS_CONFIG_FILE": str(root / "home" / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(root / "home" / "none")})
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def deployed(scrapyd: Scrapyd, tmp_path_factory: pytest.TempPathFactory) -> Scrapyd:
    """`scrapyd-deploy remote -p ruspress` from a copy of the checkout (the egg build writes build/ and
    *.egg-info into the project folder; the shared checkout is left alone)."""
    project = copy_project(tmp_path_factory.mktemp("project"))
    env = {**scrapyd.env, "RUSPRESS_SCRAPYD_URL": scrapyd.url}
    proc = subprocess.run([str(BIN / "scrapyd-deploy"), "remote", "-p", PROJECT, "--version", "r1"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert '"status": "ok"' in proc.stdout and f'"project": "{PROJECT}"' in proc.stdout, proc.stdout
    return scrapyd


def test_jobs_cannot_see_the_checkout(scrapyd: Scrapyd) -> None:
    """The premise of the other tests: under Scrapyd's environment only the egg provides `crawler`."""
    proc = subprocess.run([sys.executable, "-c", "import crawler"], cwd=scrapyd.root, env=scrapyd.env,
                          capture_output=True, text=True)
    assert proc.returncode != 0 and "No module named 'crawler'" in proc.stderr


def test_the_egg_holds_the_package_and_its_data(deployed: Scrapyd) -> None:
    (egg,) = (deployed.root / "eggs" / PROJECT).glob("r1*.egg")
    names = set(zipfile.ZipFile(egg).namelist())
    tracked_data = subprocess.run(["git", "ls-files", "crawler"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    for path in tracked_data:
        if not path.endswith(".py"):
            assert path in names, f"{path} is not in the egg: add it to [options.package_data] in setup.cfg"
    assert "crawler/settings.py" in names and not any(name.startswith("tests/") for name in names)
    # zipimport (Scrapyd runs the zipped egg) has no namespace packages: every folder needs __init__.py
    folders = {name.rsplit("/", 1)[0] for name in names if name.startswith("crawler/") and name.endswith(".py")}
    assert sorted(f for f in folders if f"{f}/__init__.py" not in names) == []
    assert deployed.call("listversions.json", project=PROJECT)["versions"] == ["r1"]
    assert "moscowtimes" in deployed.call("listspiders.json", project=PROJECT)["spiders"]


def test_scheduled_job_delivers_items_and_manifest(deployed: Scrapyd, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with SiteServer(SITES / "moscowtimes") as site:
        settings = {"MIRRORS": json.dumps(mirrors_for("moscowtimes", site.url)), "OUTPUT_URI": str(out),
                    "OUTPUT_SPOOL_DIR": str(tmp_path / "spool"),
                    "STATE_URL": f"sqlite:///{tmp_path / 'state.sqlite'}",
                    "AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0"}
        form = [("project", PROJECT), ("spider", "moscowtimes"), ("since", "2023-06-01"), ("until", "2023-08-31")]
        form += [("setting", f"{name}={value}") for name, value in settings.items()]
        job = deployed.call("schedule.json", form)["jobid"]
        finished = deployed.wait_finished(job)
    log = deployed.job_log("moscowtimes", job)
    assert "Spider closed (finished)" in log, log[-3000:]
    assert " ERROR: " not in log and "Traceback" not in log, log[-3000:]
    launcher = [line for line in deployed.log().splitlines() if f"job='{job}'" in line]
    assert any("Process finished:" in line for line in launcher), launcher  # exit code 0 (else "Process died")
    (manifest_file,) = out.glob("moscowtimes/*/*.manifest.json")
    manifest = json.loads(manifest_file.read_text("utf-8"))
    assert manifest["job"] == job and manifest["run_id"].endswith("-" + job[:8])
    assert f"Output of run {manifest['run_id']} complete: {len(EXPECTED_URLS)} items in 1 files" in log
    (feed,) = manifest_file.parent.glob(f"{manifest['run_id']}-*.jsonl")
    items = read_jsonl(feed)
    assert {item["url"] for item in items} == EXPECTED_URLS and len(items) == manifest["items"]
    # Scrapyd's own items_dir copy (its FEEDS) is written too, and the job's log and items are served
    assert len(read_jsonl(deployed.root / "items" / PROJECT / "moscowtimes" / f"{job}.jl")) == len(EXPECTED_URLS)
    assert finished["log_url"].endswith(f"{job}.log")
    # nothing was written relative to Scrapyd's working directory
    assert sorted(p.name for p in deployed.root.iterdir()) == sorted(
        ["eggs", "logs", "items", "dbs", "home", "hide_editable", "scrapyd.conf", "scrapyd.out"])


def test_a_backfill_is_an_ordinary_job(deployed: Scrapyd, tmp_path: Path) -> None:
    """`-d backfill=1 -d since=... -d sources=...`: The Insider's September listed by a fixture Wayback
    Machine (tests/archives.py), one article deleted from the site and taken from its capture."""
    from datetime import datetime, timezone

    from tests.archives import ArchiveServer, Capture, insider_page

    site = tmp_path / "site"
    shutil.copytree(SITES / "theinsider", site)
    captures = []
    for n in (300301, 300302, 300303):
        page = insider_page(n, datetime(2026, 9, n - 300290, 9, 0, tzinfo=timezone.utc), seed=n)
        if n != 300303:  # 300303 was deleted from the site
            (site / "news" / str(n)).write_bytes(page)
        captures.append(Capture(f"https://theins.ru/news/{n}", f"202609{n - 300290:02d}120000", page))
    out = tmp_path / "out"
    with SiteServer(site) as server, ArchiveServer(captures) as archive:
        mirrors = {**mirrors_for("theinsider", server.url), **archive.mirrors()}
        settings = {"MIRRORS": json.dumps(mirrors), "OUTPUT_URI": str(out), "OUTPUT_SPOOL_DIR": str(tmp_path / "spool"),
                    "STATE_URL": f"sqlite:///{tmp_path / 'state.sqlite'}", "DOWNLOAD_SLOTS": "{}",
                    "AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0"}
        form = [("project", PROJECT), ("spider", "theinsider"), ("backfill", "1"), ("since", "2026-09-01"),
                ("until", "2026-09-30"), ("sources", "site,wayback")]
        form += [("setting", f"{name}={value}") for name, value in settings.items()]
        job = deployed.call("schedule.json", form)["jobid"]
        deployed.wait_finished(job)
    log = deployed.job_log("theinsider", job)
    assert "Spider closed (finished)" in log and "Traceback" not in log, log[-3000:]
    assert "back-fill of The Insider since 2026-09-01 from site, wayback" in log
    (feed,) = out.glob("theinsider/*/*.jsonl")
    items = {item["url"]: item for item in read_jsonl(feed)}
    assert sorted(items) == [f"https://theins.ru/news/{n}" for n in (300301, 300302, 300303)]
    assert items["https://theins.ru/news/300303"]["source"] == "wayback"
    assert items["https://theins.ru/news/300303"]["deleted_from_site"] is True


def test_failed_delivery_fails_the_job(deployed: Scrapyd, tmp_path: Path) -> None:
    """S3 down under Scrapyd: the job exits 3 ("Process died: exitstatus=3" in Scrapyd's log), its log
    says why, and the files wait in the spool."""
    dead = f"http://127.0.0.1:{free_port()}"
    with SiteServer(SITES / "moscowtimes") as site:
        settings = {"MIRRORS": json.dumps(mirrors_for("moscowtimes", site.url)), "OUTPUT_URI": "s3://corpus/news",
                    "AWS_ENDPOINT_URL": dead, "OUTPUT_SPOOL_DIR": str(tmp_path / "spool"),
                    "STATE_URL": f"sqlite:///{tmp_path / 'state.sqlite'}",
                    "AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0"}
        form = [("project", PROJECT), ("spider", "moscowtimes"), ("since", "2023-08-22"), ("until", "2023-08-22")]
        form += [("setting", f"{name}={value}") for name, value in settings.items()]
        job = deployed.call("schedule.json", form)["jobid"]
        deployed.wait_finished(job)
    launcher = [line for line in deployed.log().splitlines() if f"job='{job}'" in line]
    assert any("Process died: exitstatus=3" in line for line in launcher), launcher
    log = deployed.job_log("moscowtimes", job)
    assert "OUTPUT NOT DELIVERED" in log and "EndpointConnectionError" in log and "exit code 3" in log
    assert ENV_SECRET not in log and ENV_KEY_ID not in log
    assert list((tmp_path / "spool" / "moscowtimes").glob("*/*.jsonl.spool.json"))


def test_schedule_skips_busy_outlets_and_runs_the_rest(deployed: Scrapyd, tmp_path: Path) -> None:
    with SiteServer(SITES / "moscowtimes") as site:
        site.routes["/robots.txt"] = {"delay": 60}  # the first job hangs at its first request
        settings = ["--setting", "MIRRORS=" + json.dumps(mirrors_for("moscowtimes", site.url)),
                    "--setting", f"OUTPUT_URI={tmp_path / 'out'}", "--setting", f"OUTPUT_SPOOL_DIR={tmp_path / 'spool'}",
                    "--setting", f"STATE_URL=sqlite:///{tmp_path / 'state.sqlite'}", "--setting", "DOWNLOAD_TIMEOUT=120"]
        first = deployed.schedule_cli("moscowtimes", *settings, "-a", "since=2023-08-01", "-a", "until=2023-08-31")
        assert first.returncode == 0, first.stderr
        (line,) = first.stdout.splitlines()
        assert line.startswith("scheduled moscowtimes ") and line.endswith(f" on {deployed.url}")
        job = line.split()[2]
        # pending or running: either way a second pass must not queue another job
        again = deployed.schedule_cli("moscowtimes", *settings)
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip() in (f"skipped moscowtimes: job {job} is pending on {deployed.url}",
                                        f"skipped moscowtimes: job {job} is running on {deployed.url}")
        deployed.wait_state(job, "running")
        # every deployed outlet by default, through `scrapy schedule` in the checkout this time
        spiders = deployed.call("listspiders.json", project=PROJECT)["spiders"]
        others = [name for name in spiders if name != "moscowtimes"]
        everyone = deployed.schedule_cli(*offline_settings(tmp_path), scrapy_command=True)
        assert everyone.returncode == 0, everyone.stderr
        lines = everyone.stdout.splitlines()
        assert f"skipped moscowtimes: job {job} is running on {deployed.url}" in lines
        assert sorted(l.split()[1] for l in lines if l.startswith("scheduled ")) == sorted(others)
        jobs = deployed.jobs()
        assert [j["id"] for j in jobs["pending"] + jobs["running"] if j["spider"] == "moscowtimes"] == [job]
        deployed.call("cancel.json", [("project", PROJECT), ("job", job), ("signal", "KILL")])  # it hangs
        deployed.wait_finished(job)
        for other in jobs["pending"] + jobs["running"]:
            if other["spider"] != "moscowtimes":
                deployed.call("cancel.json", [("project", PROJECT), ("job", other["id"])])
    # the outlet is free again: the next pass schedules it
    deployed.wait_idle()
    later = deployed.schedule_cli("moscowtimes", *offline_settings(tmp_path))
    assert later.returncode == 0 and later.stdout.startswith("scheduled moscowtimes "), later.stdout + later.stderr
    new_job = later.stdout.split()[2]
    assert new_job != job
    deployed.call("cancel.json", [("project", PROJECT), ("job", new_job)])


def test_schedule_errors(deployed: Scrapyd) -> None:
    unknown = deployed.schedule_cli("no-such-outlet")
    assert unknown.returncode == 2 and "not deployed" in unknown.stderr and not unknown.stdout
    secret = deployed.schedule_cli("moscowtimes", "--setting", "AWS_SECRET_ACCESS_KEY=abc")
    assert secret.returncode == 2 and "refusing" in secret.stderr
    down = subprocess.run([sys.executable, "-m", "crawler.commands.schedule", "--url", f"http://127.0.0.1:{free_port()}/"],
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    assert down.returncode == 1 and "cannot reach Scrapyd" in down.stdout and "no Scrapyd node is up" in down.stderr


def offline_settings(tmp_path: Path) -> list[str]:
    """Job settings for outlets that are only scheduled, not tested: every outlet's hosts go to a port
    on 127.0.0.1 where nothing listens, no browser, a one-second time limit, output and state in tmp."""
    dead = f"http://127.0.0.1:{free_port()}"
    mirrors = {host: dead for outlet in outlets.all_outlets().values() for host in outlet.hosts}
    return ["--setting", "MIRRORS=" + json.dumps(mirrors), "--setting", "RENDER_ENABLED=False",
            "--setting", "CLOSESPIDER_TIMEOUT=1", "--setting", "RETRY_ENABLED=False",
            "--setting", f"OUTPUT_URI={tmp_path / 'offline'}", "--setting", f"OUTPUT_SPOOL_DIR={tmp_path / 'spool'}",
            "--setting", f"STATE_URL=sqlite:///{tmp_path / 'state'}-%(name)s.sqlite"]
