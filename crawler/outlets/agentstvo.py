"""Agentstvo / «Агентство» (www.agents.media). Facts and sources: ../shared/outlets.md §8 and
tests/sites/agentstvo/README.md. Evidence: WordPress with a full-text `/feed/` (a third-party config
reports it answering in July 2026, HIGH); flat translit slugs (HIGH); the article from `h1` to the end of
`article` (calibre 2024, MEDIUM).
WordPress core sitemaps and the generic WP theme classes (`entry-title`, `entry-content`, ...) are
assumptions (LOW): where the page differs, the feed's `content:encoded` is the next body layer. The
foreign-agent disclaimer is the first paragraph of the post content (removed by the shared text rule)."""

from crawler.outlets.base import Outlet, TextRule

AGENTSTVO = Outlet(
    key="agentstvo",
    name="Agentstvo",
    language="ru",
    timezone="Europe/Moscow",
    hosts=("www.agents.media", "agents.media"),
    home="https://www.agents.media/",
    robots_url="https://www.agents.media/robots.txt",
    sitemaps=("https://www.agents.media/wp-sitemap.xml",),
    sitemap_follow=(r"/wp-sitemap-posts-post-\d+\.xml",),  # not pages, categories, users
    feeds=("https://www.agents.media/feed/",),
    article_url=r"^https://www\.agents\.media/(?P<slug>[a-z0-9][a-z0-9-]*)/$",
    exclude_url=(r"^https://www\.agents\.media/(category|tag|author|page|feed|wp-[a-z-]+|podderzhat|subscribe)/",),
    parser="crawler.pages.wordpress.WordPressPage",
    boilerplate_selectors=("aside.donate-box", "aside.subscribe-box", "section.related-posts", "div.sharedaddy"),
    text_rules=(
        TextRule("donation", r"^Поддержите «?Агентство»?", max_chars=300),
        TextRule("donation", r"^Мы работаем без рекламы и государственных денег", max_chars=400),
        TextRule("newsletter", r"^Рассылка «?Агентства»?", max_chars=120),
    ),
    reach="any date: WordPress core sitemap (every post; its location is the WordPress default, assumed)",
    reach_days=None,
    notes="WordPress; feed reported working by a third party in 2026 (HIGH); theme classes assumed (LOW); "
          "feed full text as the next layer.",
    extra={
        "self_names": ("«Агентств\\w*»",),  # how its texts name it (appeal classifier)
        "body_selector": "div.entry-content",
        "title_selector": "h1.entry-title",
        "lead_selector": "div.entry-excerpt",
        "author_selector": ".byline .author a, .byline .author",
        "section_selector": ".cat-links a",
        "date_selector": "time.entry-date",
        "tag_selector": ".tags-links a",
        "image_selector": "figure.post-thumbnail, div.entry-content figure",
        "credit_selector": "[class*=credit], em",
        "kinds": [
            {"section": r"^Новости$", "kind": "news"},
            {"section": r"^Интервью$", "kind": "interview"},
            {"section": r"^(Мнения|Колонки)$", "kind": "opinion"},
            {"section": r"^(Расследования|Истории|Репортажи)$", "kind": "feature"},
        ],
    },
)

OUTLETS = (AGENTSTVO,)
