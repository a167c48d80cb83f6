"""RSS 2.0 and Atom feeds: links, dates, and full text where the feed carries it."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.discovery.xml import DiscoveryError, local, maybe_gunzip, parse_xml


@dataclass
class FeedEntry:
    link: str
    guid: str | None = None  # the feed's own id for the item (WordPress: https://site/?p=<post id>)
    title: str | None = None
    published: str | None = None
    updated: str | None = None
    summary: str | None = None
    content: str | None = None  # content:encoded / atom:content / yandex:full-text (HTML or text)
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


def parse_feed(body: bytes, max_size: int = 64 * 1024 * 1024) -> list[FeedEntry]:
    parsed = parse_xml(maybe_gunzip(body, max_size))
    root_name = local(parsed.root.tag)
    if root_name not in ("rss", "feed", "RDF"):
        raise DiscoveryError(f"not a feed: root element <{root_name}>")
    entries = []
    for node in parsed.root.iter():
        if local(node.tag) not in ("item", "entry"):
            continue
        fields: dict[str, str] = {}
        authors: list[str] = []
        categories: list[str] = []
        for child in node:
            name = local(child.tag)
            text = (child.text or "").strip()
            if name == "link":
                href = child.get("href")
                if href and child.get("rel", "alternate") == "alternate":
                    fields.setdefault("link", href.strip())
                elif text:
                    fields.setdefault("link", text)
            elif name in ("creator", "author"):
                author = text or " ".join(t.strip() for t in child.itertext() if t.strip())
                if author:
                    authors.append(author)
            elif name == "category":
                categories.append(text or child.get("term", ""))
            elif text:
                fields.setdefault(name, text)
        link = fields.get("link") or (fields.get("guid") if fields.get("guid", "").startswith("http") else None)
        if not link:
            continue
        entries.append(FeedEntry(
            link=link,
            guid=fields.get("guid"),
            title=fields.get("title"),
            published=fields.get("pubDate") or fields.get("published") or fields.get("date"),
            updated=fields.get("updated") or fields.get("modified"),
            summary=fields.get("description") or fields.get("summary"),
            content=fields.get("encoded") or fields.get("content") or fields.get("full-text"),
            authors=tuple(authors),
            categories=tuple(c for c in categories if c),
        ))
    return entries
