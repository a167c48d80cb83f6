"""The WACZ format: writing one run's captures as a WACZ, and reading them back. No Scrapy here.

A WACZ (https://specs.webrecorder.net/wacz/1.1.1/) is a ZIP file that ReplayWeb.page and pywb open::

    archive/data.warc.gz        the WARC records, one gzip member per record (stored, not deflated, in the ZIP)
    indexes/index.cdx           CDXJ: one line per record, "<SURT key> <14-digit time> {json}", sorted
    pages/pages.jsonl           the article pages (a header line, then {"id", "url", "ts", "title"})
    datapackage.json            every file above with its sha256 and size ("wacz_version": "1.1.1")
    datapackage-digest.json     the sha256 of datapackage.json

:class:`WaczWriter` writes it in one pass into a seekable file: the WARC entry is streamed into the ZIP
while the crawl goes on (each record is gzipped on its own, so a reader can seek to one record), its
sha256 is computed as it is written, and the index, pages and datapackage are added when it closes.
Records are built with warcio (the Webrecorder library that pywb and the ``wacz`` tools use).

:class:`WaczReader` opens a WACZ (a local path), reads its index, and returns a record's HTTP status,
headers and body as stored (a response's body still in its ``Content-Encoding``).

Custom WARC header fields of this project (the WARC standard allows extension fields):
``Ruspress-Kind`` (article, discovery, api_document, robots, request: what the crawler did with the
response), ``Ruspress-Requested-URL`` (the URL the spider asked for, when a redirect ended elsewhere),
``Ruspress-Rendered`` (on the browser's HTML: why the page was rendered).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from typing import IO, Any
from urllib.parse import quote, unquote, urlsplit

import zlib
from warcio.archiveiterator import ArchiveIterator
from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_timestamp
from warcio.warcwriter import WARCWriter

WACZ_VERSION = "1.1.1"
WARC_NAME = "data.warc.gz"
WARC_PATH = f"archive/{WARC_NAME}"
INDEX_PATH = "indexes/index.cdx"
PAGES_PATH = "pages/pages.jsonl"
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # a ZIP local file header (then the name and the extra field)
KIND = "Ruspress-Kind"
REQUESTED = "Ruspress-Requested-URL"
RENDERED = "Ruspress-Rendered"
# hop-by-hop framing that the HTTP client already undid: the stored body is de-chunked
DROPPED_HEADERS = {"transfer-encoding"}


class WaczError(ValueError):
    """A file that is not a readable WACZ; the message says what is wrong."""


# ---------------------------------------------------------------------------- keys
def surt_key(url: str) -> str:
    """The SURT form of ``url`` that CDX indexes sort by (as Internet Archive's canonicaliser, the
    ``surt`` package, makes it for the URLs a crawl meets): lower case, host reversed with commas and
    without ``www.``, default port and fragment dropped, query arguments sorted, no trailing slash."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").strip(".").lower()
    host = re.sub(r"^www\d*\.", "", host)
    port = parts.port
    key = ",".join(reversed(host.split("."))) if host else ""
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        key += f":{port}"
    path = _normalise_escapes(parts.path or "/").lower()
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    query = ""
    if parts.query:
        pairs = sorted(_normalise_escapes(pair).lower() for pair in parts.query.split("&") if pair)
        query = "?" + "&".join(pairs)
    return f"{key}){path}{query}"


def _normalise_escapes(text: str) -> str:
    """Percent-escapes in one form: decoded once and re-escaped (keeping URL punctuation)."""
    return quote(unquote(text), safe="/:@!$&'()*+,;=-._~%?")


def cdx_timestamp(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")


def warc_date(when: datetime) -> str:
    return datetime_to_iso_date(when.astimezone(timezone.utc).replace(tzinfo=None), use_micros=False)


def http_reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


# ---------------------------------------------------------------------------- writing
class _Counting:
    """The WARC entry of the ZIP: counts bytes (record offsets) and hashes them as they are written."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.size = 0
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.out.write(data)
        self.size += len(data)
        self.sha256.update(data)
        return len(data)


@dataclass
class Capture:
    """One thing to archive: an HTTP exchange (``status`` set) or the browser's HTML (``rendered``)."""

    url: str  # the canonical URL (WARC-Target-URI)
    when: datetime
    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)  # as received (raw, in order)
    body: bytes = b""  # as received (still in its Content-Encoding)
    protocol: str = "HTTP/1.1"
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes = b""
    kind: str = "request"
    requested_url: str | None = None
    rendered: str | None = None  # the reason the page was rendered; then ``body`` is the browser's HTML
    refers_to: str | None = None  # the plain response's record id, for a rendered page
    mime: str = ""
    record_id: str | None = None  # given by the caller, or made here


@dataclass
class Written:
    record_id: str
    offset: int
    length: int


class WaczWriter:
    """Writes a WACZ into ``out`` (a seekable binary file opened for writing). Not thread-safe: one
    thread adds the records (the archive output's writer thread); titles may come from another."""

    def __init__(self, out: IO[bytes], *, title: str, description: str = "", software: str = "",
                 warcinfo: dict[str, Any] | None = None, gzip_level: int = 3) -> None:
        self.zip = zipfile.ZipFile(out, "w", allowZip64=True)
        self.title, self.description, self.software = title, description, software
        self.gzip_level = gzip_level
        self.builder = RecordBuilder(warc_version="WARC/1.1")
        info = zipfile.ZipInfo(WARC_PATH, date_time=_zip_time(datetime.now(timezone.utc)))
        info.compress_type = zipfile.ZIP_STORED  # the spec: WARCs are stored, so readers can seek in them
        self._entry = self.zip.open(info, "w", force_zip64=True)
        self.warc = _Counting(self._entry)
        self.index: list[str] = []
        self.pages: dict[str, dict[str, Any]] = {}  # record id -> page entry
        self.titles: dict[str, str] = {}  # record id -> the article's title
        self.records = 0
        self.responses = 0
        self.closed = False
        if warcinfo is not None:
            self._write(self.builder.create_warcinfo_record(WARC_NAME, warcinfo), None)

    # ------------------------------------------------------------------ records
    def _write(self, record: Any, index: dict[str, Any] | None, when: datetime | None = None) -> Written:
        buffer = io.BytesIO()
        WARCWriter(buffer, gzip=False).write_record(record)
        compressor = zlib.compressobj(self.gzip_level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        member = compressor.compress(buffer.getvalue()) + compressor.flush()
        offset = self.warc.size
        self.warc.write(member)
        self.records += 1
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        if index is not None and when is not None:
            index.update({"offset": offset, "length": len(member), "filename": WARC_NAME})
            url = record.rec_headers.get_header("WARC-Target-URI")
            self.index.append(f"{surt_key(url)} {cdx_timestamp(when)} {json.dumps(index, ensure_ascii=False)}")
        return Written(record_id, offset, len(member))

    def add(self, capture: Capture) -> Written:
        """Write the capture's records (response + request, or the rendered HTML); returns the main one."""
        when = capture.when
        headers: dict[str, str] = {"WARC-Date": warc_date(when), KIND: capture.kind,
                                   "WARC-Record-ID": capture.record_id or new_record_id()}
        extra: dict[str, str] = {"kind": capture.kind}
        if capture.requested_url and capture.requested_url != capture.url:
            headers[REQUESTED] = extra["requested"] = capture.requested_url
        if capture.rendered is not None:
            headers[RENDERED] = capture.rendered
            if capture.refers_to:
                headers["WARC-Refers-To"] = capture.refers_to
            kind = "conversion" if capture.refers_to else "resource"
            mime = capture.mime or "text/html; charset=utf-8"
            record = self.builder.create_warc_record(
                capture.url, kind, payload=io.BytesIO(capture.body), length=len(capture.body),
                warc_content_type=mime, warc_headers_dict=headers)
            index = {"url": capture.url, "mime": mime.split(";")[0].strip(), "status": "200",
                     "digest": record.rec_headers.get_header("WARC-Payload-Digest"), "recordType": kind, **extra}
            written = self._write(record, index, when)
            self._page(written.record_id, capture)
            return written
        assert capture.status is not None
        http = StatusAndHeaders(f"{capture.status} {http_reason(capture.status)}",
                                [(k, v) for k, v in capture.headers if k.lower() not in DROPPED_HEADERS],
                                protocol=capture.protocol)
        if http.get_header("Content-Length") is None and capture.body:
            http.add_header("Content-Length", str(len(capture.body)))
        record = self.builder.create_warc_record(capture.url, "response", payload=io.BytesIO(capture.body),
                                                 length=len(capture.body), http_headers=http,
                                                 warc_headers_dict=headers)
        mime = (http.get_header("Content-Type") or "").split(";")[0].strip() or "unk"
        index = {"url": capture.url, "mime": mime, "status": str(capture.status),
                 "digest": record.rec_headers.get_header("WARC-Payload-Digest"), **extra}
        written = self._write(record, index, when)
        self.responses += 1
        self._request(capture, written.record_id, when)
        self._page(written.record_id, capture)
        return written

    def _request(self, capture: Capture, response_id: str, when: datetime) -> None:
        parts = urlsplit(capture.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = [("Host", parts.netloc)] + [(k, v) for k, v in capture.request_headers if k.lower() != "host"]
        http = StatusAndHeaders(f"{capture.method} {target} {capture.protocol}", headers, is_http_request=True)
        record = self.builder.create_warc_record(
            capture.url, "request", payload=io.BytesIO(capture.request_body), length=len(capture.request_body),
            http_headers=http, warc_headers_dict={"WARC-Date": warc_date(when), "WARC-Concurrent-To": response_id})
        self._write(record, None)

    def _page(self, record_id: str, capture: Capture) -> None:
        if capture.kind == "article" and not capture.refers_to:  # a rendered page's plain response is the page
            self.pages[record_id] = {"id": record_id.strip("<>").rsplit(":", 1)[-1], "url": capture.url,
                                     "ts": when_iso(capture.when)}

    def title_page(self, record_id: str, title: str | None) -> None:
        """Give an article page its title (known once the parser has read it; added when closing)."""
        if title:
            self.titles[record_id] = title

    # ------------------------------------------------------------------ closing
    def close(self) -> None:
        """Finish the WARC entry and add the index, the page list and the datapackage."""
        if self.closed:
            return
        self.closed = True
        self._entry.close()
        resources = [{"name": WARC_NAME, "path": WARC_PATH, "hash": "sha256:" + self.warc.sha256.hexdigest(),
                      "bytes": self.warc.size}]
        index = ("\n".join(sorted(self.index)) + "\n").encode("utf-8") if self.index else b""
        resources.append(self._put(INDEX_PATH, index))
        header = {"format": "json-pages-1.0", "id": "pages", "title": self.title}
        lines = [json.dumps(header, ensure_ascii=False)]
        lines += [json.dumps({**page, **({"title": self.titles[rid]} if rid in self.titles else {})}, ensure_ascii=False)
                  for rid, page in self.pages.items()]
        resources.append(self._put(PAGES_PATH, ("\n".join(lines) + "\n").encode("utf-8")))
        package = {"profile": "data-package", "resources": resources, "title": self.title,
                   "description": self.description,
                   "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "wacz_version": WACZ_VERSION, "software": self.software}
        data = json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8")
        self._put("datapackage.json", data)
        digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(data).hexdigest()}
        self._put("datapackage-digest.json", json.dumps(digest, indent=1).encode("utf-8"))
        self.zip.close()

    def _put(self, path: str, data: bytes) -> dict[str, Any]:
        info = zipfile.ZipInfo(path, date_time=_zip_time(datetime.now(timezone.utc)))
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, data)
        return {"name": path.rsplit("/", 1)[-1].lower(), "path": path,
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def when_iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _zip_time(when: datetime) -> tuple[int, int, int, int, int, int]:
    return tuple(when.timetuple()[:6])  # type: ignore[return-value]


# ---------------------------------------------------------------------------- reading
@dataclass
class Entry:
    """One index line of a WACZ."""

    url: str
    timestamp: str  # 14 digits, UTC
    status: int
    offset: int
    length: int
    record_type: str = "response"
    kind: str = ""  # Ruspress-Kind
    requested: str | None = None  # Ruspress-Requested-URL

    @property
    def rendered(self) -> bool:
        return self.record_type in ("conversion", "resource")

    @property
    def when(self) -> datetime:
        return datetime.strptime(self.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)


@dataclass
class Stored:
    """A record read back: its WARC headers, and the HTTP status, headers and body as stored."""

    record_id: str
    url: str
    date: str
    record_type: str
    warc_headers: dict[str, str]
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    protocol: str = "HTTP/1.1"

    @property
    def kind(self) -> str:
        return self.warc_headers.get(KIND, "")

    @property
    def rendered(self) -> str | None:
        return self.warc_headers.get(RENDERED)

    @property
    def requested_url(self) -> str:
        return self.warc_headers.get(REQUESTED) or self.url

    @property
    def when(self) -> datetime:
        return datetime.strptime(iso_date_to_timestamp(self.date), "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)


class WaczReader:
    """A WACZ file, opened for reading records by their index entries (``path``: a local file)."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
            names = set(self.zip.namelist())
        except (OSError, zipfile.BadZipFile) as exc:
            raise WaczError(f"{path}: not a WACZ (ZIP) file: {exc}") from None
        self.warcs = sorted(n for n in names if n.startswith("archive/") and ".warc" in n)
        if not self.warcs:
            raise WaczError(f"{path}: no WARC under archive/")
        self.package = json.loads(self.zip.read("datapackage.json")) if "datapackage.json" in names else {}
        self._handles: dict[str, IO[bytes]] = {}
        self._starts: dict[str, int | None] = {}

    @property
    def name(self) -> str:
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()
        self.zip.close()

    def warcinfo(self) -> dict[str, str]:
        """The fields of the first WARC's ``warcinfo`` record (empty if it has none)."""
        with self.zip.open(self.warcs[0]) as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "warcinfo":
                    return {}
                fields: dict[str, str] = {}
                for line in record.content_stream().read().decode("utf-8", "replace").splitlines():
                    if ":" in line:
                        key, value = line.split(":", 1)
                        fields[key.strip()] = value.strip()
                return fields
        return {}

    def entries(self) -> Iterator[tuple[str, Entry]]:
        """(WARC path, entry) for every indexed record; without an index, by reading the WARCs."""
        names = self.zip.namelist()
        indexes = [n for n in names if n.startswith("indexes/") and n.endswith((".cdx", ".cdxj"))]
        if indexes:
            for name in indexes:
                for line in self.zip.read(name).decode("utf-8").splitlines():
                    entry = _parse_cdxj(line)
                    if entry is not None:
                        yield entry
            return
        for warc in self.warcs:
            with self.zip.open(warc) as fh:
                records = ArchiveIterator(fh)
                for record in records:
                    if record.rec_type in ("response", "resource", "conversion"):
                        status = record.http_headers.get_statuscode() if record.http_headers else "200"
                        entry = Entry(record.rec_headers.get_header("WARC-Target-URI"),
                                      iso_date_to_timestamp(record.rec_headers.get_header("WARC-Date")),
                                      int(status or 0), records.get_record_offset(), 0, record.rec_type,
                                      record.rec_headers.get_header(KIND) or "",
                                      record.rec_headers.get_header(REQUESTED))
                        records.read_to_end(record)
                        entry.length = records.get_record_length()
                        yield warc, entry

    def _raw(self, warc: str) -> tuple[IO[bytes], int] | None:
        """The WACZ file and where the WARC's bytes start in it, for a stored (not deflated) entry: a
        record is then one seek away (zipfile's own seek re-reads from the start to go backwards)."""
        if warc not in self._starts:
            info = self.zip.getinfo(warc)
            self._starts[warc] = None
            if info.compress_type == zipfile.ZIP_STORED:
                handle = self._handles.setdefault("", open(self.path, "rb"))
                handle.seek(info.header_offset)
                header = handle.read(_LOCAL_HEADER.size)
                fields = _LOCAL_HEADER.unpack(header)
                if fields[0] == b"PK\x03\x04":
                    self._starts[warc] = info.header_offset + _LOCAL_HEADER.size + fields[-2] + fields[-1]
        start = self._starts[warc]
        return (self._handles[""], start) if start is not None else None

    def read(self, warc: str, entry: Entry) -> Stored:
        raw = self._raw(warc)
        if raw is not None:
            handle, start = raw
            handle.seek(start + entry.offset)
        else:
            handle = self._handles.get(warc) or self._handles.setdefault(warc, self.zip.open(warc))
            handle.seek(entry.offset)
        chunk = handle.read(entry.length) if entry.length else handle.read()
        for record in ArchiveIterator(io.BytesIO(chunk)):
            headers = dict(record.rec_headers.headers)
            http = record.http_headers
            body = record.raw_stream.read()
            if http is not None and record.rec_type == "response":
                status = int(http.get_statuscode() or 0)
                fields = list(http.headers)
                protocol = http.protocol or "HTTP/1.1"
            else:
                status, protocol = 200, "HTTP/1.1"
                fields = [("Content-Type", record.rec_headers.get_header("Content-Type") or "text/html")]
            return Stored(headers.get("WARC-Record-ID", ""), headers.get("WARC-Target-URI", entry.url),
                          headers.get("WARC-Date", ""), record.rec_type, headers, status, fields, body, protocol)
        raise WaczError(f"{self.path}: no record at offset {entry.offset} of {warc}")

    def find(self, record_id: str) -> Stored | None:
        """The record with this WARC-Record-ID (a scan of the WARCs)."""
        wanted = record_id.strip()
        if not wanted.startswith("<"):
            wanted = f"<{wanted}>"
        for warc, entry in self.entries():
            stored = self.read(warc, entry)
            if stored.record_id == wanted:
                return stored
        return None


def _parse_cdxj(line: str) -> tuple[str, Entry] | None:
    try:
        key, timestamp, data = line.split(" ", 2)
        fields = json.loads(data)
        status = int(fields.get("status") or 0)
        entry = Entry(fields["url"], timestamp, status, int(fields["offset"]), int(fields["length"]),
                      fields.get("recordType", "response"), fields.get("kind", ""), fields.get("requested"))
    except (ValueError, KeyError):
        return None
    return f"archive/{fields.get('filename', WARC_NAME)}", entry
