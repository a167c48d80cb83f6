"""``scrapy schedule [OUTLET ...]`` (in the project) or ``ruspress-schedule [OUTLET ...]`` (installed):
ask Scrapyd to run the chosen outlets, all deployed spiders by default, skipping every outlet whose
previous job is still pending or running (Scrapyd would happily queue a second one).

Meant to be called every N minutes by cron or a systemd timer (deploy/). One line per outlet on
stdout: ``scheduled <outlet> <job id>``, ``skipped <outlet>: job <id> is running|pending``.
Exit codes: 0 every outlet scheduled or skipped; 1 Scrapyd unreachable or refused a request;
2 bad arguments (an outlet Scrapyd does not know, a credential passed as a job setting).

Reads: ``--url`` / SCRAPYD_URL (env RUSPRESS_SCRAPYD_URL, default http://127.0.0.1:6800/),
``--project`` / SCRAPYD_PROJECT (default ``ruspress``); HTTP basic auth from the environment
(RUSPRESS_SCRAPYD_USERNAME, RUSPRESS_SCRAPYD_PASSWORD), never from arguments and never printed.
Job settings (``--setting NAME=VALUE``) and spider arguments (``-a NAME=VALUE``) are passed to every
job. Credentials are refused as job settings: Scrapyd logs every job's arguments; give them to
Scrapyd's environment instead.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.exports.redact import SECRET_NAME

DEFAULT_URL = "http://127.0.0.1:6800/"
DEFAULT_PROJECT = "ruspress"


class ScrapydError(RuntimeError):
    """Scrapyd could not be reached, or answered with an error."""


class ScrapydClient:
    """The three calls of Scrapyd's JSON API the scheduler needs (urllib; no proxy for Scrapyd)."""

    def __init__(self, url: str, project: str, username: str | None = None, password: str | None = None,
                 timeout: float = 30) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.project = project
        self.timeout = timeout
        self.headers = {"Accept": "application/json"}
        if username:
            token = base64.b64encode(f"{username}:{password or ''}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(self, endpoint: str, query: dict[str, str] | None = None,
             form: list[tuple[str, str]] | None = None) -> dict[str, Any]:
        url = urllib.parse.urljoin(self.url, endpoint)
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(url, data=data, headers=self.headers)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise ScrapydError(f"{endpoint}: HTTP {exc.code} from Scrapyd at {self.url}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ScrapydError(f"{endpoint}: cannot reach Scrapyd at {self.url} ({reason})") from None
        if answer.get("status") != "ok":
            raise ScrapydError(f"{endpoint}: {answer.get('message') or answer}")
        return answer

    def spiders(self) -> list[str]:
        return list(self.call("listspiders.json", {"project": self.project})["spiders"])

    def busy(self) -> dict[str, tuple[str, str]]:
        """spider -> (state, job id) for the project's pending and running jobs."""
        jobs = self.call("listjobs.json", {"project": self.project})
        found: dict[str, tuple[str, str]] = {}
        for state in ("running", "pending"):
            for job in jobs.get(state, []):
                found.setdefault(job["spider"], (state, job["id"]))
        return found

    def schedule(self, spider: str, settings: dict[str, str], args: dict[str, str]) -> str:
        form = [("project", self.project), ("spider", spider)]
        form += [("setting", f"{name}={value}") for name, value in settings.items()]
        form += list(args.items())
        return str(self.call("schedule.json", form=form)["jobid"])


@dataclass
class Outcome:
    outlet: str
    action: str  # scheduled | skipped
    job: str
    state: str = ""

    def line(self) -> str:
        if self.action == "scheduled":
            return f"scheduled {self.outlet} {self.job}"
        return f"skipped {self.outlet}: job {self.job} is {self.state}"


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


def schedule_outlets(client: ScrapydClient, outlets: list[str], settings: dict[str, str],
                     args: dict[str, str]) -> list[Outcome]:
    """Schedule ``outlets`` (all deployed spiders when empty), skipping those with a pending or
    running job. Raises UsageError for an outlet Scrapyd does not know (nothing is scheduled then)."""
    check_settings(settings)
    deployed = client.spiders()
    chosen = outlets or deployed
    unknown = sorted(set(chosen) - set(deployed))
    if unknown:
        raise UsageError(f"not deployed in project {client.project!r}: {', '.join(unknown)} "
                         f"(deployed: {', '.join(deployed) or 'none'})")
    busy = client.busy()
    outcomes = []
    for outlet in chosen:
        if outlet in busy:
            state, job = busy[outlet]
            outcomes.append(Outcome(outlet, "skipped", job, state))
        else:
            outcomes.append(Outcome(outlet, "scheduled", client.schedule(outlet, settings, args)))
    return outcomes


def run(outlets: list[str], url: str, project: str, settings: list[str], args: list[str]) -> int:
    try:
        client = ScrapydClient(url, project, os.environ.get("RUSPRESS_SCRAPYD_USERNAME"),
                               os.environ.get("RUSPRESS_SCRAPYD_PASSWORD"))
        outcomes = schedule_outlets(client, outlets, pairs(settings, "--setting"), pairs(args, "-a"))
    except UsageError as exc:
        print(f"schedule: {exc}", file=sys.stderr)
        return 2
    except ScrapydError as exc:
        print(f"schedule: {exc}", file=sys.stderr)
        return 1
    for outcome in outcomes:
        print(outcome.line(), flush=True)
    return 0


def add_arguments(parser: argparse.ArgumentParser, url: str, project: str) -> None:
    parser.add_argument("outlets", nargs="*", metavar="OUTLET", help="outlets to run (default: every deployed spider)")
    parser.add_argument("--url", default=url, help=f"Scrapyd's URL (default {url})")
    parser.add_argument("--project", default=project, help=f"Scrapyd project (default {project})")
    parser.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE",
                        help="a Scrapy setting for every job (repeatable; no credentials)")
    parser.add_argument("-a", dest="job_args", action="append", default=[], metavar="NAME=VALUE",
                        help="a spider argument for every job (repeatable)")


def main(argv: list[str] | None = None) -> int:
    """Console script ``ruspress-schedule``."""
    parser = argparse.ArgumentParser(prog="ruspress-schedule", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser, os.environ.get("RUSPRESS_SCRAPYD_URL") or DEFAULT_URL, DEFAULT_PROJECT)
    opts = parser.parse_args(argv)
    return run(opts.outlets, opts.url, opts.project, opts.setting, opts.job_args)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # no crawl here: no Scrapy start-up banner, stdout is the report

    def syntax(self) -> str:
        return "[OUTLET ...] [--url URL] [--setting NAME=VALUE] [-a NAME=VALUE]"

    def short_desc(self) -> str:
        return "Ask Scrapyd to run outlets, skipping those whose previous job is pending or running"

    def long_desc(self) -> str:
        return __doc__ or self.short_desc()

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        assert self.settings is not None
        add_arguments(parser, self.settings.get("SCRAPYD_URL") or DEFAULT_URL,
                      self.settings.get("SCRAPYD_PROJECT") or DEFAULT_PROJECT)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        self.exitcode = run(args, opts.url, opts.project, opts.setting, opts.job_args)


if __name__ == "__main__":
    sys.exit(main())
