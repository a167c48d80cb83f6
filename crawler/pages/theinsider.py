"""The Insider's article page (Next.js). What differs from the generic page: the server-rendered
``<script id="__NEXT_DATA__">`` carries the post as data (``props.pageProps.post``: title, lead,
publishedAt/updatedAt in UTC, authors, tags, section, type, cover, and ``body``, the CMS HTML without the
template's inline donation / Telegram / "Читайте также" inserts). It is the first layer for every field;
the HTML (matched by CSS-module class prefixes, see crawler/outlets/theinsider.py) is the second.
Evidence: 2026 notes that the site is Next.js (LOW-MEDIUM); the post's field names are the fixture's
assumption, so every field falls back to the markup and the generic layers when the data is missing.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from parsel import Selector

from crawler.pages.base import ArticlePage
from crawler.text import normalize

KIND_BY_TYPE = {"news": "news", "article": "feature", "opinion": "opinion", "interview": "interview",
                "podcast": "podcast", "video": "video"}


class TheInsiderPage(ArticlePage):
    @cached_property
    def post(self) -> dict[str, Any]:
        raw = self.sel.css("script#__NEXT_DATA__::text").get()
        try:
            post = json.loads(raw)["props"]["pageProps"]["post"] if raw else None
        except (ValueError, KeyError, TypeError):
            return {}
        return post if isinstance(post, dict) else {}

    def title(self) -> str | None:
        return normalize(self.post.get("title")) or super().title()

    def lead(self) -> str | None:
        return normalize(self.post.get("lead")) or super().lead()

    def authors(self) -> list[str]:
        names = [normalize(a.get("name")) for a in self.post.get("authors") or () if isinstance(a, dict)]
        return [n for n in names if n] or super().authors()

    def published_at(self) -> str | None:
        return self._date(self.post.get("publishedAt")) or super().published_at()

    def modified_at(self) -> str | None:
        return self._date(self.post.get("updatedAt")) or super().modified_at()

    def section(self) -> str | None:
        section = self.post.get("section")
        return (normalize(section.get("title")) if isinstance(section, dict) else None) or super().section()

    def tags(self) -> list[str]:
        tags = [normalize(t.get("title")) for t in self.post.get("tags") or () if isinstance(t, dict)]
        return [t for t in tags if t] or super().tags()

    def is_article(self) -> bool:
        return bool(self.post) or super().is_article()

    def kind(self) -> str:
        return KIND_BY_TYPE.get(str(self.post.get("type")), "") or super().kind()

    def body_markup(self) -> list[str] | None:
        html = self.post.get("body")
        if isinstance(html, str) and html.strip():
            root = Selector(text=f"<div>{html}</div>", type="html").css("body > div")
            paragraphs = self.paragraphs(self.cleaned(root[0])) if root else []
            if paragraphs:
                return paragraphs
        return super().body_markup()
