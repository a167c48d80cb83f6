"""The Article item. Its JSON Schema is ``crawler/schema/article.schema.json``; keep both in step."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SOURCES = ("site", "wayback", "commoncrawl")  # where an article's page was taken from
KINDS = ("news", "opinion", "analysis", "feature", "interview", "explainer", "newsletter", "podcast", "gallery", "video",
         "live", "page")
NOT_ARTICLES = ("page", "live")  # kinds the validation pipeline drops


@dataclass
class Image:
    url: str
    caption: str | None = None
    credit: str | None = None


@dataclass
class Article:
    """One article as exported. Dates are ISO 8601 strings with an offset; ``body`` is plain text,
    paragraphs separated by a blank line; ``images[0]`` is the featured image when there is one."""

    url: str
    outlet: str
    language: str | None = None
    title: str | None = None
    subtitle: str | None = None
    lead: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: str | None = None
    modified_at: str | None = None
    section: str | None = None
    kind: str | None = None
    tags: list[str] = field(default_factory=list)
    body: str = ""
    images: list[dict[str, Any]] = field(default_factory=list)
    word_count: int = 0
    paywalled: bool = False
    foreign_agent_label: bool = False
    foreign_agent_text: str | None = None
    native_id: str | None = None
    fetched_at: str | None = None
    version: int = 1
    story_id: str | None = None
    duplicate_of: str | None = None
    extraction: dict[str, str] = field(default_factory=dict)  # field -> layer that produced it
    archive: dict[str, str] | None = None  # {"wacz": file name, "record": WARC-Record-ID} of the parsed page
    # provenance (crawler/middlewares/web_archives.py): the live site, or a web archive's capture of the page
    source: str = "site"
    archived_at: str | None = None  # when the archive captured the page (ISO 8601, UTC)
    archive_url: str | None = None  # the capture: a Wayback ``id_`` URL, or the Common Crawl WARC record
    deleted_from_site: bool = False  # the site answered 404/410: the text exists only in the archive
