"""Pages of RFE/RL's Pangea CMS (Radio Svoboda; the same CMS serves rferl.org, currenttime.tv, sibreal.org...).

What differs from the generic page (sources in crawler/outlets/svoboda.py):
* only ``body.pg-article`` pages are articles (``extra["article_selector"]``): video, audio and
  programme pages carry ``og:type=article`` too;
* JSON-LD lists the service itself ("RFE/RL's Russian Service") among the authors
  (``extra["author_exclude"]``);
* the tags are ``meta[name=keywords]``;
* images in the text are lazy: the real rendition is in ``noscript > img``, ``img[data-src]`` is a
  33-pixel placeholder.
"""

from __future__ import annotations

import re

from parsel import Selector

from crawler.pages.base import ArticlePage
from crawler.text import normalize


class PangeaPage(ArticlePage):
    def is_article(self) -> bool:
        css = self.extra("article_selector")
        return (not css or bool(self.sel.css(css))) and super().is_article()

    def authors(self) -> list[str]:
        exclude = self.extra("author_exclude")
        return [a for a in super().authors() if not (exclude and re.search(exclude, a))]

    def tags(self) -> list[str]:
        keywords = [normalize(k) for k in (self.meta("keywords") or "").split(",")]
        return list(dict.fromkeys(k for k in keywords if k)) or super().tags()

    def image_src(self, node: Selector) -> str | None:
        real = node.css("noscript img::attr(src)").get()
        return real.strip() if real and real.strip() else super().image_src(node)
