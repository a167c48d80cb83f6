"""`scrapy schedule` across several Scrapyd nodes: the choice of node, busy outlets, nodes that are down,
basic auth from ~/.netrc or the environment. The nodes here are small stand-ins for Scrapyd's JSON API
on 127.0.0.1 (the answers follow Scrapyd 1.6's documented endpoints); tests/integration/test_fleet.py
runs the same command against two real Scrapyd servers."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawler.commands.schedule import Node, run, schedule_outlets
from crawler.scrapyd import ScrapydClient, credentials, node_urls
from tests.scrapydserver import free_port


class FakeScrapyd:
    def __init__(self, spiders: list[str], running: dict[str, str] | None = None, load: int = 0) -> None:
        self.spiders, self.running, self.load = spiders, dict(running or {}), load
        self.scheduled: list[str] = []
        self.auth: list[str | None] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self.answer()

            def do_POST(self) -> None:
                self.answer()

            def answer(self) -> None:
                fake.auth.append(self.headers.get("Authorization"))
                path = urllib.parse.urlsplit(self.path).path
                if path == "/daemonstatus.json":
                    body = {"status": "ok", "pending": 0, "running": fake.load + len(fake.running), "finished": 0}
                elif path == "/listspiders.json":
                    body = {"status": "ok", "spiders": fake.spiders}
                elif path == "/listjobs.json":
                    body = {"status": "ok", "pending": [], "finished": [],
                            "running": [{"id": job, "spider": name} for name, job in fake.running.items()]}
                elif path == "/schedule.json":
                    length = int(self.headers["Content-Length"])
                    form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                    spider = form["spider"][0]
                    fake.scheduled.append(spider)
                    fake.load += 1
                    body = {"status": "ok", "jobid": f"job-{spider}-{self.server.server_port}"}
                else:
                    body = {"status": "error", "message": path}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fleet() -> Iterator[list[FakeScrapyd]]:
    nodes = [FakeScrapyd(["meduza", "moscowtimes", "svoboda", "thebell"], load=2),
             FakeScrapyd(["meduza", "moscowtimes", "svoboda", "thebell"], running={"meduza": "j-77"})]
    yield nodes
    for node in nodes:
        node.close()


def test_each_outlet_goes_to_the_least_busy_node_and_busy_outlets_are_skipped(fleet):
    a, b = fleet  # a runs 2 jobs of another project, b runs meduza
    nodes = [Node(ScrapydClient(a.url)), Node(ScrapydClient(b.url))]
    lines = [o.line() for o in schedule_outlets(nodes, [], {}, {})]
    assert lines == [f"skipped meduza: job j-77 is running on {b.url}",
                     f"scheduled moscowtimes job-moscowtimes-{b.server.server_port} on {b.url}",  # b: 1, a: 2
                     f"scheduled svoboda job-svoboda-{a.server.server_port} on {a.url}",  # 2 and 2: the first given
                     f"scheduled thebell job-thebell-{b.server.server_port} on {b.url}"]  # a: 3, b: 2
    assert a.scheduled == ["svoboda"] and b.scheduled == ["moscowtimes", "thebell"]


def test_a_node_that_is_down_is_reported_and_the_others_take_its_share(fleet, capsys):
    a, b = fleet
    dead = f"http://127.0.0.1:{free_port()}/"
    code = run(["moscowtimes", "svoboda"], [dead, a.url, b.url], "ruspress", [], [])
    out, err = capsys.readouterr()
    assert code == 0
    assert out.splitlines()[0].startswith(f"down {dead}: daemonstatus.json: cannot reach Scrapyd at {dead}")
    assert sorted(a.scheduled + b.scheduled) == ["moscowtimes", "svoboda"]
    assert f"1 of 3 node(s) down: {dead}" in err
    # every node down: exit 1
    assert run(["moscowtimes"], [dead], "ruspress", [], []) == 1
    assert "no Scrapyd node is up" in capsys.readouterr().err


def test_unknown_outlets_and_credentials_as_settings_are_usage_errors(fleet, capsys):
    a, b = fleet
    assert run(["nosuch"], [a.url, b.url], "ruspress", [], []) == 2
    assert "not deployed in project 'ruspress' on any node that is up: nosuch" in capsys.readouterr().err
    assert run(["meduza"], [a.url], "ruspress", ["AWS_SECRET_ACCESS_KEY=x"], []) == 2
    assert a.scheduled == [] and b.scheduled == []


def test_basic_auth_from_netrc_per_host_else_from_the_environment(fleet, tmp_path, monkeypatch, capsys):
    a, _ = fleet
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("RUSPRESS_SCRAPYD_USERNAME", "envuser")
    monkeypatch.setenv("RUSPRESS_SCRAPYD_PASSWORD", "envpass-secret")
    assert credentials("http://node-b.example:6800/") == ("envuser", "envpass-secret")
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login scrapyd password netrc-secret\n")
    netrc.chmod(0o600)
    assert credentials(a.url) == ("scrapyd", "netrc-secret")
    assert run(["svoboda"], [a.url], "ruspress", [], []) == 0
    assert set(a.auth) == {"Basic c2NyYXB5ZDpuZXRyYy1zZWNyZXQ="}  # scrapyd:netrc-secret
    assert "secret" not in "".join(capsys.readouterr())


def test_node_lists():
    assert node_urls("http://a:6800, http://b:6800/ http://a:6800/") == ["http://a:6800/", "http://b:6800/"]
    assert node_urls(["http://a:6800"]) == ["http://a:6800/"] and node_urls("") == []
