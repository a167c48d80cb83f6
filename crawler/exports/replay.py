"""Reading archives back: which WACZ files a source names, and which capture answers a URL.

A source is a ``.wacz`` file, a folder (every ``*.wacz`` under it, oldest run first: run ids start
with their UTC start time), or ``s3://bucket/prefix`` (every ``*.wacz`` object under the prefix,
downloaded to a local folder first; the ``AWS_*`` settings and the environment's keys apply).

:class:`ReplayIndex` maps URLs to captures: the URL the spider asked for (a redirect's start
included) and the URL that answered. A page that was rendered in the browser answers with the
rendered HTML (that is what its parser read), else with the response as stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.exports.wacz import Entry, Stored, WaczError, WaczReader

logger = logging.getLogger(__name__)


class SourceError(ValueError):
    """A source that names no readable archive; the message says why."""


def local_archives(source: str) -> list[Path]:
    """The WACZ files of a local source (a file or a folder), oldest first."""
    path = Path(source[len("file://"):] if source.startswith("file://") else source).expanduser()
    if path.is_file():
        return [path.resolve()]
    if path.is_dir():
        found = sorted(path.rglob("*.wacz"), key=lambda p: (p.name, str(p)))
        if not found:
            raise SourceError(f"{source}: no .wacz file in this folder")
        return [p.resolve() for p in found]
    raise SourceError(f"{source}: no such file or folder")


def s3_archives(source: str, into: Path, settings: Any) -> list[Path]:
    """Download every ``*.wacz`` object under ``s3://bucket/prefix`` into ``into``; their local paths."""
    import boto3  # only for S3 sources

    parts = urlsplit(source)
    bucket, prefix = parts.hostname or "", parts.path.lstrip("/")
    client = boto3.client(
        "s3", endpoint_url=settings.get("AWS_ENDPOINT_URL") or None,
        region_name=settings.get("AWS_REGION_NAME") or None,
        aws_access_key_id=settings.get("AWS_ACCESS_KEY_ID") or None,
        aws_secret_access_key=settings.get("AWS_SECRET_ACCESS_KEY") or None,
        aws_session_token=settings.get("AWS_SESSION_TOKEN") or None)
    keys = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [obj["Key"] for obj in page.get("Contents", []) if obj["Key"].endswith(".wacz")]
    if not keys:
        raise SourceError(f"{source}: no .wacz object under this prefix")
    paths = []
    for key in sorted(keys, key=lambda k: (k.rsplit("/", 1)[-1], k)):
        target = into / key
        target.parent.mkdir(parents=True, exist_ok=True)
        client.download_file(bucket, key, str(target))
        paths.append(target)
    return paths


def archives(source: str, workdir: Path, settings: Any) -> list[Path]:
    if source.startswith("s3://"):
        return s3_archives(source, workdir, settings)
    if "://" in source and not source.startswith("file://"):
        raise SourceError(f"{source}: give a .wacz file, a folder or s3://bucket/prefix")
    return local_archives(source)


@dataclass
class Found:
    reader: WaczReader
    warc: str
    entry: Entry


class ReplayIndex:
    """URL -> the capture that answers it, over one or more WACZ files (later captures win)."""

    def __init__(self, paths: list[str] | list[Path]) -> None:
        self.readers: list[WaczReader] = []
        self.by_url: dict[str, Found] = {}
        self.articles: dict[str, Found] = {}  # article pages by URL (ARCHIVE_ARTICLES_ONLY archives)
        for path in paths:
            try:
                reader = WaczReader(str(path))
            except WaczError as exc:
                raise SourceError(str(exc)) from None
            self.readers.append(reader)
            for warc, entry in reader.entries():
                found = Found(reader, warc, entry)
                for url in {entry.url, entry.requested or entry.url}:
                    self._add(self.by_url, _key(url), found)
                if entry.kind == "article":
                    self._add(self.articles, _key(entry.requested or entry.url), found)

    @staticmethod
    def _add(table: dict[str, Found], key: str, found: Found) -> None:
        old = table.get(key)
        if old is None or _rank(found) >= _rank(old):
            table[key] = found

    def lookup(self, url: str) -> Found | None:
        return self.by_url.get(_key(url))

    def article_urls(self) -> list[str]:
        """The URLs the archived article pages were requested under."""
        return sorted(self.articles)

    def read(self, found: Found) -> Stored:
        return found.reader.read(found.warc, found.entry)

    def close(self) -> None:
        for reader in self.readers:
            reader.close()


def _key(url: str) -> str:
    return url.split("#", 1)[0]


def _rank(found: Found) -> tuple[bool, str]:
    """A rendered page beats the plain response it came from; then the later capture wins."""
    return (found.entry.rendered, found.entry.timestamp)


def decoded_body(stored: Stored) -> bytes:
    """A stored response's body without its ``Content-Encoding`` (gzip, deflate; br with brotli)."""
    import zlib

    from scrapy.utils.gz import gunzip

    body = stored.body
    encodings = [e.strip().lower() for name, value in stored.headers if name.lower() == "content-encoding"
                 for e in value.split(",") if e.strip()]
    for encoding in reversed(encodings):
        if encoding in ("gzip", "x-gzip"):
            body = gunzip(body)
        elif encoding == "deflate":
            try:
                body = zlib.decompress(body)
            except zlib.error:
                body = zlib.decompress(body, -zlib.MAX_WBITS)
        elif encoding == "br":
            import brotli  # type: ignore[import-not-found]

            body = brotli.decompress(body)
        elif encoding != "identity":
            raise WaczError(f"{stored.url}: cannot decode Content-Encoding {encoding!r}")
    return body
