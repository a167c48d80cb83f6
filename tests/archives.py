"""Fixture web archives on 127.0.0.1: the Wayback Machine's CDX API and raw captures, Common Crawl's
URL index and WARC files, built from a list of captures in the test (tests, benchmarks).

    server = ArchiveServer(wayback=[Capture(url, "20260915083000", html)],
                           commoncrawl={"CC-MAIN-2026-40": [Capture(...)]}).start()
    MIRRORS = {**site_mirrors, **server.mirrors()}

Shapes reproduced, and where they come from:

* ``/cdx/search/cdx`` (web.archive.org): ``url`` + ``matchType=prefix|exact``, ``from``/``to`` (1 to 14
  digits, padded to the lower/upper bound), ``filter=[!]field:regex`` (repeatable), ``collapse=urlkey``
  (first capture of adjacent rows with the same key), ``fl``, ``limit``, ``showResumeKey``/``resumeKey``,
  ``output=json`` (a header row of field names; after the last row of a page that has more, an empty row
  and ``[<key>]``): internetarchive/wayback, wayback-cdx-server/README.md. Keys are SURT-like
  (``ru,theins)/news/300101``), rows sorted by key then timestamp. The resume key's form is ours.
* ``/web/<timestamp>id_/<url>``: the raw capture with its original Content-Type; the nearest capture of
  the URL when the timestamp is not exact (the Wayback Machine redirects to it); 404 when none.
* ``/collinfo.json`` and ``/<ID>-index`` (index.commoncrawl.org): pywb's CDX server API as Common Crawl
  runs it (webrecorder/pywb docs/manual/cdxserver_api.rst): ``showNumPages=true`` answers
  ``{"pages", "pageSize", "blocks"}``, ``page=N`` one JSON object per line with ``urlkey, timestamp, url,
  mime, status, digest, length, offset, filename``; ``url=<prefix>*`` is a prefix query.
* ``/crawl-data/.../*.warc.gz`` (data.commoncrawl.org): one gzipped WARC file per collection written
  with warcio's ``WARCWriter`` (a gzip member per record), served whole or by ``Range: bytes=a-b`` (206).

Every request is logged (``log``: method, path with query, status, headers) for the tests to count.
``fail`` maps a path prefix to (status, times, headers) answered instead for the first ``times`` requests.
"""

from __future__ import annotations

import io
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

PREFIXES = {"web.archive.org": "/wayback", "index.commoncrawl.org": "/ccindex", "data.commoncrawl.org": "/ccdata"}


@dataclass
class Capture:
    url: str
    timestamp: str  # yyyyMMddhhmmss
    body: bytes
    status: int = 200
    mime: str = "text/html"
    # filled in for Common Crawl captures when the WARC file is written
    filename: str = ""
    offset: int = 0
    length: int = 0

    @property
    def urlkey(self) -> str:
        return surt(self.url)


@dataclass
class Logged:
    method: str
    path: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)


def surt(url: str) -> str:
    """A SURT-like key: ``https://www.theins.ru/news/1?a=b`` -> ``ru,theins)/news/1?a=b`` (scheme and
    ``www.`` dropped, host reversed), what the CDX API sorts and matches on."""
    parts = urlsplit(url if "://" in url else "http://" + url)
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    key = ",".join(reversed(host.split("."))) + ")" + (parts.path or "/")
    return key + (f"?{parts.query}" if parts.query else "")


def _digest(body: bytes) -> str:
    import base64
    import hashlib

    return base64.b32encode(hashlib.sha1(body).digest()).decode()


def _pad(stamp: str, upper: bool) -> str:
    digits = re.sub(r"\D", "", stamp)
    return (digits + ("99991231235959"[len(digits):] if upper else "00000101000000"[len(digits):]))[:14]


class ArchiveServer:
    def __init__(self, wayback: list[Capture] | None = None, commoncrawl: dict[str, list[Capture]] | None = None,
                 cc_page_size: int = 3, collinfo: list[dict] | None = None) -> None:
        self.wayback = sorted(wayback or [], key=lambda c: (c.urlkey, c.timestamp))
        self.commoncrawl = {cid: sorted(caps, key=lambda c: (c.urlkey, c.timestamp))
                            for cid, caps in (commoncrawl or {}).items()}
        self.cc_page_size = cc_page_size
        self.collinfo = collinfo if collinfo is not None else [self._collection(cid) for cid in self.commoncrawl]
        self.warcs: dict[str, bytes] = {}
        for cid, captures in self.commoncrawl.items():
            self.warcs.update(self._write_warc(cid, captures))
        self.log: list[Logged] = []
        self.fail: dict[str, tuple[int, int, dict[str, str]]] = {}
        self._failed: dict[str, int] = {}
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True

    # ------------------------------------------------------------------ set-up
    @staticmethod
    def _collection(cid: str) -> dict:
        """A collinfo.json entry; the span from ``CC-MAIN-YYYY-WW`` (the two weeks ending that week)."""
        from datetime import date, timedelta

        year, week = int(cid.split("-")[2]), int(cid.split("-")[3])
        monday = date.fromisocalendar(year, week, 1)
        return {"id": cid, "name": f"{cid} Index", "timegate": f"https://index.commoncrawl.org/{cid}/",
                "cdx-api": f"https://index.commoncrawl.org/{cid}-index",
                "from": f"{monday - timedelta(days=13)}T00:00:00", "to": f"{monday + timedelta(days=6)}T23:59:59"}

    @staticmethod
    def _write_warc(cid: str, captures: list[Capture]) -> dict[str, bytes]:
        filename = f"crawl-data/{cid}/segments/1/warc/{cid}-00000.warc.gz"
        out = io.BytesIO()
        writer = WARCWriter(out, gzip=True)
        for capture in captures:
            http = StatusAndHeaders(f"{capture.status} OK", [("Content-Type", f"{capture.mime}; charset=utf-8"),
                                                            ("Content-Length", str(len(capture.body)))],
                                    protocol="HTTP/1.1")
            when = datetime.strptime(capture.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
            record = writer.create_warc_record(capture.url, "response", payload=io.BytesIO(capture.body),
                                               http_headers=http,
                                               warc_headers_dict={"WARC-Date": when.strftime("%Y-%m-%dT%H:%M:%SZ")})
            start = out.tell()
            writer.write_record(record)
            capture.filename, capture.offset, capture.length = filename, start, out.tell() - start
        return {filename: out.getvalue()}

    def mirrors(self) -> dict[str, str]:
        return {host: self.url + prefix for host, prefix in PREFIXES.items()}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> ArchiveServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> ArchiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def requests_to(self, prefix: str) -> list[Logged]:
        with self.lock:
            return [e for e in self.log if e.path.startswith(prefix)]

    # ------------------------------------------------------------------ answers
    def answer(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        for prefix, (status, times, extra) in self.fail.items():
            if path.startswith(prefix):
                with self.lock:
                    self._failed[prefix] = self._failed.get(prefix, 0) + 1
                    if self._failed[prefix] <= times:
                        return status, dict(extra), b"failing on purpose"
        parts = urlsplit(path)
        query = parse_qsl(parts.query, keep_blank_values=True)
        route = unquote(parts.path)
        if route == "/wayback/cdx/search/cdx":
            return self.cdx(query)
        if route.startswith("/wayback/web/"):
            return self.capture(parts.path[len("/wayback/web/"):] + (f"?{parts.query}" if parts.query else ""))
        if route == "/ccindex/collinfo.json":
            return 200, {"Content-Type": "application/json"}, json.dumps(self.collinfo).encode()
        m = re.match(r"^/ccindex/(?P<cid>CC-MAIN-\d{4}-\d{2})-index$", route)
        if m:
            return self.cc_index(m["cid"], query)
        if route.startswith("/ccdata/"):
            return self.cc_data(route[len("/ccdata/"):], headers.get("Range"))
        return 404, {"Content-Type": "text/plain"}, b"not found"

    def cdx(self, query: list[tuple[str, str]]) -> tuple[int, dict[str, str], bytes]:
        params = dict(query)
        key = surt(params.get("url", ""))
        prefix = params.get("matchType") == "prefix" or params.get("url", "").endswith("*")
        key = key.rstrip("*")
        low, high = _pad(params.get("from", ""), False), _pad(params.get("to", ""), True)
        rows = [c for c in self.wayback if (c.urlkey.startswith(key) if prefix else c.urlkey == key)
                and low <= c.timestamp <= high]
        for name, value in query:
            if name == "filter":
                negate, (field_name, rx) = value.startswith("!"), value.lstrip("!").split(":", 1)
                rows = [c for c in rows if bool(re.search(rx, self._field(c, field_name))) != negate]
        if params.get("collapse") == "urlkey":
            rows = [c for i, c in enumerate(rows) if i == 0 or rows[i - 1].urlkey != c.urlkey]
        if params.get("resumeKey"):
            after = unquote(params["resumeKey"]).rstrip("!")
            rows = [c for c in rows if f"{c.urlkey} {c.timestamp}" > after]
        fields = (params.get("fl") or "urlkey,timestamp,original,mimetype,statuscode,digest,length").split(",")
        limit = int(params.get("limit") or 0)
        more = bool(limit) and len(rows) > limit
        page = rows[:limit] if limit else rows
        out: list[list[str]] = [fields] + [[self._field(c, f) for f in fields] for c in page]
        if more and params.get("showResumeKey") == "true":
            last = page[-1]
            out += [[], [quote(f"{last.urlkey} {last.timestamp}!")]]
        return 200, {"Content-Type": "application/json"}, json.dumps(out).encode()

    @staticmethod
    def _field(c: Capture, name: str) -> str:
        return {"urlkey": c.urlkey, "timestamp": c.timestamp, "original": c.url, "mimetype": c.mime,
                "statuscode": str(c.status), "digest": _digest(c.body),
                "length": str(len(c.body))}.get(name, "")

    def capture(self, rest: str) -> tuple[int, dict[str, str], bytes]:
        m = re.match(r"^(?P<ts>\d{1,14})id_/(?P<url>.+)$", rest)
        if not m:
            return 404, {"Content-Type": "text/plain"}, b"not a raw capture URL"
        key, stamp = surt(m["url"]), _pad(m["ts"], False)
        found = [c for c in self.wayback if c.urlkey == key]
        if not found:
            return 404, {"Content-Type": "text/html"}, b"<html><body>Wayback Machine has not archived that URL.</body></html>"
        nearest = min(found, key=lambda c: abs(int(c.timestamp) - int(stamp)))
        return nearest.status, {"Content-Type": f"{nearest.mime}; charset=utf-8",
                                "Memento-Datetime": nearest.timestamp}, nearest.body

    def cc_index(self, cid: str, query: list[tuple[str, str]]) -> tuple[int, dict[str, str], bytes]:
        params = dict(query)
        url = params.get("url", "")
        prefix = url.endswith("*") or params.get("matchType") == "prefix"
        key = surt(url.rstrip("*")).rstrip("*")
        low, high = _pad(params.get("from", ""), False), _pad(params.get("to", ""), True)
        rows = [c for c in self.commoncrawl.get(cid, []) if (c.urlkey.startswith(key) if prefix else c.urlkey == key)
                and low <= c.timestamp <= high]
        pages = max(1, -(-len(rows) // self.cc_page_size)) if rows else 0
        if params.get("showNumPages") == "true":
            return 200, {"Content-Type": "application/json"}, json.dumps({"pages": pages, "pageSize": 5, "blocks": pages}).encode()
        page = int(params.get("page") or 0)
        if rows and page >= pages:
            return 400, {"Content-Type": "text/plain"}, b"page out of range"
        chosen = rows[page * self.cc_page_size:(page + 1) * self.cc_page_size] if "page" in params else rows
        if not chosen:
            return 404, {"Content-Type": "text/plain"}, b"No Captures found"
        lines = [json.dumps({"urlkey": c.urlkey, "timestamp": c.timestamp, "url": c.url, "mime": c.mime,
                             "mime-detected": c.mime, "status": str(c.status), "digest": _digest(c.body),
                             "length": str(c.length), "offset": str(c.offset), "filename": c.filename})
                 for c in chosen]
        return 200, {"Content-Type": "text/x-ndjson"}, ("\n".join(lines) + "\n").encode()

    def cc_data(self, filename: str, range_header: str | None) -> tuple[int, dict[str, str], bytes]:
        data = self.warcs.get(filename)
        if data is None:
            return 404, {"Content-Type": "text/plain"}, b"no such file"
        m = re.match(r"bytes=(\d+)-(\d+)$", range_header or "")
        if not m:
            return 200, {"Content-Type": "application/octet-stream"}, data
        start, end = int(m[1]), int(m[2])
        return 206, {"Content-Type": "application/octet-stream",
                     "Content-Range": f"bytes {start}-{end}/{len(data)}"}, data[start:end + 1]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                status, headers, body = server.answer(self.path, dict(self.headers.items()))
                with server.lock:
                    server.log.append(Logged("GET", self.path, status, dict(self.headers.items())))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


# ---------------------------------------------------------------------------- pages to archive
INSIDER_TEMPLATE = "tests/sites/theinsider/news/301118"
WORDS = ("суд власти депутаты регион губернатор война армия бюджет налоги санкции банк нефть экспорт выборы "
         "оппозиция журналист закон полиция протест арест приговор колония чиновник министерство компания "
         "завод зарплаты пенсии инфляция деревня школа больница дорога мост мобилизация беженцы граница").split()


def insider_page(article_id: int, published: datetime, seed: int) -> bytes:
    """A news page of The Insider's fixture shape (``tests/sites/theinsider/news/301118``, synthetic; see
    its README), with another id, date, title and body of invented words, so that no two generated
    articles are duplicates of each other."""
    import random

    import lxml.html

    from tests.crawl import ROOT

    rng = random.Random(seed)
    paragraphs = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 45))).capitalize() + "."
                  for _ in range(4)]
    title = f"Новость номер {article_id}: " + " ".join(rng.choice(WORDS) for _ in range(6))
    stamp = published.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    doc = lxml.html.parse(str(ROOT / INSIDER_TEMPLATE)).getroot()
    doc.find(".//title").text = f"{title} — The Insider"
    doc.cssselect("h1")[0].text = title
    time_el = doc.cssselect("time")[0]
    time_el.set("dateTime", stamp)
    time_el.text = published.strftime("%d.%m.%Y")
    body = doc.cssselect("div[class*=ArticleBody_body]")[0]
    plain = [p for p in body.findall("p") if p.find("strong") is None and p.find("em") is None]
    for p, text in zip(plain, paragraphs):
        for child in list(p):
            p.remove(child)
        p.text = text
    script = doc.cssselect("script#__NEXT_DATA__")[0]
    data = json.loads(script.text)
    post = data["props"]["pageProps"]["post"]
    post.update({"id": article_id, "title": title, "publishedAt": stamp, "updatedAt": stamp,
                 "body": "".join(f"<p>{t}</p>" for t in paragraphs)})
    script.text = json.dumps(data, ensure_ascii=False)
    html = lxml.html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>")
    return html.replace("301118", str(article_id)).encode("utf-8")
