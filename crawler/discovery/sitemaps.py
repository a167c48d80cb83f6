"""Sitemaps and sitemap indexes, including Google News tags that Scrapy's own parser drops.

``SitemapReader`` streams a sitemap: its entries come one by one (``lxml.etree.iterparse``; each
``<url>`` is dropped from the tree once read), gzip is inflated as the parser reads, and nothing beyond
``max_size`` bytes (inflated) is read. A 500,000-URL sitemap therefore costs its body, not a tree and
a list of half a million entries. ``parse_sitemap`` reads one whole, for small documents and tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from crawler.discovery.xml import BodyStream, DiscoveryError, local, xml_parser_options

ENTRY_TAGS = ("url", "sitemap")
CLOSING = (b"</url>", b"</sitemap>", b":url>", b":sitemap>")  # the entries a document really closes
SITEMAP_MAX_SIZE = 50 * 1024 * 1024  # the protocol's limit (sitemaps.org: 50 MB, 52,428,800 bytes)


@dataclass
class SitemapEntry:
    loc: str
    lastmod: str | None = None
    news_publication_date: str | None = None
    news_title: str | None = None


@dataclass
class Sitemap:
    kind: str  # "sitemapindex" or "urlset"
    entries: list[SitemapEntry] = field(default_factory=list)
    malformed: bool = False
    errors: str = ""


class SitemapReader:
    """The entries of one sitemap, read lazily. ``kind`` is known on construction (DiscoveryError for
    what is not a sitemap); ``malformed``/``errors`` once iteration ends, and ``failure`` when reading
    stopped early (a body inflating beyond ``max_size``, broken gzip): the entries before it are kept."""

    def __init__(self, body: bytes, max_size: int = SITEMAP_MAX_SIZE) -> None:
        self.stream = BodyStream(body, max_size, CLOSING)
        self.events = etree.iterparse(self.stream, events=("start", "end"), **xml_parser_options())
        self.malformed = False
        self.errors = ""
        self.failure: str | None = None
        self.count = 0
        try:
            _, self.root = next(self.events)
        except StopIteration:
            raise DiscoveryError("not XML: empty document") from None
        except etree.XMLSyntaxError as exc:
            raise DiscoveryError(f"not XML: {exc}") from None
        self.kind = local(self.root.tag)
        if self.kind not in ("sitemapindex", "urlset"):
            raise DiscoveryError(f"not a sitemap: root element <{self.kind}>")

    def __iter__(self) -> Iterator[SitemapEntry]:
        held: SitemapEntry | None = None  # one entry behind: the last may be a truncation's invention
        try:
            for event, node in self.events:
                if event != "end" or node.getparent() is not self.root:
                    continue
                entry = self._entry(node) if local(node.tag) in ENTRY_TAGS else None
                node.clear()
                while node.getprevious() is not None:
                    del self.root[0]
                if entry is None:
                    continue
                if held is not None:
                    self.count += 1
                    yield held
                held = entry
        except etree.XMLSyntaxError as exc:  # recovery gave up: keep what was read
            self.errors = f"not XML past this point: {exc}"
        except DiscoveryError as exc:  # too large, broken gzip: keep what was read
            self.failure = self.errors = str(exc)
        self.stream.finish()
        log = self.events.error_log
        self.malformed = bool(len(log) or self.errors)
        self.errors = self.errors or "; ".join(str(e.message) for e in log[:3])
        # lxml's recovery also closes the entry cut off by a truncation ("https://static.t"): keep only
        # as many entries as the document closes.
        if held is not None and (not self.malformed or self.count < self.stream.closed_count):
            self.count += 1
            yield held

    @staticmethod
    def _entry(node: etree._Element) -> SitemapEntry | None:
        fields: dict[str, str] = {}
        for child in node.iter():
            name = local(child.tag)
            if name == "title" and local(child.getparent().tag) != "news":
                continue  # image:title, video:title
            if name in ("loc", "lastmod", "publication_date", "title") and child.text and name not in fields:
                # <loc> inside <image:image> or <video:video> comes after the page's own <loc>
                fields[name] = child.text.strip()
        if not fields.get("loc"):
            return None
        return SitemapEntry(loc=fields["loc"], lastmod=fields.get("lastmod"),
                            news_publication_date=fields.get("publication_date"), news_title=fields.get("title"))


def parse_sitemap(body: bytes, max_size: int = SITEMAP_MAX_SIZE) -> Sitemap:
    """A whole sitemap at once; DiscoveryError when it is not one, or when it cannot be read to the end
    because it is too large or its gzip is broken."""
    reader = SitemapReader(body, max_size)
    entries = list(reader)
    if reader.failure:
        raise DiscoveryError(reader.failure)
    return Sitemap(kind=reader.kind, entries=entries, malformed=reader.malformed, errors=reader.errors)
