"""The Bell: the GraphQL node handed over by discovery (see crawler/outlets/thebell.py), then the page.

The node: ``{id, title, subtitle ("" when none), slug, published_at (ms epoch), content (HTML: <p>, <h2>,
<blockquote><p>, <ul><li>, <figure class="image"><img src="/storage_v2/…"><figcaption>caption<span
class="image-credit">credit</span></figcaption></figure>), authors [{name_ru, name_en}], categories
[{title}], tags [{title}]}``. Authors are ``name_ru`` unless empty, else ``name_en``; the section is the
first category, the tags stay apart from it; relative ``/storage_v…`` image paths are resolved against
the article's URL (the bridge's ``str_replace('/storage_v', URI.'/storage_v')``). The page (the same
content in ``div.post_content``, Moscow-time date text) fills in when the node is missing.
"""

from __future__ import annotations

from typing import Any

from crawler.pages.api import ApiArticlePage


class TheBellPage(ApiArticlePage):
    def titles(self, key: str) -> list[str]:
        return [t for t in (self.plain(x.get("title")) for x in self.field(key) or [] if isinstance(x, dict)) if t]

    def title(self) -> str | None:
        return self.plain(self.field("title")) or super().title()

    def subtitle(self) -> str | None:
        return self.plain(self.field("subtitle")) or super().subtitle()

    def authors(self) -> list[str]:
        names = [self.plain(a.get("name_ru")) or self.plain(a.get("name_en"))
                 for a in self.field("authors") or [] if isinstance(a, dict)]
        return [n for n in dict.fromkeys(names) if n] or super().authors()

    def published_at(self) -> str | None:
        return self._date(self.field("published_at")) or super().published_at()

    def section(self) -> str | None:
        return next(iter(self.titles("categories")), None) or super().section()

    def tags(self) -> list[str]:
        return list(dict.fromkeys(self.titles("tags"))) or super().tags()

    def native_id(self) -> str | None:
        node_id = self.field("id")
        return str(node_id) if node_id not in (None, "") else super().native_id()

    def images(self) -> list[dict[str, Any]]:
        content = self.field("content")
        if isinstance(content, str):
            found = self.figures(self.fragment(content).css("figure"))
            if found:
                return found
        return super().images()

    def body_api(self) -> list[str] | None:
        content = self.field("content")
        return self.html_paragraphs(content if isinstance(content, str) else None) or None
