"""Page parsers: response -> Article, in layers per field.

``ArticlePage`` reads what every news page tends to carry: JSON-LD (``NewsArticle`` and friends),
OpenGraph / ``<meta>``, the feed item that led to the page, and, for the body, the outlet's content root
when the outlet record names one (``Outlet.extra["body_selector"]``), then JSON-LD ``articleBody``, then the
feed's full text, then a generic main-text extractor (trafilatura). An outlet whose markup needs more
overrides only the methods that differ.

The outlet record's ``extra`` dict may name the outlet's markup (CSS), each consulted first for its field:
``title_selector``, ``subtitle_selector``, ``lead_selector``, ``author_selector`` (one node per author, or
one node "A, B и C"), ``section_selector``, ``tag_selector``, ``date_selector`` (``datetime`` attribute or
the visible date; after JSON-LD and ``article:published_time``), ``image_selector`` (figures, featured
first) with ``credit_selector`` (the credit inside a figure's caption), ``body_selector``,
``body_end_selector`` (this node and everything after it in the content root are not body: e.g. the
spacer before WordPress donation paragraphs), ``paywall_selector`` (present: ``paywalled``),
``foreign_agent_selector`` (a banner outside the body). ``kinds`` is a list of rules
``{"section"|"tag"|"url": regex, "kind": kind}``, first match wins, a rule with only ``kind`` is the default.
Each field records the layer that produced it in ``Article.extraction``; the spider turns that into
``extract/<field>/<layer>`` stats. Parsers never read the clock: ``fetched_at`` is passed in.
"""

from __future__ import annotations

import copy
import logging
import re
from collections import Counter
from datetime import datetime
from functools import cached_property
from typing import Any, Iterable
from urllib.parse import urljoin

from parsel import Selector
from scrapy.http import TextResponse

from crawler import dates
from crawler.items import Article
from crawler.outlets.base import Outlet
from crawler.pages import jsonld as jsonld_text
from crawler.pages.bylines import split_credit, split_names
from crawler.pages.tree import collect, cut_from, drop
from crawler.text import join_paragraphs, normalize, word_count

logger = logging.getLogger(__name__)

ARTICLE_TYPES = {
    "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
    "BackgroundNewsArticle", "ReviewNewsArticle", "BlogPosting", "LiveBlogPosting", "Report",
    "ScholarlyArticle", "SocialMediaPosting", "PodcastEpisode", "VideoObject", "ImageGallery",
}


class ArticlePage:
    """Generic page parser. Subclasses override ``*_markup`` methods where the outlet's markup is known."""

    body_paragraph_min_chars = 1

    def __init__(self, response: TextResponse, outlet: Outlet, fetched_at: datetime) -> None:
        self.response = response
        self.outlet = outlet
        self.fetched_at = fetched_at
        meta = response.request.meta if response.request is not None else {}
        self.url: str = meta.get("canonical_url") or response.url
        self.feed_entry: dict[str, Any] = meta.get("feed_entry") or {}  # the RSS/Atom item that led here
        self.sel: Selector = response.selector
        self.removed: Counter[str] = Counter()  # boilerplate selector -> nodes removed
        self.events: Counter[str] = Counter()  # bad input met and handled (the spider counts extract/<event>)
        self._scripts: dict[str, list[dict[str, Any]]] = {}

    # ---------------------------------------------------------------- structured metadata
    def json_objects(self, raw: str) -> list[dict[str, Any]]:
        """Every object of one JSON-LD script (top level, lists and @graph). A script that is not valid
        JSON is repaired or read field by field (crawler/pages/jsonld.py), logged and counted
        (``extract/jsonld/<repaired|salvaged|too_deep|unreadable>``); [] when nothing is usable."""
        if raw not in self._scripts:
            data, how = jsonld_text.parse(raw)
            if how != "json":
                self.note(f"jsonld/{how}", logging.INFO if how == "repaired" else logging.WARNING,
                          "JSON-LD %s", {"repaired": "repaired (not valid JSON)",
                                         "salvaged": "read field by field, broken fields skipped",
                                         "too_deep": "nested too deep: skipped",
                                         "unreadable": "unreadable: skipped"}[how])
            self._scripts[raw] = list(jsonld_text.walk(data)) if data is not None else []
        return self._scripts[raw]

    def note(self, event: str, level: int, message: str, *args: Any) -> None:
        """Bad input handled: counted (``extract/<event>``) and logged once per page with its URL."""
        if event not in self.events:
            logger.log(level, message + " <%s>", *args, self.url)
        self.events[event] += 1

    @cached_property
    def jsonld(self) -> dict[str, Any]:
        """The first JSON-LD object whose @type is an article type (searching @graph too)."""
        for raw in self.sel.css('script[type="application/ld+json"]::text').getall():
            for obj in self.json_objects(raw):
                types = obj.get("@type")
                if set(t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)) & ARTICLE_TYPES:
                    return obj
        return {}

    def meta(self, *names: str) -> str | None:
        for name in names:
            value = self.sel.xpath(
                f'//meta[@property="{name}" or @name="{name}" or @itemprop="{name}"]/@content'
            ).get()
            if value and value.strip():
                return normalize(value)
        return None

    def metas(self, name: str) -> list[str]:
        return [normalize(v) for v in self.sel.xpath(f'//meta[@property="{name}" or @name="{name}"]/@content').getall() if v.strip()]

    def urljoin(self, url: str) -> str:
        """Resolve a link against the article's canonical URL (not a mirror's or an API's)."""
        return urljoin(self.url, url)

    def text(self, css: str | None) -> str | None:
        node = self.sel.css(css) if css else []
        if not node:
            return None
        return normalize(" ".join(node[0].xpath(".//text()").getall())) or None

    def texts(self, css: str | None) -> list[str]:
        """The normalised text of every node ``css`` matches (empty ones left out)."""
        found = [normalize(" ".join(n.xpath(".//text()").getall())) for n in (self.sel.css(css) if css else [])]
        return [t for t in found if t]

    def extra(self, key: str) -> Any:
        return self.outlet.extra.get(key)

    # ---------------------------------------------------------------- fields, in layers
    def title(self) -> str | None:
        return (self.text(self.extra("title_selector")) or normalize(self.jsonld.get("headline"))
                or self.meta("og:title") or self.text("h1") or normalize(self.feed_entry.get("title")) or None)

    def subtitle(self) -> str | None:
        return self.text(self.extra("subtitle_selector")) or normalize(self.jsonld.get("alternativeHeadline")) or None

    def lead(self) -> str | None:
        return self.text(self.extra("lead_selector"))

    def authors(self) -> list[str]:
        found = split_names(self.texts(self.extra("author_selector")))
        if not found:
            found = [normalize(a.get("name") if isinstance(a, dict) else a) for a in _as_list(self.jsonld.get("author"))]
            found = [a for a in found if a]
        if not found:
            found = self.metas("article:author") or ([self.meta("author")] if self.meta("author") else [])
        if not found:
            found = [normalize(a) for a in self.feed_entry.get("authors", ())]
        return _unique(a for a in found if not a.startswith("http"))

    def published_at(self) -> str | None:
        css = self.extra("date_selector")
        shown = (self.sel.css(css).xpath("@datetime").get() or self.text(css)) if css else None
        return self._date(self.jsonld.get("datePublished"), self.meta("article:published_time"), shown,
                          self.sel.css("time[datetime]::attr(datetime)").get(), self.feed_entry.get("published"))

    def modified_at(self) -> str | None:
        return self._date(self.jsonld.get("dateModified"), self.meta("article:modified_time", "og:updated_time"))

    def section(self) -> str | None:
        section = self.jsonld.get("articleSection")
        if isinstance(section, list):
            section = section[0] if section else None
        categories = self.feed_entry.get("categories") or ()
        return (self.text(self.extra("section_selector")) or normalize(section) or self.meta("article:section")
                or (normalize(categories[0]) if categories else None) or None)

    def tags(self) -> list[str]:
        tags = [t.lstrip("#") for t in self.texts(self.extra("tag_selector"))]
        if not tags:
            keywords = self.jsonld.get("keywords")
            if isinstance(keywords, str):
                keywords = keywords.split(",")
            tags = [normalize(k) for k in _as_list(keywords) if isinstance(k, str)] or self.metas("article:tag")
            if len(tags) == 1 and "," in tags[0]:
                tags = [normalize(t) for t in tags[0].split(",")]
        return _unique(t for t in tags if t)

    def kind(self) -> str:
        """``page`` for what is not an article; else the outlet's ``kinds`` rules; else ``news``."""
        if not self.is_article():
            return "page"
        section, tags = self.section() or "", self.tags()
        for rule in self.extra("kinds") or ():
            tests = [(field, rule[field]) for field in ("section", "tag", "url") if field in rule]
            if all(re.search(pattern, section, re.I) if field == "section"
                   else any(re.search(pattern, t, re.I) for t in tags) if field == "tag"
                   else re.search(pattern, self.url) for field, pattern in tests):
                return rule["kind"]
        return "news"

    def language(self) -> str:
        lang = self.sel.xpath("/html/@lang").get() or self.jsonld.get("inLanguage") or self.meta("og:locale")
        if isinstance(lang, dict):
            lang = lang.get("alternateName") or lang.get("name")
        lang = (lang if isinstance(lang, str) else "").strip().lower()[:2]
        return lang if lang.isalpha() and len(lang) == 2 else self.outlet.language

    def is_article(self) -> bool:
        """JSON-LD of an article type, ``og:type=article``, or a feed item carrying the full text (a page
        hidden behind a challenge can still be an article the feed delivered)."""
        return bool(self.jsonld) or self.meta("og:type") == "article" or bool(self.feed_entry.get("content"))

    def foreign_agent(self) -> str | None:
        """The foreign-agent disclaimer shown outside the body (a banner), by the outlet's
        ``extra["foreign_agent_selector"]``; the clean pipeline finds the ones inside the body."""
        return self.text(self.extra("foreign_agent_selector"))

    def paywalled(self) -> bool:
        """JSON-LD ``isAccessibleForFree: false``, ``article:content_tier`` locked/metered, or the outlet's
        paywall markup (``extra["paywall_selector"]``) on the page."""
        free = self.jsonld.get("isAccessibleForFree")
        if free is False or str(free).lower() == "false":
            return True
        if (self.meta("article:content_tier") or "").lower() in ("locked", "metered"):
            return True
        css = self.extra("paywall_selector")
        return bool(css and self.sel.css(css))

    def native_id(self) -> str | None:
        return self.outlet.native_id(self.url)

    def images(self) -> list[dict[str, Any]]:
        """The outlet's figures (``extra["image_selector"]``), else the figures of the feed's full text,
        else the JSON-LD / OpenGraph image (without caption)."""
        css = self.extra("image_selector")
        found = self.figures(self.sel.css(css)) if css else []
        if not found and self.feed_entry.get("content"):
            found = self.figures(self.feed_root().css("figure"))
        if found:
            return found
        image = self.jsonld.get("image")
        url = (image.get("url") if isinstance(image, dict) else _as_list(image)[0] if image else None) or self.meta("og:image")
        return [{"url": self.urljoin(url), "caption": None, "credit": None}] if isinstance(url, str) and url else []

    def figures(self, nodes: Iterable[Selector]) -> list[dict[str, Any]]:
        """``{url, caption, credit}`` of figure-like nodes (an ``img`` plus a caption), first per URL.
        The credit is the ``extra["credit_selector"]`` node inside the caption, else a trailing
        "Фото: ..." / "Photo: ..." in the caption text."""
        credit_css = self.extra("credit_selector")
        images: dict[str, dict[str, Any]] = {}
        for node in nodes:
            src = self.image_src(node)
            if not src:
                continue
            caption_node = node.css("figcaption, [class*=caption]")
            caption, credit = None, None
            if caption_node:
                tree = Selector(root=copy.deepcopy(caption_node[0].root), type="html")
                if credit_css:
                    credit = normalize(" ".join(tree.css(credit_css).xpath(".//text()").getall())) or None
                    for found in tree.css(credit_css):
                        drop(found.root)
                caption = normalize(" ".join(tree.xpath(".//text()").getall())) or None
                if caption and not credit:
                    caption, credit = split_credit(caption)
            images.setdefault(self.urljoin(src), {"url": self.urljoin(src), "caption": caption, "credit": credit})
        return list(images.values())

    def image_src(self, node: Selector) -> str | None:
        """The image URL of a figure: a lazy image's ``data-src``, else ``src`` (data: URIs are placeholders)."""
        for src in node.css("img::attr(data-src)").getall() + node.css("img::attr(src)").getall():
            if src.strip() and not src.startswith("data:"):
                return src.strip()
        return None

    # ---------------------------------------------------------------- body
    layout_selectors: tuple[str, ...] = ()  # parts of the content root that are not body (not counted as boilerplate)

    def body_roots(self) -> list[Selector]:
        """The elements that hold the article's blocks in the outlet's markup; [] if unknown.
        Default: the outlet record's ``extra["body_selector"]`` (CSS), first match."""
        css = self.outlet.extra.get("body_selector")
        found = self.sel.css(css) if css else []
        return found[:1]

    def body_markup(self) -> list[str] | None:
        paragraphs: list[str] = []
        for root in self.body_roots():
            paragraphs += self.paragraphs(self.cleaned(root))
        return paragraphs or None

    def body_jsonld(self) -> list[str] | None:
        body = self.jsonld.get("articleBody")
        if not isinstance(body, str) or not body.strip():
            return None
        return [p for p in (normalize(x) for x in body.split("\n")) if p] or None

    def body_feed(self) -> list[str] | None:
        """Full text carried by the feed item (``content:encoded``), cleaned like the page."""
        if not self.feed_entry.get("content"):
            return None
        return self.paragraphs(self.cleaned(self.feed_root())) or None

    def feed_root(self) -> Selector:
        """The feed item's full text (``content:encoded``) as one HTML element."""
        content = self.feed_entry.get("content") or ""
        root = Selector(text=f"<div>{content}</div>", type="html").css("body > div")
        return root[0] if root else Selector(text="<div></div>", type="html")

    def body_generic(self) -> list[str] | None:
        import trafilatura  # heavy import, only when the fallback is needed

        text = trafilatura.extract(self.response.text, url=self.url, include_comments=False,
                                   include_tables=False, include_images=False, favor_precision=True)
        if not text:
            return None
        title = self.title()  # trafilatura keeps the headline: a page with nothing else has no body
        return [p for p in (normalize(x) for x in text.split("\n")) if p and p != title] or None

    def body(self) -> tuple[list[str], str]:
        """(paragraphs, layer): the first layer that yields text."""
        layers = (("outlet", self.body_markup), ("jsonld", self.body_jsonld), ("feed", self.body_feed),
                  ("generic", self.body_generic))
        for layer, method in layers:
            paragraphs = method()
            if paragraphs:
                return paragraphs, layer
        return [], "none"

    def cleaned(self, root: Selector) -> Selector:
        """A copy of ``root`` without the outlet's boilerplate nodes (counted in ``self.removed``)."""
        tree = Selector(root=copy.deepcopy(root.root), type="html")
        end = self.extra("body_end_selector")
        if end and tree.css(end):
            cut_from(tree.css(end)[0].root, tree.root)
            self.removed[end] += 1
        for css in self.layout_selectors:
            for node in tree.css(css):
                drop(node.root)
        for css in self.outlet.boilerplate_selectors:
            for node in tree.css(css):
                drop(node.root)
                self.removed[css] += 1
        return tree

    def paragraphs(self, root: Selector) -> list[str]:
        """Plain-text paragraphs of a content root: one per block element with its own text."""
        out: list[str] = []
        collect(root.root, out)
        return [p for p in out if len(p) >= self.body_paragraph_min_chars]

    # ---------------------------------------------------------------- assembly
    def to_article(self) -> Article:
        paragraphs, layer = self.body()
        body = join_paragraphs(paragraphs)
        article = Article(
            url=self.url,
            outlet=self.outlet.key,
            language=self.language(),
            title=self.title(),
            subtitle=self.subtitle() or None,
            lead=self.lead() or None,
            authors=self.authors(),
            published_at=self.published_at(),
            modified_at=self.modified_at(),
            section=self.section(),
            kind=self.kind(),
            tags=self.tags(),
            body=body,
            images=self.images(),
            word_count=word_count(body),
            paywalled=self.paywalled(),
            native_id=self.native_id(),
            fetched_at=dates.iso(self.fetched_at),
        )
        banner = self.foreign_agent()
        if banner:
            article.foreign_agent_label, article.foreign_agent_text = True, banner
        article.extraction["body"] = layer
        return article

    def _date(self, *candidates: Any) -> str | None:
        for value in candidates:
            parsed = dates.parse_datetime(value, self.outlet.timezone, now=self.fetched_at)
            if parsed:
                return dates.iso(dates.in_zone(parsed, self.outlet.timezone))
        return None


# -------------------------------------------------------------------- helpers
def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def jsonld_organizations(jsonld: dict[str, Any]) -> set[str]:
    """Names of the JSON-LD ``author`` entries that are organisations (often the outlet itself)."""
    return {normalize(a.get("name")) for a in _as_list(jsonld.get("author"))
            if isinstance(a, dict) and any("Organization" in str(t) for t in _as_list(a.get("@type")))}


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        seen.setdefault(v, None)
    return list(seen)
