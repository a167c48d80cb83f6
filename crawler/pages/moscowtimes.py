"""The Moscow Times' article page, from the site's own templates (themoscowtimes/themoscowtimes@2cf4ace,
``resources/views/article/item.php``, ``gallery.php``, ``article/block/*.php``, ``seo/*.php``; June 2024).

What differs from the generic page:
* every author comes from the byline (JSON-LD names only the first);
* the body is the blocks of ``div.article__content`` (galleries have two such divs, the first also
  holding header, byline, intro and the gallery itself);
* images: the featured image and image blocks with their caption/credit spans; gallery items carry
  theirs in ``data-image-caption`` / ``data-image-credits``;
* the kind comes from ``div.gtm-type[data-type]`` (default, gallery, podcast, video, live), the header
  label in the edition's language (``extra["kind_labels"]``: "Opinion", «Мнение»), the opinion byline,
  then the section (``extra["section_kinds"]``: in-depth/features are features); the section from the
  JSON-LD breadcrumb, because the site's section helper writes "news" into ``articleSection`` for
  almost everything; podcasts live under /podcasts;
* only the trailing ``a{ID}`` of a URL matters: a page reached under an old slug is the article under
  its ``link[rel=canonical]`` (same id);
* JSON-LD names the outlet (an Organization) as author of unsigned news: that is no byline;
* the byline ``<time>`` shows the *update* time on updated articles, so dates come from JSON-LD only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector
from scrapy.http import TextResponse

from crawler.outlets.base import Outlet
from crawler.pages.base import ArticlePage, jsonld_organizations
from crawler.text import normalize
from crawler.urls import canonical_url

KIND_BY_TYPE = {"gallery": "gallery", "podcast": "podcast", "video": "video", "live": "live"}
KIND_BY_LABEL = {"opinion": "opinion", "analysis": "analysis"}


class MoscowTimesPage(ArticlePage):
    layout_selectors = ("header.article__header", "div.article__byline", "div.article__intro",
                        "div.article__gallery", "figure")

    def __init__(self, response: TextResponse, outlet: Outlet, fetched_at: datetime) -> None:
        super().__init__(response, outlet, fetched_at)
        canonical = self.sel.css('link[rel="canonical"]::attr(href)').get()
        if canonical and canonical_url(canonical) != self.url:
            canonical = canonical_url(canonical)
            if outlet.native_id(canonical) and outlet.native_id(canonical) == outlet.native_id(self.url):
                self.url = canonical  # an old slug of the same article

    def title(self) -> str | None:
        return self.text("header.article__header h1") or super().title()

    def subtitle(self) -> str | None:
        return self.text("header.article__header h2")

    def lead(self) -> str | None:
        return self.text("div.article__intro")

    def authors(self) -> list[str]:
        names = [normalize(n) for n in self.sel.css(
            ".byline__author .byline__author__name ::text, .byline__author .article__author__name ::text").getall()]
        bylines = list(dict.fromkeys(n for n in names if n))
        return bylines or [a for a in super().authors() if a not in jsonld_organizations(self.jsonld)]

    def page_type(self) -> str:
        return (self.sel.css("div.gtm-type::attr(data-type)").get() or "default").strip().lower()

    def kind(self) -> str:
        if not self.is_article():
            return "page"
        if self.page_type() in KIND_BY_TYPE:
            return KIND_BY_TYPE[self.page_type()]
        label = (self.text("header.article__header .article__label") or "").lower()
        by_label = self.extra("kind_labels") or KIND_BY_LABEL
        if label in by_label:
            return by_label[label]
        if "byline--opinion" in (self.sel.css("div.article__byline::attr(class)").get() or ""):
            return "opinion"
        return (self.extra("section_kinds") or {}).get(self.section() or "", "news")

    def section(self) -> str | None:
        if self.page_type() == "podcast":
            return "podcasts"
        for raw in self.sel.css('script[type="application/ld+json"]::text').getall():
            if '"BreadcrumbList"' not in raw:
                continue
            crumbs = self.json_objects(raw)
            for crumb in crumbs:
                elements = crumb.get("itemListElement")
                for element in elements if isinstance(elements, list) else ():
                    if isinstance(element, dict) and element.get("position") == 2 and isinstance(element.get("item"), str):
                        return urlsplit(element["item"]).path.strip("/").split("/")[-1] or None
        return super().section()

    def tags(self) -> list[str]:
        tags = [normalize(t) for t in self.sel.css("div.article__tags a.article__tags__tag ::text").getall()]
        return list(dict.fromkeys(t for t in tags if t)) or super().tags()

    def body_roots(self) -> list[Selector]:
        return list(self.sel.css("div.article__content"))

    def images(self) -> list[dict[str, Any]]:
        images: list[dict[str, Any]] = []
        for item in self.sel.css("div.article__gallery__item"):
            src = item.css("img::attr(data-src)").get() or item.css("img::attr(src)").get()
            if src:
                images.append({"url": self.urljoin(src),
                               "caption": normalize(item.attrib.get("data-image-caption")) or None,
                               "credit": normalize(item.attrib.get("data-image-credits")) or None})
        for figure in self.sel.css("figure.article__featured-image, div.article__content figure.article__image"):
            src = figure.css("img::attr(data-src)").get() or figure.css("img::attr(src)").get()
            if not src:
                continue
            caption = normalize(" ".join(figure.css("[class$=__caption] ::text").getall())) or None
            credit = normalize(" ".join(figure.css("[class$=__credits] ::text").getall())) or None
            images.append({"url": self.urljoin(src), "caption": caption, "credit": credit})
        first_by_url: dict[str, dict[str, Any]] = {}
        for image in images:
            first_by_url.setdefault(image["url"], image)
        return list(first_by_url.values())  # og:image is a generated share card, not an article image
