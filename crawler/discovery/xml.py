"""Safe XML parsing for discovery documents: no external entities, no network, bounded size."""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass
from typing import Any

from lxml import etree

GZIP_MAGIC = b"\x1f\x8b"


class DiscoveryError(ValueError):
    """A discovery document that cannot be read at all (not XML, gzip bomb, ...)."""


@dataclass
class Parsed:
    root: etree._Element
    malformed: bool  # lxml had to recover from errors: some entries may be lost
    errors: str


def maybe_gunzip(body: bytes, max_size: int) -> bytes:
    """Decompress gzip bodies whatever their Content-Type says; refuse to inflate beyond ``max_size``."""
    if not body.startswith(GZIP_MAGIC):
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as f:
            data = f.read(max_size + 1)
    except (OSError, EOFError) as exc:
        raise DiscoveryError(f"broken gzip: {exc}") from None
    if len(data) > max_size:
        raise DiscoveryError(f"gzip inflates beyond {max_size} bytes")
    return data


class BodyStream(io.RawIOBase):
    """A document body read as a stream: gzip inflated on the fly (whatever the Content-Type says) and
    never beyond ``max_size`` bytes (DiscoveryError), leading white space dropped (an XML declaration
    must come first). Counts the ``closing`` byte strings it passes, so that a reader can tell the
    entries a document really closes from the ones a recovering parser closed for it at a truncation."""

    def __init__(self, body: bytes, max_size: int, closing: tuple[bytes, ...] = ()) -> None:
        super().__init__()
        self.gzipped = body.startswith(GZIP_MAGIC)
        self.source: io.BufferedIOBase = gzip.GzipFile(fileobj=io.BytesIO(body)) if self.gzipped else io.BytesIO(body)
        self.max_size = max_size
        self.size = 0
        self.closing = closing
        self.closed_count = 0
        self._tail = b""
        self._started = False

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = 64 * 1024 if n is None or n < 0 else n
        chunk = self._read(n)
        while not self._started and chunk:
            chunk = chunk.lstrip()
            self._started = bool(chunk)
            if not chunk:
                chunk = self._read(n)
        if self.closing and chunk:
            window = self._tail + chunk
            self.closed_count += sum(window.count(c) for c in self.closing)
            self._tail = window[-16:]
            self.closed_count -= sum(self._tail.count(c) for c in self.closing)  # counted again next time
        return chunk

    def _read(self, n: int) -> bytes:
        try:
            chunk = self.source.read(n)
        except (OSError, EOFError, zlib.error) as exc:
            raise DiscoveryError(f"broken gzip: {exc}") from None
        self.size += len(chunk)
        if self.size > self.max_size:
            raise DiscoveryError(f"{'gzip inflates' if self.gzipped else 'document is'} beyond {self.max_size} bytes")
        return chunk

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def finish(self) -> None:
        """Count the closing strings left in the last bytes read."""
        self.closed_count += sum(self._tail.count(c) for c in self.closing)
        self._tail = b""


def xml_parser_options() -> dict[str, Any]:
    """lxml options for documents a site sends: recover what can be read; no entities, DTDs or network."""
    return dict(recover=True, resolve_entities=False, no_network=True, remove_comments=True,
                remove_pis=True, huge_tree=False, load_dtd=False)


def parse_xml(body: bytes) -> Parsed:
    parser = etree.XMLParser(**xml_parser_options())
    try:
        root = etree.fromstring(body.lstrip(), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"not XML: {exc}") from None
    if root is None:
        raise DiscoveryError("not XML: empty document")
    errors = "; ".join(str(e.message) for e in parser.error_log[:3])
    return Parsed(root=root, malformed=bool(len(parser.error_log)), errors=errors)


def local(tag: object) -> str:
    return tag.split("}", 1)[1] if isinstance(tag, str) and "}" in tag else str(tag)
