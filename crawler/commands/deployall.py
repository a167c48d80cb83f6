"""``scrapy deployall [--url URL ...] [--version V]``: the same egg, built once, deployed to every Scrapyd node.

Builds the project's egg with ``scrapyd-deploy --build-egg`` (scrapyd-client, the ``[deploy]`` extra;
the same build as ``scrapyd-deploy``), then uploads those bytes to each node's ``addversion.json``
under one version (default: the current Unix time, as ``scrapyd-deploy`` does), so every node runs
the same code. Nodes: ``--url`` (repeatable), else ``SCRAPYD_NODES`` (env ``RUSPRESS_SCRAPYD_NODES``),
else ``SCRAPYD_URL``; basic auth per node from ``~/.netrc`` or the environment (``crawler/scrapyd.py``).

One line per node on stdout: ``deployed <project> <version> to <node>: <n> spiders`` or
``failed <node>: <reason>`` (the other nodes are still deployed). Exit codes: 0 every node deployed;
1 the egg could not be built or a node failed; 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.utils.conf import closest_scrapy_cfg

from crawler.commands.schedule import default_nodes
from crawler.scrapyd import DEFAULT_PROJECT, ScrapydClient, ScrapydError, node_urls


def build_egg(project_dir: Path, target: Path) -> None:
    """``scrapyd-deploy --build-egg <target>`` in ``project_dir``. Raises RuntimeError."""
    tool = shutil.which("scrapyd-deploy", path=os.pathsep.join([str(Path(sys.executable).parent),
                                                               os.environ.get("PATH", "")]))
    if tool is None:
        raise RuntimeError("scrapyd-deploy is not installed: pip install 'ruspress-crawler[deploy]'")
    proc = subprocess.run([tool, "--build-egg", str(target)], cwd=project_dir, capture_output=True, text=True,
                          timeout=600)
    if proc.returncode != 0 or not target.is_file():
        raise RuntimeError(f"scrapyd-deploy --build-egg failed: {(proc.stderr or proc.stdout).strip()[-2000:]}")


def deploy(urls: list[str], project: str, version: str, egg: bytes) -> tuple[list[str], bool]:
    """Upload ``egg`` to every node: (report lines, every node deployed)."""
    lines, ok = [], True
    for url in urls:
        client = ScrapydClient.for_node(url, project, timeout=120)
        try:
            answer = client.add_version(version, egg)
        except ScrapydError as exc:
            lines.append(f"failed {client.url}: {exc}")
            ok = False
            continue
        lines.append(f"deployed {project} {version} to {client.url}: {answer.get('spiders', '?')} spiders")
    return lines, ok


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[--url URL ...] [--project NAME] [--version VERSION]"

    def short_desc(self) -> str:
        return "Build the project's egg once and deploy it to every Scrapyd node"

    def long_desc(self) -> str:
        return __doc__ or self.short_desc()

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        assert self.settings is not None
        parser.add_argument("--url", "--node", dest="nodes", action="append", default=[], metavar="URL",
                            help="a Scrapyd node (repeatable; default SCRAPYD_NODES, else SCRAPYD_URL)")
        parser.add_argument("--project", default=self.settings.get("SCRAPYD_PROJECT") or DEFAULT_PROJECT)
        parser.add_argument("--version", default="", help="the version name (default: the Unix time now)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        urls = node_urls(opts.nodes) or default_nodes(self.settings.get("SCRAPYD_NODES"), self.settings.get("SCRAPYD_URL"))
        version = opts.version or str(int(time.time()))
        cfg = closest_scrapy_cfg()
        with tempfile.TemporaryDirectory(prefix="ruspress-egg-") as tmp:
            egg = Path(tmp) / f"{opts.project}-{version}.egg"
            try:
                build_egg(Path(cfg).parent, egg)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                print(f"deployall: {exc}", file=sys.stderr)
                self.exitcode = 1
                return
            lines, ok = deploy(urls, opts.project, version, egg.read_bytes())
        for line in lines:
            print(line, flush=True)
        self.exitcode = 0 if ok else 1
