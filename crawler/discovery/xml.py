"""Safe XML parsing for discovery documents: no external entities, no network, bounded size."""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass

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


def parse_xml(body: bytes) -> Parsed:
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, remove_comments=True,
        remove_pis=True, huge_tree=False, load_dtd=False,
    )
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
