"""A local HTTP server for the fixture sites in tests/sites/ (see tests/sites/README.md).

Used by the tests, the benchmarks and the README's offline demo:

    python tests/siteserver.py tests/sites/moscowtimes --port 8765

It listens on 127.0.0.1 only, logs every request (tests count them), answers conditional requests
with 304, and applies the per-path behaviour of the site's ``_responses.json``.
"""

from __future__ import annotations

import argparse
import email.utils
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".gz": "application/octet-stream",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".pdf": "application/pdf",
}


def sniff(path: Path, body: bytes) -> str:
    if path.suffix in TYPES:
        return TYPES[path.suffix]
    head = body.lstrip()[:200]
    if head.startswith((b"<?xml", b"<rss", b"<urlset", b"<sitemapindex", b"<feed")):
        return "application/xml"
    if head.startswith((b"{", b"[")):
        return "application/json"
    return "text/html; charset=utf-8"


@dataclass
class Logged:
    method: str
    path: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""  # the request's body (a POST's)


class Site:
    """A fixture site folder and its ``_responses.json``: what a request gets, without any socket."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        routes_file = self.root / "_responses.json"
        self.routes: dict[str, dict] = json.loads(routes_file.read_text("utf-8")) if routes_file.exists() else {}
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()

    def resolve(self, method: str, raw_path: str, request_body: bytes = b"") -> tuple[int, dict[str, str], bytes | None, float]:
        """(status, headers, body, delay) for a request; body None means 404. A route may be a list of
        routes: the first whose ``body_contains`` is in the request body (or that has none) applies."""
        parts = urlsplit(raw_path)
        path = unquote(parts.path)
        key = f"{path}?{parts.query}" if parts.query else path
        route = self.routes.get(key) or self.routes.get(path) or {}
        if isinstance(route, list):
            text = request_body.decode("utf-8", "replace")
            route = next((r for r in route if r.get("body_contains", "") in text), {})
        if route.get("method") and route["method"].upper() != method:
            route = {}
        with self.lock:
            self.hits[key] = self.hits.get(key, 0) + 1
            hit = self.hits[key]
        special = "times" not in route or hit <= int(route["times"])
        status = int(route.get("status", 200)) if special else 200
        headers = dict(route.get("headers", {})) if special or "file" in route else {}
        delay = float(route.get("delay", 0))
        if special and "body" in route:
            body: bytes | None = route["body"].encode("utf-8")
            headers.setdefault("Content-Type", "text/html; charset=utf-8")
            return status, headers, body, delay
        if special and status >= 400:
            return status, headers, b"<html><body><h1>Error %d</h1></body></html>" % status, delay
        relative = route.get("file") or path.lstrip("/")
        file = (self.root / relative).resolve()
        if file.is_dir():
            file = file / "index.html"
        hidden = any(part.startswith("_") for part in Path(relative).parts) and "file" not in route
        if hidden or not file.is_file() or self.root not in file.parents:
            return 404, {"Content-Type": "text/html; charset=utf-8"}, None, delay
        body = file.read_bytes()
        headers.setdefault("Content-Type", sniff(file, body))
        headers.setdefault("ETag", '"%s"' % hashlib.sha1(body).hexdigest())
        headers.setdefault("Last-Modified", email.utils.formatdate(file.stat().st_mtime, usegmt=True))
        return status, headers, body, delay


class SiteServer(Site):
    """Serve ``root`` on 127.0.0.1:``port`` (0 picks a free port) in a background thread."""

    def __init__(self, root: str | Path, port: int = 0) -> None:
        super().__init__(root)
        self.log: list[Logged] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.httpd.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> SiteServer:
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def requests_to(self, predicate) -> list[Logged]:  # type: ignore[no-untyped-def]
        with self.lock:
            return [entry for entry in self.log if predicate(entry.path)]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request_body = self.rfile.read(length) if length else b""
                status, headers, body, delay = server.resolve(method, self.path, request_body)
                if delay:
                    time.sleep(delay)
                if body is None:
                    status, body = 404, b"<html><body><h1>Not found</h1></body></html>"
                if status == 200 and self._not_modified(headers):
                    status, body = 304, b""
                with server.lock:
                    server.log.append(Logged(method, self.path, status, dict(self.headers.items()), request_body))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if method != "HEAD":
                    self.wfile.write(body)

            def _not_modified(self, headers: dict[str, str]) -> bool:
                etag = self.headers.get("If-None-Match")
                if etag:
                    return etag == headers.get("ETag")
                since = self.headers.get("If-Modified-Since")
                if since and headers.get("Last-Modified"):
                    try:
                        return email.utils.parsedate_to_datetime(headers["Last-Modified"]) <= email.utils.parsedate_to_datetime(since)
                    except (TypeError, ValueError):
                        return False
                return False

            def do_GET(self) -> None:
                self._serve("GET")

            def do_HEAD(self) -> None:
                self._serve("HEAD")

            def do_POST(self) -> None:
                self._serve("POST")

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", help="a fixture site folder, e.g. tests/sites/moscowtimes")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    server = SiteServer(args.site, args.port)
    print(f"Serving {server.root} on {server.url} (Ctrl-C stops)", flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
