"""Real Scrapyd 1.6 servers on 127.0.0.1 for the tests (tests/integration/test_scrapyd.py, test_fleet.py).

``ScrapydServer(root).start()`` runs ``python -m scrapyd`` on a free port with every directory under
``root`` and an environment of its own: the editable install of the project is hidden from Scrapyd and
its jobs (a sitecustomize on PYTHONPATH drops setuptools' editable finder), so jobs can only run the
deployed egg; requests not sent to 127.0.0.1 go to a proxy where nothing listens. ``stop()`` cancels
its jobs and stops the process it started (by its pid). ``copy_project()`` copies what an egg build
needs out of the checkout (the build writes build/ and *.egg-info into the project folder).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.crawl import ROOT

PROJECT = "ruspress"
HIDE_EDITABLE = """\
import sys
sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in getattr(f, "__module__", "")]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_project(target: Path) -> Path:
    for name in ("scrapy.cfg", "setup.py", "setup.cfg", "README.md"):
        shutil.copy(ROOT / name, target / name)
    shutil.copytree(ROOT / "crawler", target / "crawler", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


class ScrapydServer:
    def __init__(self, root: Path, env: dict[str, str] | None = None, max_proc: int = 2, items: bool = True) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.extra_env = env or {}
        self.max_proc = max_proc
        self.items = items  # False: items_dir empty, as deploy/scrapyd.conf recommends (no second feed)
        self.process: subprocess.Popen | None = None
        self.env: dict[str, str] = {}

    def start(self) -> ScrapydServer:
        root = self.root
        for name in ("eggs", "logs", "items", "dbs", "home", "hide_editable"):
            (root / name).mkdir(parents=True, exist_ok=True)
        (root / "hide_editable" / "sitecustomize.py").write_text(HIDE_EDITABLE)
        (root / "scrapyd.conf").write_text(f"""[scrapyd]
bind_address = 127.0.0.1
http_port = {self.port}
eggs_dir = {root / 'eggs'}
logs_dir = {root / 'logs'}
items_dir = {root / 'items' if self.items else ''}
dbs_dir = {root / 'dbs'}
jobs_dir =
max_proc = {self.max_proc}
poll_interval = 0.5
""")
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("RUSPRESS_", "SCRAPY_", "AWS_")) and key != "PYTHONPATH"}
        dead = f"http://127.0.0.1:{free_port()}"
        env.update({"HOME": str(root / "home"), "PYTHONPATH": str(root / "hide_editable"),
                    "http_proxy": dead, "https_proxy": dead, "HTTP_PROXY": dead, "HTTPS_PROXY": dead,
                    "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"})
        env.update(self.extra_env)
        self.env = env
        self._out = (root / "scrapyd.out").open("wb")
        self.process = subprocess.Popen([sys.executable, "-m", "scrapyd", "--pidfile="], cwd=root, env=env,
                                        stdout=self._out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.call("daemonstatus.json")
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError("Scrapyd did not start:\n" + self.log()[-3000:]) from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            jobs = self.jobs()
            for job in jobs["pending"] + jobs["running"]:
                self.call("cancel.json", [("project", PROJECT), ("job", job["id"])])
        except Exception:  # noqa: BLE001 - Scrapyd may already be gone, or have no project
            pass
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        self._out.close()

    def call(self, endpoint: str, form: list[tuple[str, str]] | None = None, **query: str) -> dict:
        url = self.url + endpoint + ("?" + urllib.parse.urlencode(query) if query else "")
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(urllib.request.Request(url, data=data), timeout=30) as answer:
            result = json.loads(answer.read())
        assert result["status"] == "ok", result
        return result

    def jobs(self) -> dict:
        return self.call("listjobs.json", project=PROJECT)

    def schedule(self, spider: str, settings: dict[str, str], **args: str) -> str:
        form = [("project", PROJECT), ("spider", spider), *args.items()]
        form += [("setting", f"{name}={value}") for name, value in settings.items()]
        return self.call("schedule.json", form)["jobid"]

    def wait_finished(self, job: str, timeout: float = 180) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for finished in self.jobs()["finished"]:
                if finished["id"] == job:
                    return finished
            time.sleep(0.3)
        raise AssertionError(f"job {job} did not finish in {timeout}s; Scrapyd log:\n{self.log()[-3000:]}")

    def wait_state(self, job: str, state: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for entry in self.jobs()[state]:
                if entry["id"] == job:
                    return entry
            time.sleep(0.2)
        raise AssertionError(f"job {job} never became {state}")

    def wait_idle(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = self.jobs()
            if not jobs["pending"] and not jobs["running"]:
                return
            time.sleep(0.3)
        raise AssertionError(f"jobs still busy: {self.jobs()}")

    def exit_line(self, job: str) -> str:
        """Scrapyd's launcher line for a finished job: "Process finished" (exit 0) or "Process died: exitstatus=N"."""
        lines = [line for line in self.log().splitlines() if f"job='{job}'" in line and "Process" in line]
        return lines[-1] if lines else ""

    def log(self) -> str:
        return (self.root / "scrapyd.out").read_text("utf-8", "replace")

    def job_log(self, spider: str, job: str) -> str:
        return (self.root / "logs" / PROJECT / spider / f"{job}.log").read_text("utf-8")
