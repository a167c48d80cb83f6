"""A small client for Scrapyd's JSON API (urllib, no proxy), for ``scrapy schedule`` and ``scrapy deployall``.

Basic auth per node: the ``~/.netrc`` entry for the node's host if there is one (as ``scrapyd-deploy``
reads it), else ``RUSPRESS_SCRAPYD_USERNAME`` / ``RUSPRESS_SCRAPYD_PASSWORD`` from the environment.
Credentials never come from arguments and are never printed: a node is named by its URL without them.
"""

from __future__ import annotations

import base64
import json
import netrc
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

DEFAULT_URL = "http://127.0.0.1:6800/"
DEFAULT_PROJECT = "ruspress"


class ScrapydError(RuntimeError):
    """Scrapyd could not be reached, or answered with an error."""


def node_urls(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """``SCRAPYD_NODES`` as a list of URLs (a list, or a string separated by commas or spaces), each
    ending in ``/``, in order, without repeats."""
    if not value:
        return []
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    return list(dict.fromkeys(u if u.endswith("/") else u + "/" for u in (str(i).strip() for i in items) if u))


def credentials(url: str) -> tuple[str | None, str | None]:
    """(user, password) for the node at ``url``: ``~/.netrc`` for its host, else the environment."""
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        found = netrc.netrc().authenticators(host)
    except (FileNotFoundError, netrc.NetrcParseError, OSError):
        found = None
    if found and found[0]:
        return found[0], found[2]
    return os.environ.get("RUSPRESS_SCRAPYD_USERNAME"), os.environ.get("RUSPRESS_SCRAPYD_PASSWORD")


def public(url: str) -> str:
    """The URL without user info (never print credentials)."""
    parts = urllib.parse.urlsplit(url)
    if "@" in parts.netloc:
        return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()
    return url


class ScrapydClient:
    """The calls of Scrapyd's JSON API the scheduler and the deployer need."""

    def __init__(self, url: str, project: str = DEFAULT_PROJECT, username: str | None = None,
                 password: str | None = None, timeout: float = 30) -> None:
        self.url = public(url if url.endswith("/") else url + "/")
        self.project = project
        self.timeout = timeout
        self.headers = {"Accept": "application/json"}
        if username:
            token = base64.b64encode(f"{username}:{password or ''}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    @classmethod
    def for_node(cls, url: str, project: str = DEFAULT_PROJECT, timeout: float = 30) -> ScrapydClient:
        return cls(url, project, *credentials(url), timeout=timeout)

    def call(self, endpoint: str, query: dict[str, str] | None = None,
             form: list[tuple[str, str]] | None = None, body: tuple[bytes, str] | None = None) -> dict[str, Any]:
        url = urllib.parse.urljoin(self.url, endpoint)
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = dict(self.headers)
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
        elif body is not None:
            data, headers["Content-Type"] = body
        request = urllib.request.Request(url, data=data, headers=headers)
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

    def load(self) -> int:
        """Pending + running jobs of the whole node (``daemonstatus.json``)."""
        status = self.call("daemonstatus.json")
        return int(status.get("pending", 0)) + int(status.get("running", 0))

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

    def add_version(self, version: str, egg: bytes) -> dict[str, Any]:
        """Upload an egg (``addversion.json``, multipart form, as ``scrapyd-deploy`` sends it)."""
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in (("project", self.project), ("version", version)):
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="egg"; filename="{self.project}.egg"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n".encode() + egg + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.call("addversion.json", body=(b"".join(parts), f"multipart/form-data; boundary={boundary}"))
