"""Novaya Gazeta Europe: the API record ``/api/v1/get/record?slug=`` (see crawler/outlets/novayagazeta_eu.py).

``{"record": {slug, lang, title (may hold HTML), subtitle, lead, date (ms epoch), authors [{name,
locale: [{lang, name, surname}]}], tags [str], typeRubricDisplayName, typeGenreId, previewUrl,
previewCaption, isPreviewHidden, body: [...]}}``. Body blocks (RSS-Bridge's ``convertBody``): ``text``
(rich-text HTML: ``<p>``, ``<h2>``, lists), ``text/quote`` (one paragraph), ``text/framed`` (its
``typeDisplay`` as a paragraph, then its text), ``image/single`` (an image: caption in ``data``, the credit
is part of the caption), ``embed/native`` (a related-article card: not body), ``person`` (the
interviewee's card: not body). The lead is its own field, never in the body. An English record names
its authors in ``locale[lang=en]`` (name + surname). The same record is embedded in the page as
``__NEXT_DATA__`` (props.pageProps.record): the fallback when the API cannot be reached.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from crawler.pages.api import ApiArticlePage
from crawler.text import normalize


class NovayaGazetaEuropePage(ApiArticlePage):
    @cached_property
    def record(self) -> dict[str, Any]:
        record = self.document.get("record") if isinstance(self.document, dict) else None
        return record if isinstance(record, dict) else {}

    def embedded_document(self) -> Any:
        raw = self.sel.css("script#__NEXT_DATA__::text").get()
        try:
            props = json.loads(raw).get("props", {}).get("pageProps", {}) if raw else {}
        except (ValueError, AttributeError):
            return None
        return {"record": props["record"]} if isinstance(props.get("record"), dict) else None

    def entry(self, key: str) -> Any:
        """A field of the record, else of the main list's block that led here."""
        value = self.field(key)
        return value if value not in (None, "", []) else self.api_entry.get(key)

    # ---------------------------------------------------------------- fields
    def title(self) -> str | None:
        return self.plain(self.entry("title")) or super().title()

    def subtitle(self) -> str | None:
        return self.plain(self.entry("subtitle")) or super().subtitle()

    def lead(self) -> str | None:
        return self.plain(self.field("lead")) or super().lead()

    def language(self) -> str:
        lang = self.field("lang")
        return lang if isinstance(lang, str) and len(lang) == 2 else super().language()

    def authors(self) -> list[str]:
        names = []
        for author in self.entry("authors") or []:
            if not isinstance(author, dict):
                continue
            local = next((loc for loc in author.get("locale") or [] if isinstance(loc, dict)
                          and loc.get("lang") == self.language()), None)
            name = normalize(f"{local.get('name') or ''} {local.get('surname') or ''}") if local else ""
            names.append(name or normalize(author.get("name")))
        return [n for n in dict.fromkeys(names) if n] or super().authors()

    def published_at(self) -> str | None:
        return self._date(self.entry("date")) or super().published_at()

    def section(self) -> str | None:
        return self.plain(self.entry("typeRubricDisplayName")) or super().section()

    def tags(self) -> list[str]:
        tags = [self.plain(t) for t in self.entry("tags") or [] if isinstance(t, str)]
        return [t for t in dict.fromkeys(tags) if t] or super().tags()

    def kind(self) -> str:
        genre = self.field("typeGenreId") or self.meta("genre") or ""
        kinds = self.extra("genre_kinds") or {}
        if self.is_article() and isinstance(genre, str) and genre.lower() in kinds:
            return kinds[genre.lower()]
        return super().kind()

    def images(self) -> list[dict[str, Any]]:
        """The preview (unless hidden) and the ``image/single`` blocks; captions carry their credit."""
        found: list[tuple[Any, Any]] = []
        if self.field("previewUrl") and not self.field("isPreviewHidden"):
            found.append((self.field("previewUrl"), self.field("previewCaption")))
        found += [(b.get("previewUrl"), b.get("data")) for b in self.blocks() if b.get("type") == "image/single"]
        if not found:  # the page's figures, captions whole as in the record
            found = [(f.css("img::attr(src)").get(), " ".join(f.css("figcaption ::text").getall()))
                     for f in self.sel.css(self.extra("image_selector") or "figure")]
        images: dict[str, dict[str, Any]] = {}
        for url, caption in found:
            if isinstance(url, str) and url:
                images.setdefault(self.urljoin(url), {"url": self.urljoin(url), "caption": self.plain(caption) or None,
                                                      "credit": None})
        return list(images.values())

    # ---------------------------------------------------------------- body
    def blocks(self) -> list[dict[str, Any]]:
        return [b for b in self.field("body") or [] if isinstance(b, dict)]

    def body_api(self) -> list[str] | None:
        paragraphs: list[str] = []
        for block in self.blocks():
            kind, data = block.get("type"), block.get("data")
            if kind == "text":
                paragraphs += self.html_paragraphs(data if isinstance(data, str) else None)
            elif kind == "text/quote":
                paragraphs += self.html_paragraphs(data if isinstance(data, str) else None)
            elif kind == "text/framed":
                paragraphs.append(self.plain(block.get("typeDisplay")))
                paragraphs += self.html_paragraphs(data if isinstance(data, str) else None)
            # image/single, embed/native (related card), person (interviewee card), banners: not body text
        return [p for p in paragraphs if p] or None
