"""``scrapy schedule [OUTLET ...]`` (in the project) or ``ruspress-schedule [OUTLET ...]`` (installed):
ask a fleet of Scrapyd nodes to run the chosen outlets, all deployed spiders by default.

For each node (``--url``, repeatable; else ``SCRAPYD_NODES``, env ``RUSPRESS_SCRAPYD_NODES``, URLs
separated by commas or spaces; else ``SCRAPYD_URL``, env ``RUSPRESS_SCRAPYD_URL``, default
http://127.0.0.1:6800/) it asks ``daemonstatus.json`` (up, and how busy: pending + running jobs),
the deployed spiders and the project's pending and running jobs. Then every outlet with a job pending
or running on any node is skipped (Scrapyd would happily queue a second one), and each other outlet
goes to the least busy node that is up and has it deployed (ties: the order the nodes were given).
A node that is down is reported and left out; the others get its share. An outlet still running on a
node that cannot be reached may be scheduled elsewhere: its lease in the crawl state
(``crawler/state/lease.py``) makes the second job exit at once (code 6).

Meant to be called every N minutes by cron or a systemd timer (deploy/). One line per outlet and per
node that is down, on stdout: ``scheduled <outlet> <job id> on <node>``, ``skipped <outlet>: job <id>
is running|pending on <node>``, ``down <node>: <reason>``.
Exit codes: 0 every outlet scheduled or skipped (some nodes may be down); 1 no node is up, or an
outlet could not be scheduled on any node; 2 bad arguments (an outlet no node has deployed, a
credential passed as a job setting).

Reads: ``--project`` / SCRAPYD_PROJECT (default ``ruspress``); HTTP basic auth per node from
``~/.netrc`` or the environment (RUSPRESS_SCRAPYD_USERNAME, RUSPRESS_SCRAPYD_PASSWORD), never from
arguments and never printed. Job settings (``--setting NAME=VALUE``) and spider arguments
(``-a NAME=VALUE``) are passed to every job. Credentials are refused as job settings: Scrapyd logs
every job's arguments; give them to Scrapyd's environment instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.exports.redact import SECRET_NAME
from crawler.scrapyd import DEFAULT_PROJECT, DEFAULT_URL, ScrapydClient, ScrapydError, node_urls


@dataclass
class Node:
    client: ScrapydClient
    load: int = 0
    spiders: list[str] = field(default_factory=list)
    busy: dict[str, tuple[str, str]] = field(default_factory=dict)
    down: str = ""  # why it is left out

    @property
    def url(self) -> str:
        return self.client.url

    def probe(self) -> None:
        try:
            self.load = self.client.load()
            self.spiders = self.client.spiders()
            self.busy = self.client.busy()
        except ScrapydError as exc:
            self.down = str(exc)


@dataclass
class Outcome:
    outlet: str
    action: str  # scheduled | skipped | down | failed
    job: str = ""
    state: str = ""
    node: str = ""

    def line(self) -> str:
        if self.action == "scheduled":
            return f"scheduled {self.outlet} {self.job} on {self.node}"
        if self.action == "skipped":
            return f"skipped {self.outlet}: job {self.job} is {self.state} on {self.node}"
        if self.action == "down":
            return f"down {self.node}: {self.state}"
        return f"failed {self.outlet}: {self.state}"


def pairs(values: list[str], option: str) -> dict[str, str]:
    found = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name:
            raise UsageError(f"{option} {value!r}: expected NAME=VALUE")
        found[name] = rest
    return found


def check_settings(settings: dict[str, str]) -> None:
    secret = sorted(name for name in settings if SECRET_NAME.search(name))
    if secret:
        raise UsageError(f"refusing to pass {', '.join(secret)} as a job setting: Scrapyd logs every job's "
                         "arguments. Put credentials in Scrapyd's environment (deploy/ruspress.env).")


def schedule_outlets(nodes: list[Node], outlets: list[str], settings: dict[str, str],
                     args: dict[str, str]) -> list[Outcome]:
    """Schedule ``outlets`` (every spider deployed on a node that is up, when empty) across ``nodes``.
    Raises UsageError for an outlet no node that is up has deployed (nothing is scheduled then)."""
    check_settings(settings)
    for node in nodes:
        node.probe()
    outcomes = [Outcome("", "down", state=node.down, node=node.url) for node in nodes if node.down]
    up = [node for node in nodes if not node.down]
    if not up:
        return outcomes
    deployed = list(dict.fromkeys(name for node in up for name in node.spiders))
    chosen = list(dict.fromkeys(outlets)) or deployed
    unknown = sorted(set(chosen) - set(deployed))
    if unknown:
        raise UsageError(f"not deployed in project {up[0].client.project!r} on any node that is up: "
                         f"{', '.join(unknown)} (deployed: {', '.join(deployed) or 'none'})")
    for outlet in chosen:
        holder = next((node for node in up if outlet in node.busy), None)
        if holder is not None:
            state, job = holder.busy[outlet]
            outcomes.append(Outcome(outlet, "skipped", job, state, holder.url))
            continue
        outcomes.append(_schedule_one(up, outlet, settings, args))
    return outcomes


def _schedule_one(up: list[Node], outlet: str, settings: dict[str, str], args: dict[str, str]) -> Outcome:
    """On the least busy node that has the outlet; a node that fails here is left out from now on."""
    errors = []
    for node in sorted((n for n in up if outlet in n.spiders and not n.down), key=lambda n: n.load):
        try:
            job = node.client.schedule(outlet, settings, args)
        except ScrapydError as exc:
            node.down = str(exc)
            errors.append(f"{node.url}: {exc}")
            continue
        node.load += 1
        return Outcome(outlet, "scheduled", job, node=node.url)
    return Outcome(outlet, "failed", state="; ".join(errors) or "no node that is up has it deployed")


def run(outlets: list[str], urls: list[str], project: str, settings: list[str], args: list[str]) -> int:
    try:
        nodes = [Node(ScrapydClient.for_node(url, project)) for url in urls]
        outcomes = schedule_outlets(nodes, outlets, pairs(settings, "--setting"), pairs(args, "-a"))
    except UsageError as exc:
        print(f"schedule: {exc}", file=sys.stderr)
        return 2
    for outcome in outcomes:
        print(outcome.line(), flush=True)
    down = [o for o in outcomes if o.action == "down"]
    if len(down) == len(nodes):
        print(f"schedule: no Scrapyd node is up ({', '.join(o.node for o in down)})", file=sys.stderr)
        return 1
    if down:
        print(f"schedule: {len(down)} of {len(nodes)} node(s) down: {', '.join(o.node for o in down)}; "
              "their outlets went to the others", file=sys.stderr)
    return 1 if any(o.action == "failed" for o in outcomes) else 0


def default_nodes(nodes: str | list[str] | None, url: str | None) -> list[str]:
    return node_urls(nodes) or node_urls(url) or [DEFAULT_URL]


def add_arguments(parser: argparse.ArgumentParser, project: str) -> None:
    parser.add_argument("outlets", nargs="*", metavar="OUTLET", help="outlets to run (default: every deployed spider)")
    parser.add_argument("--url", "--node", dest="nodes", action="append", default=[], metavar="URL",
                        help="a Scrapyd node (repeatable; default SCRAPYD_NODES, else SCRAPYD_URL)")
    parser.add_argument("--project", default=project, help=f"Scrapyd project (default {project})")
    parser.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE",
                        help="a Scrapy setting for every job (repeatable; no credentials)")
    parser.add_argument("-a", dest="job_args", action="append", default=[], metavar="NAME=VALUE",
                        help="a spider argument for every job (repeatable)")


def main(argv: list[str] | None = None) -> int:
    """Console script ``ruspress-schedule``."""
    parser = argparse.ArgumentParser(prog="ruspress-schedule", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser, DEFAULT_PROJECT)
    opts = parser.parse_args(argv)
    urls = node_urls(opts.nodes) or default_nodes(os.environ.get("RUSPRESS_SCRAPYD_NODES"),
                                                  os.environ.get("RUSPRESS_SCRAPYD_URL"))
    return run(opts.outlets, urls, opts.project, opts.setting, opts.job_args)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # no crawl here: no Scrapy start-up banner, stdout is the report

    def syntax(self) -> str:
        return "[OUTLET ...] [--url URL ...] [--setting NAME=VALUE] [-a NAME=VALUE]"

    def short_desc(self) -> str:
        return "Ask a fleet of Scrapyd nodes to run outlets, each on the least busy node, skipping busy outlets"

    def long_desc(self) -> str:
        return __doc__ or self.short_desc()

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        assert self.settings is not None
        add_arguments(parser, self.settings.get("SCRAPYD_PROJECT") or DEFAULT_PROJECT)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        urls = node_urls(opts.nodes) or default_nodes(self.settings.get("SCRAPYD_NODES"), self.settings.get("SCRAPYD_URL"))
        self.exitcode = run(opts.outlets + args, urls, opts.project, opts.setting, opts.job_args)


if __name__ == "__main__":
    sys.exit(main())
