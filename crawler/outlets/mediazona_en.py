"""Mediazona English (en.zona.media). Same CMS as zona.media assumed (crawler/outlets/mediazona.py);
English facts: ../shared/outlets.md §5 (pages corpus en.zona.media/article/2023/09/04/mediazona9) and a
scraped 2026-02 page (rubric label, "27 February 2026, 19:06", "Mediazona won’t survive without you"
block), MEDIUM. The /rss feed is assumed like the Russian one. No foreign-agent banner is known on the
English site."""

from crawler.outlets.base import Outlet, TextRule
from crawler.outlets.mediazona import BOILERPLATE, MARKUP

MEDIAZONA_EN = Outlet(
    key="mediazona_en",
    name="Mediazona (English)",
    language="en",
    timezone="Europe/Moscow",
    hosts=("en.zona.media",),
    home="https://en.zona.media/",
    robots_url="https://en.zona.media/robots.txt",  # the sitemaps its Sitemap: lines declare (none is known): nothing guessed
    feeds=("https://en.zona.media/rss",),
    article_url=(
        r"^https://en\.zona\.media/(?P<section>article|news)/"
        r"(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<slug>[\w-]+)/?$"
    ),
    parser="crawler.pages.base.ArticlePage",
    boilerplate_selectors=BOILERPLATE,
    text_rules=(
        TextRule("donation", r"^Mediazona won[’']t survive without you", max_chars=120),
        TextRule("donation", r"^We report on courts, prisons and political persecution", max_chars=300),
        TextRule("newsletter", r"^Mediazona weekly newsletter\.?$", max_chars=60),
    ),
    reach="feed only: the newest items of /rss; plus any sitemap robots.txt declares (none known)",
    reach_days=2,
    notes="Template assumed shared with zona.media (MEDIUM); English labels from a 2026-02 scraped page.",
    extra={
        **MARKUP,
        "kinds": [
            {"section": r"^News$", "kind": "news"},
            {"section": r"^Interview$", "kind": "interview"},
            {"section": r"^(Opinion|Column)$", "kind": "opinion"},
            {"kind": "feature"},  # "Article"
        ],
    },
)

OUTLETS = (MEDIAZONA_EN,)
