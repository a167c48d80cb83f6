"""The examples of docs/output.md "Reading the output", taken from the page and run as a reader would,
on real crawls of the Moscow Times fixture site: gzip output, plain output, and a run that found
nothing. The jq part needs ``jq`` (``./run test`` installs Debian's); the pandas part needs pandas
(in the ``test`` extra; ``analysis`` for users)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.crawl import ROOT, SITES, run_crawl
from tests.siteserver import SiteServer

pytestmark = pytest.mark.integration
TWO_DAYS = ("-a", "since=2023-08-24", "-a", "until=2023-08-25")  # a news article and an opinion piece
NOTHING = ("-a", "since=2020-01-01", "-a", "until=2020-01-02")


def examples() -> dict[str, str]:
    text = (ROOT / "docs" / "output.md").read_text("utf-8")
    section = text[text.index("## Reading the output"):]
    blocks: dict[str, str] = {}
    for language, code in re.findall(r"```(bash|python)\n(.*?)```", section, re.S):
        blocks.setdefault(language, code)
    assert set(blocks) == {"bash", "python"}, "docs/output.md lost its examples"
    return blocks


def run_bash(code: str, cwd: Path) -> subprocess.CompletedProcess:
    if shutil.which("jq") is None:
        pytest.skip("jq is not installed (./run test installs Debian's jq)")
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", code], cwd=cwd, capture_output=True, text=True,
                          timeout=60)


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    pytest.importorskip("pandas")
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def server():
    with SiteServer(SITES / "moscowtimes") as running:
        yield running


def crawl(server: SiteServer, root: Path, *args: str, gzip: bool = False):  # noqa: ANN201
    result = run_crawl("moscowtimes", server.url, root / f"o{len(list(root.glob('o*.jsonl')))}.jsonl", *args,
                       settings={"OUTPUT_URI": str(root / "output"), "OUTPUT_GZIP": gzip})
    assert result.returncode == 0, result.log[-3000:]
    return result


def check(root: Path, items: list[dict], every_run: list[dict]) -> None:
    code = examples()
    bash = run_bash(code["bash"], root)
    assert bash.returncode == 0, bash.stderr
    lines = bash.stdout.splitlines()
    summary = json.loads(lines[0])
    assert summary["items"] == len(items) and summary["complete"] is True and summary["gaps"] == []
    articles = [json.loads(line) for line in lines[1:1 + len(items)]]
    assert sorted(a["url"] for a in articles) == sorted(i["url"] for i in items)
    assert lines[1 + len(items):] == [i["title"] for i in every_run if i["kind"] == "opinion"]
    python = run_python(code["python"], root)
    assert python.returncode == 0, python.stderr
    assert python.stdout.startswith(f"{len(items)} articles, complete: True\n")
    for section in {i["section"] for i in items}:
        assert re.search(rf"^{re.escape(section)}\s+{sum(1 for i in items if i['section'] == section)}$",
                         python.stdout, re.M), python.stdout


def test_examples_on_gzip_output(server, tmp_path):
    result = crawl(server, tmp_path, *TWO_DAYS, gzip=True)
    assert list((tmp_path / "output").rglob("*.jsonl.gz"))
    assert any(i["kind"] == "opinion" for i in result.items)
    check(tmp_path, result.items, result.items)


def test_examples_on_plain_output_then_on_a_run_that_found_nothing(server, tmp_path):
    first = crawl(server, tmp_path, *TWO_DAYS)
    assert not list((tmp_path / "output").rglob("*.gz"))
    check(tmp_path, first.items, first.items)
    empty = crawl(server, tmp_path, *NOTHING)
    assert empty.items == []
    check(tmp_path, [], first.items)  # the newest run has no article; every run's loop still reads the first
