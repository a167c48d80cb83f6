"""Sitemaps and sitemap indexes, including Google News tags that Scrapy's own parser drops."""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.discovery.xml import DiscoveryError, local, maybe_gunzip, parse_xml


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


def parse_sitemap(body: bytes, max_size: int = 64 * 1024 * 1024) -> Sitemap:
    body = maybe_gunzip(body, max_size)
    parsed = parse_xml(body)
    kind = local(parsed.root.tag)
    if kind not in ("sitemapindex", "urlset"):
        raise DiscoveryError(f"not a sitemap: root element <{kind}>")
    sitemap = Sitemap(kind=kind, malformed=parsed.malformed, errors=parsed.errors)
    for node in parsed.root:
        fields: dict[str, str] = {}
        for child in node.iter():
            name = local(child.tag)
            if name == "title" and local(child.getparent().tag) != "news":
                continue  # image:title, video:title
            if name in ("loc", "lastmod", "publication_date", "title") and child.text and name not in fields:
                # <loc> inside <image:image> or <video:video> comes after the page's own <loc>
                fields[name] = child.text.strip()
        if fields.get("loc"):
            sitemap.entries.append(SitemapEntry(
                loc=fields["loc"], lastmod=fields.get("lastmod"),
                news_publication_date=fields.get("publication_date"), news_title=fields.get("title"),
            ))
    if sitemap.malformed:
        # lxml's recovery also yields the entry cut off by a truncation ("https://static.t"):
        # keep only as many entries as the document closes.
        closed = body.count(b"</url>") + body.count(b"</sitemap>") + body.count(b":url>") + body.count(b":sitemap>")
        del sitemap.entries[closed:]
    return sitemap
