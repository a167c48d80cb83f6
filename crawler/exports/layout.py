"""Where a run's files go and what they are called. Pure functions of settings; no I/O.

Layout under the destination (``OUTPUT_URI``: a local directory, ``file://`` URI or ``s3://bucket/prefix``)::

    <outlet>/<YYYY-MM-DD>/<run_id>-00001.jsonl[.gz]     feed files, one per batch of OUTPUT_BATCH_ITEMS
    <outlet>/<YYYY-MM-DD>/<run_id>.wacz                 the evidence archive (see crawler/exports/archive.py)
    <outlet>/<YYYY-MM-DD>/<run_id>.manifest.json        written last (see crawler/exports/manifest.py)

The date is the run's start date (UTC); the run id starts with the start time, so names sort in time
order.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import crawler

FORMATS = {"jsonlines": "jsonl", "json": "json"}  # feed format -> file extension
SCHEMES = ("file", "s3")
GZIP_PLUGIN = "scrapy.extensions.postprocessing.GzipPlugin"
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class OutputConfigError(ValueError):
    """A setting of the output is wrong; the message names the setting and what it wants."""


def project_root() -> Path | None:
    """The checkout this package runs from (the folder holding scrapy.cfg), or None when it runs
    from an egg (Scrapyd) or an installed copy, where there is no project ``output/`` folder."""
    root = Path(crawler.__file__).resolve().parent.parent
    return root if (root / "scrapy.cfg").is_file() and (root / "output").is_dir() else None


def absolute_dir(value: str, setting: str) -> Path:
    path = Path(value).expanduser()
    if not path.is_absolute():
        raise OutputConfigError(f"{setting}={value!r}: give an absolute path (the working directory "
                                "is not the project's under Scrapyd)")
    return path


def local_output_dir(output_dir: str) -> Path | None:
    """``OUTPUT_DIR`` if set, else the checkout's ``output/`` folder, else None."""
    if output_dir:
        return absolute_dir(output_dir, "OUTPUT_DIR")
    root = project_root()
    return root / "output" if root else None


def spool_dir(spool: str, local_dir: Path | None) -> Path | None:
    """``OUTPUT_SPOOL_DIR`` if set, else ``<local output dir>/.spool``, else None."""
    if spool:
        return absolute_dir(spool, "OUTPUT_SPOOL_DIR")
    return local_dir / ".spool" if local_dir else None


def public_uri(uri: str) -> str:
    """``uri`` without user name and password (safe to log and to put in a manifest)."""
    parts = urlsplit(uri)
    if parts.username is None and parts.password is None:
        return uri
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=host))


def destination(uri: str, local_dir: Path | None) -> str:
    """The base URI of the output, without a trailing slash: ``file:///abs/dir`` or ``s3://bucket/prefix``."""
    if not uri:
        if local_dir is None:
            raise OutputConfigError(
                "no output destination: set OUTPUT_URI (env RUSPRESS_OUTPUT_URI; an absolute directory or "
                "s3://bucket/prefix) or OUTPUT_DIR (env RUSPRESS_OUTPUT_DIR); running from an egg or an "
                "installed copy there is no project output/ folder")
        return local_dir.as_uri()
    parts = urlsplit(uri)
    if parts.scheme in ("", ) or re.match(r"^[A-Za-z]:[\\/]", uri):
        return absolute_dir(uri, "OUTPUT_URI").as_uri()
    if parts.scheme not in SCHEMES:
        raise OutputConfigError(f"OUTPUT_URI: scheme {parts.scheme!r} is not supported; use an absolute "
                                "directory, file:///dir or s3://bucket/prefix (other storages: FEEDS)")
    if parts.username is not None or parts.password is not None:
        raise OutputConfigError("OUTPUT_URI must not hold credentials: give them in the environment "
                                "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or the AWS_* settings")
    if parts.query or parts.fragment:
        raise OutputConfigError("OUTPUT_URI: no query string or fragment, please")
    if parts.scheme == "s3" and not parts.hostname:
        raise OutputConfigError(f"OUTPUT_URI={uri!r}: expected s3://bucket/prefix")
    if parts.scheme == "file":
        return absolute_dir(parts.path, "OUTPUT_URI").as_uri()
    return uri.rstrip("/")


def new_run_id(started: datetime, job: str | None = None) -> str:
    """``20240501T120000Z-<8 hex>``: the UTC start time (names sort in time order), then the Scrapyd
    job id's first 8 characters or random ones."""
    suffix = re.sub(r"[^A-Za-z0-9]", "", job or "")[:8] or secrets.token_hex(4)
    return f"{started:%Y%m%dT%H%M%SZ}-{suffix}"


def check_run_id(run_id: str) -> str:
    if not _RUN_ID.match(run_id):
        raise OutputConfigError(f"OUTPUT_RUN_ID={run_id!r}: letters, digits, '.', '_' and '-' only")
    return run_id


@dataclass(frozen=True)
class OutputLayout:
    """Names of one run's files. ``base`` is a URI from :func:`destination`."""

    base: str
    run_id: str
    day: str  # YYYY-MM-DD (UTC) of the run's start
    format: str = "jsonlines"
    gzip: bool = False
    batch_items: int = 0

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise OutputConfigError(f"OUTPUT_FORMAT={self.format!r}: expected one of {', '.join(FORMATS)}")
        if self.batch_items < 0:
            raise OutputConfigError(f"OUTPUT_BATCH_ITEMS={self.batch_items}: expected 0 (one file) or more")
        check_run_id(self.run_id)

    @property
    def extension(self) -> str:
        return FORMATS[self.format] + (".gz" if self.gzip else "")

    def folder(self, outlet: str) -> str:
        return f"{self.base}/{outlet}/{self.day}"

    def feed_uri_template(self) -> str:
        """The ``FEEDS`` key: ``%(name)s`` (the spider, i.e. the outlet) and ``%(batch_id)05d`` are
        filled in by Scrapy."""
        return f"{self.folder('%(name)s')}/{self.run_id}-%(batch_id)05d.{self.extension}"

    def manifest_uri(self, outlet: str) -> str:
        return f"{self.folder(outlet)}/{self.run_id}.manifest.json"

    def archive_uri(self, outlet: str) -> str:
        return f"{self.folder(outlet)}/{self.run_id}.wacz"

    def manifest_uri_template(self) -> str:
        return self.manifest_uri("%(name)s")

    def feed_options(self, store_empty: bool = True) -> dict[str, Any]:
        options: dict[str, Any] = {
            "format": self.format,
            "encoding": "utf-8",
            "overwrite": True,
            "store_empty": store_empty,
            "batch_item_count": self.batch_items,
        }
        if self.gzip:
            options["postprocessing"] = [GZIP_PLUGIN]
            options["gzip_mtime"] = 0  # same items, same bytes, same sha256
        return options
