"""Meduza (meduza.io, /en): the page plus its API record ``/api/w5/{path}`` (see crawler/outlets/meduza.py).

The API record is ``{"root": {title, second_title, locale, datetime, published_at, modified_at (unix
seconds), tag: {name}, content: {blocks: [...]} or content: {cards: [{blocks}]}}}`` with blocks ``lead``,
``p``, ``h3``, ``blockquote``, ``ul``, ``image`` {large_url, caption, credit}, ``card_title`` {text},
``embed``, ``material_note`` (``baradusov/meduza-lite@20d2420``, 2021). Blocks marked
``only_on: "mobile"`` duplicate a desktop block and are skipped. The lead block is both ``lead`` and the
body's first paragraph. Authors, dates with their +03:00 offset and the foreign-agent label come from the
page (JSON-LD, ``data-testid`` markup), which is also the body's fallback (same blocks, rendered).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from crawler.pages.api import ApiArticlePage
from crawler.pages.base import jsonld_organizations

TEXT_BLOCKS = ("lead", "p", "h2", "h3", "h4", "blockquote", "quote")
LIST_BLOCKS = ("ul", "ol")


class MeduzaPage(ApiArticlePage):
    layout_selectors = ("div.GeneralMaterial-module-materialHeader", '[data-testid="embed-block"]', "figure",
                        '[class*="Card-module_number"]')

    @cached_property
    def record(self) -> dict[str, Any]:
        root = self.document.get("root") if isinstance(self.document, dict) else None
        return root if isinstance(root, dict) else {}

    def blocks(self) -> list[dict[str, Any]]:
        """The record's blocks in reading order (cards flattened), without mobile-only duplicates."""
        content = self.record.get("content") or {}
        blocks = list(content.get("blocks") or [])
        for card in content.get("cards") or []:
            blocks += card.get("blocks") or []
        return [b for b in blocks if isinstance(b, dict) and b.get("only_on") != "mobile"]

    # ---------------------------------------------------------------- fields: API first, then the page
    def title(self) -> str | None:
        return self.plain(self.field("title")) or super().title()

    def subtitle(self) -> str | None:
        return self.plain(self.field("second_title")) or super().subtitle()

    def lead(self) -> str | None:
        lead = next((b.get("data") for b in self.blocks() if b.get("type") == "lead"), None)
        return self.plain(lead) or super().lead()

    def authors(self) -> list[str]:
        """People from JSON-LD (the API record has none); "Meduza" as an Organization author is no byline."""
        return [a for a in super().authors() if a not in jsonld_organizations(self.jsonld)]

    def published_at(self) -> str | None:
        return super().published_at() or self._date(self.field("published_at", "datetime"))

    def modified_at(self) -> str | None:
        return super().modified_at() or self._date(self.field("modified_at"))

    def section(self) -> str | None:
        return self.plain(self.field("tag.name")) or super().section()

    def language(self) -> str:
        locale = self.field("locale")
        return locale if isinstance(locale, str) and len(locale) == 2 else super().language()

    def images(self) -> list[dict[str, Any]]:
        """Image blocks of the record, else the page's figures; never ``og:image`` (a generated share card)."""
        found: dict[str, dict[str, Any]] = {}
        for block in self.blocks():
            data = block.get("data") if block.get("type") == "image" else None
            if isinstance(data, dict) and data.get("large_url"):
                url = self.urljoin(data["large_url"])
                found.setdefault(url, {"url": url, "caption": self.plain(data.get("caption")) or None,
                                       "credit": self.plain(data.get("credit")) or None})
        if found:
            return list(found.values())
        return self.figures(self.sel.css(self.extra("image_selector")))

    # ---------------------------------------------------------------- body
    def body_api(self) -> list[str] | None:
        paragraphs: list[str] = []
        for block in self.blocks():
            kind, data = block.get("type"), block.get("data")
            if kind in TEXT_BLOCKS and isinstance(data, str):
                paragraphs += self.html_paragraphs(data)
            elif kind in LIST_BLOCKS and isinstance(data, list):
                paragraphs += [p for p in (self.plain(item) for item in data) if p]
            elif kind == "card_title" and isinstance(data, dict):
                paragraphs.append(self.plain(data.get("text")))
            # image, embed, material_note, related...: not body text
        return [p for p in paragraphs if p] or None
