"""The Moscow Times' article page, from the site's own templates (themoscowtimes/themoscowtimes@2cf4ace,
``resources/views/article/item.php``, ``gallery.php``, ``article/block/*.php``, ``seo/*.php``; June 2024).

What differs from the generic page: every author comes from the byline (JSON-LD names only the first);
the body is the ``div.article__content`` blocks; images come from the featured image and the image
blocks with their caption and credit spans; the kind comes from the ``og:description`` prefix the
site writes ("Opinion | ", "Podcast | ", ...) and the article label. The byline ``<time>`` shows the
*update* time on updated articles, so dates come from JSON-LD / ``article:*_time`` only.
"""

from __future__ import annotations

from typing import Any

from crawler.pages.base import ArticlePage
from crawler.text import normalize

KIND_BY_PREFIX = {"opinion": "opinion", "video": "video", "gallery": "gallery", "podcast": "podcast"}
KIND_BY_LABEL = {"opinion": "opinion", "analysis": "analysis"}


class MoscowTimesPage(ArticlePage):
    def title(self) -> str | None:
        return self.text("header.article__header h1") or self.text(".gallery__header h1") or super().title()

    def subtitle(self) -> str | None:
        return self.text("header.article__header h2") or self.text(".gallery__header h2")

    def lead(self) -> str | None:
        return self.text("div.article__intro")

    def authors(self) -> list[str]:
        names = [normalize(n) for n in self.sel.css(".byline__author .byline__author__name ::text").getall()]
        names = [n for n in names if n]
        return list(dict.fromkeys(names)) or super().authors()

    def kind(self) -> str:
        if not self.is_article():
            return "page"
        description = self.meta("og:description") or ""
        prefix = description.split(" | ", 1)[0].strip().lower() if " | " in description else ""
        if prefix in KIND_BY_PREFIX:
            return KIND_BY_PREFIX[prefix]
        label = (self.text("header.article__header .article__label") or "").lower()
        if label in KIND_BY_LABEL:
            return KIND_BY_LABEL[label]
        return "news"

    def tags(self) -> list[str]:
        tags = [normalize(t) for t in self.sel.css("div.article__tags a.article__tags__tag ::text").getall()]
        return list(dict.fromkeys(t for t in tags if t)) or super().tags()

    def body_root(self):  # type: ignore[no-untyped-def]
        found = self.sel.css("div.article__content") or self.sel.css(".gallery .article__content")
        return found[0] if found else None

    def images(self) -> list[dict[str, Any]]:
        images: list[dict[str, Any]] = []
        for figure in self.sel.css("figure.article__featured-image, figure.featured-image, "
                                   "div.article__content figure, .gallery figure"):
            src = figure.css("img::attr(data-src)").get() or figure.css("img::attr(src)").get()
            if not src:
                continue
            caption = normalize(" ".join(figure.css("[class*=__caption] ::text").getall())) or None
            credit = normalize(" ".join(figure.css("[class*=__credits] ::text, [class*=__credit] ::text").getall())) or None
            if caption is None and credit is None:
                caption = normalize(" ".join(figure.css("figcaption ::text").getall())) or None
            url = self.response.urljoin(src)
            if all(i["url"] != url for i in images):
                images.append({"url": url, "caption": caption, "credit": credit})
        return images or super().images()
