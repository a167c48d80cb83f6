"""Mediazona / «Медиазона» (zona.media). Facts and sources: ../shared/outlets.md §5 and
tests/sites/mediazona/README.md. Evidence: `mz-publish__*` classes from calibre's media_zone.recipe (revised
July 2022), an iOS app and a 2021 scraper (MEDIUM: may predate a redesign); foreign-agent banner
`.mz-agent-banner` from 2022 userscripts; /rss from many configs (HIGH). No sitemap known. Lead, cover,
tags, the donation section and `article:published_time` are the fixture's assumptions, not evidence.
The URL carries the date but no numeric id (the slug identifies the article)."""

from crawler.outlets.base import Outlet, TextRule

# The site's markup, shared with the English edition (same CMS assumed): see crawler/pages/base.py.
MARKUP = {
    "body_selector": "section.mz-publish__text, div.mz-publish__text",
    "title_selector": "header.mz-publish__title h1",
    "lead_selector": "div.mz-publish__lead",
    "author_selector": ".mz-publish-meta__item_author",
    "section_selector": ".mz-publish-meta__item_rubric",
    "date_selector": ".mz-publish-meta__item_date",  # "24 ноября 2026, 14:05" (meta tags come first)
    "tag_selector": "div.mz-publish__tags a",
    "image_selector": "figure.mz-publish__cover, .mz-publish__text figure",
    "credit_selector": ".mz-publish__credit",
    "foreign_agent_selector": ".mz-agent-banner__text, .mz-agent-banner",
}
BOILERPLATE = (
    "div.mz-publish-related",  # inline "Читайте также" / "Read also" inside the text
    "p.mz-publish__tg",  # Telegram line at the end of the text
    "aside.mz-publish__sidebar",
    "div.mz-publish-share__item",
    "section[data-share-id=post]",
    "section.mz-donate",
    "section.mz-subscribe",
    "section.mz-layout-content__col-main",  # "Главное" / "Top stories"
    "div.mz-agent-banner",
)

MEDIAZONA = Outlet(
    key="mediazona",
    name="Mediazona",
    language="ru",
    timezone="Europe/Moscow",
    hosts=("zona.media", "www.zona.media"),
    home="https://zona.media/",
    robots_url="https://zona.media/robots.txt",  # the sitemaps its Sitemap: lines declare (none is known): nothing guessed
    feeds=("https://zona.media/rss",),
    # /{news|article|chronics|photo|translate}/YYYY/MM/DD/slug; /online/ (live coverage) is not an article
    article_url=(
        r"^https://zona\.media/(?P<section>news|article|chronics|photo|translate|opinions?)/"
        r"(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<slug>[\w-]+)/?$"
    ),
    parser="crawler.pages.base.ArticlePage",
    boilerplate_selectors=BOILERPLATE,
    text_rules=(
        TextRule("donation", r"^Поддержите «?Медиазону»?", max_chars=300),
        TextRule("donation", r"^«?Медиазона»? существует на (ваши )?пожертвования", max_chars=400),
        TextRule("newsletter", r"^Рассылка «?Медиазоны»?", max_chars=120),
        TextRule("newsletter", r"^Подпишитесь на «?Медиазону»?", max_chars=200),
    ),
    reach="feed only: the newest items of /rss; plus any sitemap robots.txt declares (none known)",
    reach_days=2,
    notes="Markup from 2019–2022 sources (calibre, app, scraper), MEDIUM; feed /rss HIGH; no sitemap known.",
    extra={
        "self_names": ("«?Медиазон\\w*»?",),  # how its texts name it (appeal classifier)
        **MARKUP,
        "kinds": [
            {"section": r"^Новости$", "kind": "news"},
            {"section": r"^Интервью$", "kind": "interview"},
            {"section": r"^(Мнение|Мнения|Колонка)$", "kind": "opinion"},
            {"url": r"/news/", "kind": "news"},
            {"kind": "feature"},  # Репортаж, Статья, ... under /article/
        ],
    },
)

OUTLETS = (MEDIAZONA,)
