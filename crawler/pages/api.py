"""Page parsers for outlets whose own API is the clean source of an article.

``ApiArticlePage`` adds one source in front of the generic layers: the outlet's API record of the article.
It comes from (first found): ``meta["api_document"]`` (fetched after the page, ``extra["api_document"]``,
or handed over by the API discovery), the response itself when the article was downloaded from the API
(``extra["fetch_url"]``: a JSON response), or a copy embedded in the page (``embedded_document``, e.g.
Next.js ``__NEXT_DATA__``). ``meta["api_entry"]`` is the API list's summary of the article, when API
discovery found it. Subclasses say where the article lives in that document (``record``) and how its
blocks become paragraphs (``body_api``); every field they read from the record falls back to the
generic layers (JSON-LD, OpenGraph, feed, markup), so a page whose API record is missing still parses.
The body layer is recorded as ``api`` (stats ``extract/body/api``).
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cached_property
from typing import Any

from parsel import Selector
from scrapy.http import TextResponse

from crawler.outlets.base import Outlet
from crawler.pages.base import ArticlePage
from crawler.text import normalize

EMPTY_PAGE = "<html><body></body></html>"


class ApiArticlePage(ArticlePage):
    def __init__(self, response: TextResponse, outlet: Outlet, fetched_at: datetime) -> None:
        super().__init__(response, outlet, fetched_at)
        meta = response.request.meta if response.request is not None else {}
        self.meta_document: Any = meta.get("api_document")
        self.api_entry: dict[str, Any] = meta.get("api_entry") or {}
        self.is_document = response.text.lstrip()[:1] in ("{", "[")
        if self.is_document:  # an API answer, not a page: the HTML layers see an empty page
            self.sel = Selector(text=EMPTY_PAGE, type="html")

    # ---------------------------------------------------------------- the API record
    @cached_property
    def document(self) -> Any:
        if self.meta_document is not None:
            return self.meta_document
        if self.is_document:
            try:
                return json.loads(self.response.text)
            except ValueError:
                return None
        return self.embedded_document()

    def embedded_document(self) -> Any:
        """The API record as the page embeds it (None: the page has none)."""
        return None

    @cached_property
    def record(self) -> dict[str, Any]:
        """The article inside ``document`` ({} when there is none). Default: the document itself."""
        return self.document if isinstance(self.document, dict) else {}

    def field(self, *keys: str) -> Any:
        """The first non-empty value among ``record[key]`` (dotted keys reach into dicts)."""
        for key in keys:
            value: Any = self.record
            for part in key.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if value not in (None, "", [], {}):
                return value
        return None

    def fragment(self, html: str) -> Selector:
        """An HTML fragment of the API (rich text) as one element, without the outlet's boilerplate."""
        root = Selector(text=f"<div>{html}</div>", type="html").css("body > div")
        return self.cleaned(root[0] if root else Selector(text="<div></div>", type="html"))

    def html_paragraphs(self, html: str | None) -> list[str]:
        return self.paragraphs(self.fragment(html)) if html else []

    def plain(self, text: Any) -> str:
        """Text that may carry inline HTML (``<a>``, ``<strong>``) as plain text."""
        if not isinstance(text, str):
            return ""
        return normalize(" ".join(Selector(text=f"<div>{text}</div>", type="html").xpath("//body//text()").getall()))

    # ---------------------------------------------------------------- body
    def body_api(self) -> list[str] | None:
        """Paragraphs from the API record; None when there is none."""
        return None

    def body(self) -> tuple[list[str], str]:
        paragraphs = self.body_api() if self.record else None
        if paragraphs:
            return paragraphs, "api"
        return super().body()

    def is_article(self) -> bool:
        return bool(self.record) or super().is_article()
