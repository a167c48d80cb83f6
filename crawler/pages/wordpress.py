"""WordPress sites (Agentstvo, Verstka, Holod, Proekt): what differs from the generic page is the
platform, not the outlet, so the outlets share this parser and keep their theme's markup as data.

* the native id is the post ID: ``postid-N`` in the body class, the ``?p=N`` shortlink, or the feed
  item's ``guid`` (``https://site/?p=N``, WordPress core) — slugs can change, the post ID does not;
* WordPress core feeds list the post's categories first and its tags after them (``<category>`` for
  both), so without tags on the page the feed's categories after the first are the tags;
* the feed's ``description`` is the post's manual excerpt, which themes print as the lead; WordPress's
  automatic excerpt (the first 55 words, ending "[…]") is not a lead.
Sources: WordPress 6.x core templates (feed-rss2.php, wp_get_shortlink, body_class); the fixture sites'
READMEs say which of this each outlet is known to follow.
"""

from __future__ import annotations

import re

from w3lib.html import remove_tags, replace_entities

from crawler.pages.base import ArticlePage
from crawler.text import normalize

POST_ID = re.compile(r"(?:[?&]p=|\bpostid-)(\d+)\b")
AUTO_EXCERPT_END = re.compile(r"\[(…|\.\.\.)\]\s*$")


class WordPressPage(ArticlePage):
    def native_id(self) -> str | None:
        from_url = self.outlet.native_id(self.url)
        if from_url:
            return from_url
        for value in (self.sel.css("body::attr(class)").get(), self.sel.css('link[rel="shortlink"]::attr(href)').get(),
                      self.feed_entry.get("guid")):
            m = POST_ID.search(value or "")
            if m:
                return m[1]
        return None

    def tags(self) -> list[str]:
        categories = [normalize(c) for c in self.feed_entry.get("categories") or ()]
        return super().tags() or [c for c in categories[1:] if c]

    def lead(self) -> str | None:
        excerpt = normalize(replace_entities(remove_tags(self.feed_entry.get("summary") or "")))
        manual = excerpt if excerpt and not AUTO_EXCERPT_END.search(excerpt) else None
        return super().lead() or manual
