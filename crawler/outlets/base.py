"""The outlet record: everything that differs between outlets, as data."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

RenderMode = Literal["never", "always", "fallback"]


@dataclass(frozen=True)
class TextRule:
    """A boilerplate paragraph (or run of paragraphs) recognised by its text.

    ``pattern`` is searched in each normalised paragraph (case-insensitive). With ``until`` the rule
    removes a block: the matching paragraph and every following one up to and including the first
    that matches ``until``, if that is found within ``max_span`` paragraphs (otherwise only the
    matching paragraph goes). ``max_chars`` keeps the rule off long paragraphs, so that an article
    paragraph that merely mentions donations survives. ``flag`` names a boolean item field set to
    True and ``keep_as`` a field that keeps the removed text (the foreign-agent disclaimer is removed
    from the body but kept as ``foreign_agent_label`` + ``foreign_agent_text``).
    """

    name: str
    pattern: str
    until: str | None = None
    max_span: int = 25
    max_chars: int | None = None
    flag: str | None = None
    keep_as: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "_rx", re.compile(self.pattern, re.I | re.S))
        object.__setattr__(self, "_until_rx", re.compile(self.until, re.I | re.S) if self.until else None)

    def matches(self, paragraph: str) -> bool:
        if self.max_chars is not None and len(paragraph) > self.max_chars:
            return False
        return bool(self._rx.search(paragraph))  # type: ignore[attr-defined]

    def ends(self, paragraph: str) -> bool:
        return bool(self._until_rx and self._until_rx.search(paragraph))  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Outlet:
    """What one outlet's site is. Spiders, parsers and pipelines read it; none of them branch on names.

    ``article_url`` is a regex over the canonical URL; its named groups ``id`` (the outlet's native id),
    ``year``, ``month``, ``day`` are used when present. ``sitemap_month`` is a regex over a child
    sitemap's URL with groups ``year`` and ``month``, used to skip monthly files outside the window;
    ``sitemap_follow`` keeps only the children that can hold articles (WordPress also lists pages,
    categories and authors). ``reach`` says in words how far back the outlet's own listings go (shown in
    docs/outlets.md) and ``reach_days`` as a number: None when a listing goes back to any date (a sitemap
    index, a paged API), else roughly how many days of articles the feeds and first pages hold; counted
    only from listings with evidence (a guessed sitemap does not make an outlet reach back). ``extra``
    holds the page parser's data (CSS of the outlet's markup, kind
    rules...): see ``crawler/pages/base.py``.
    """

    key: str
    name: str
    language: str
    timezone: str
    hosts: tuple[str, ...]
    home: str
    article_url: str
    parser: str  # dotted path of the page parser class
    robots_url: str | None = None
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    exclude_url: tuple[str, ...] = ()
    sitemap_month: str | None = None
    sitemap_follow: tuple[str, ...] = ()  # regexes: only child sitemaps matching one are read (all if empty)
    boilerplate_selectors: tuple[str, ...] = ()
    text_rules: tuple[TextRule, ...] = ()
    render: RenderMode = "never"
    discovery: str | None = None  # dotted path of an API discovery class, where the outlet needs one
    reach: str = "feed only: the newest items"  # how far back the site's own discovery reaches (docs/outlets.md)
    reach_days: int | None = 2  # ... in days back from today; None: any date (a listing that goes back in full)
    notes: str = ""
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_article_rx", re.compile(self.article_url))
        object.__setattr__(self, "_exclude_rx", [re.compile(p) for p in self.exclude_url])
        object.__setattr__(
            self, "_month_rx", re.compile(self.sitemap_month) if self.sitemap_month else None
        )

    def reaches(self, since: date, today: date) -> bool:
        """Can the site's own discovery list articles back to ``since``? When not, a back-fill of that
        window needs web archives (the Wayback Machine, Common Crawl) to be complete."""
        return self.reach_days is None or (today - since).days <= self.reach_days

    def owns(self, host: str) -> bool:
        return host.lower() in self.hosts

    def match_article(self, url: str) -> re.Match[str] | None:
        """The article-URL match, or None for anything that is not an article (tags, PDFs, live...)."""
        if any(rx.search(url) for rx in self._exclude_rx):  # type: ignore[attr-defined]
            return None
        return self._article_rx.match(url)  # type: ignore[attr-defined]

    def native_id(self, url: str) -> str | None:
        m = self.match_article(url)
        return m.groupdict().get("id") if m else None

    def url_date(self, url: str) -> date | None:
        m = self.match_article(url)
        if not m:
            return None
        g = m.groupdict()
        try:
            return date(int(g["year"]), int(g["month"]), int(g["day"]))
        except (KeyError, TypeError, ValueError):
            return None

    def derived_url(self, key: str, url: str) -> str | None:
        """``extra[key]``, a ``str.format`` template over the named groups of ``article_url``, filled in
        for the article ``url`` (e.g. ``"https://meduza.io/api/w5/{id}"``: the article's API record);
        None when the outlet has no such template or ``url`` is not an article."""
        template = self.extra.get(key)
        m = self.match_article(url) if template else None
        return template.format(**{k: v or "" for k, v in m.groupdict().items()}) if m else None

    def follows_sitemap(self, url: str) -> bool:
        return not self.sitemap_follow or any(re.search(p, url) for p in self.sitemap_follow)

    def sitemap_month_of(self, url: str) -> tuple[int, int] | None:
        """(year, month) a monthly child sitemap covers, from its name; None if the name says nothing."""
        if not self._month_rx:  # type: ignore[attr-defined]
            return None
        m = self._month_rx.search(url)  # type: ignore[attr-defined]
        return (int(m["year"]), int(m["month"])) if m else None
