"""The Insider (theins.ru), Russian edition. Facts and sources: ../shared/outlets.md §4 and
tests/sites/theinsider/README.md. Evidence: URL scheme `/{section}/{id}` with one global numeric id
(regexes and scrapers, 2025–2026, MEDIUM-HIGH); `/feed` from many configs (MEDIUM; items carry no full
text); Next.js rendering with `__NEXT_DATA__` (2026 corpus-builder notes, MEDIUM); the only known
selectors are `article` / `main` (LOW). The CSS-module class names matched here by prefix
(`ArticleBody_body__…`) are the fixture's invention in the Next.js manner: LOW, expect to revise them
against a live page. The English edition (theins.press/en, theins.ru/en) is out of this spider's scope."""

from crawler.outlets.base import Outlet, TextRule

THEINSIDER = Outlet(
    key="theinsider",
    name="The Insider",
    language="ru",
    timezone="Europe/Moscow",
    hosts=("theins.ru", "www.theins.ru"),
    home="https://theins.ru/",
    feeds=("https://theins.ru/feed",),
    # /news/301118, /politika/301105, /opinions/{author-slug}/301126; not /en/...
    article_url=(
        r"^https://theins\.ru/(?!en/)(?P<section>[a-z-]+)/(?:(?P<author>[a-z0-9-]+)/)?(?P<id>\d{4,})/?$"
    ),
    parser="crawler.pages.theinsider.TheInsiderPage",
    boilerplate_selectors=(
        "div[class*=ReadAlso_]",  # inline "Читайте также"
        "div[class*=InoagentBanner_]",
        "section[class*=Donate_]",
        "section[class*=Subscribe_]",
        "section[class*=ReadMore_]",
        "div[class*=Ticker_]",  # USD/EUR/OIL ticker
        "div[class*=BrowserNotice_]",  # outdated-browser notice
    ),
    text_rules=(
        TextRule("donation", r"^Поддержите The Insider", max_chars=400),
        TextRule("donation", r"^The Insider работает благодаря (читателям|вам)", max_chars=400),
        TextRule("newsletter", r"^Подпишитесь на The Insider", max_chars=200),
    ),
    reach="feed only: the newest items of `/feed` (no deeper listing known; ids are sequential, not enumerated)",
    reach_days=2,
    notes="__NEXT_DATA__ post (body without the template's CTAs) first, HTML by class prefix second; LOW-MEDIUM.",
    extra={
        "body_selector": "div[class*=ArticleBody_body]",
        "title_selector": "h1[class*=ArticleHeader_title]",
        "lead_selector": "p[class*=ArticleHeader_lead]",
        "author_selector": "a[class*=ArticleMeta_author]",
        "section_selector": "a[class*=ArticleHeader_rubric]",
        "date_selector": "time[class*=ArticleMeta_date]",  # datetime in UTC; text "24 ноября 2026 г."
        "tag_selector": "a[class*=ArticleTags_tag]",
        "image_selector": "figure[class*=ArticleHeader_cover], div[class*=ArticleBody_body] figure",
        "credit_selector": "span[class*=credit]",
        "foreign_agent_selector": "div[class*=InoagentBanner_]",
        "kinds": [
            {"section": r"^Новости$", "kind": "news"},
            {"section": r"^Мнения$", "kind": "opinion"},
            {"url": r"/news/", "kind": "news"},
            {"url": r"/opinions/", "kind": "opinion"},
            {"kind": "feature"},
        ],
    },
)

OUTLETS = (THEINSIDER,)
