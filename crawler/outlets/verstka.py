"""Verstka / «Вёрстка» (verstka.media). Facts and sources: ../shared/outlets.md §9 and
tests/sites/verstka/README.md. Evidence: WordPress; `/feed/` with the full text and category feeds
(calibre 2022, a 2026 config that prefers the RSS full text: HIGH); body `.vm-single-post-content` (2026
config, MEDIUM); content ends at `div.wp-block-spacer`, after which the post itself carries a donation
paragraph and a Telegram line (calibre 2022, MEDIUM); bot protection that needs a browser (2026 config:
`browser_fallback`, MEDIUM). Article pages may answer with a JavaScript challenge instead of the article:
the feed's `content:encoded` then gives the body and the feed item the metadata (title, authors, date,
section then tags, excerpt as lead, figures). `render="fallback"` sends a page to the browser only when
the plain answer is a recognised challenge or yields no body at all (crawler/middlewares/render.py).
Yoast head and the other `vm-` theme classes are the fixture's assumptions."""

from crawler.outlets.base import Outlet, TextRule

VERSTKA = Outlet(
    key="verstka",
    name="Verstka",
    language="ru",
    timezone="Europe/Moscow",
    hosts=("verstka.media", "www.verstka.media"),
    home="https://verstka.media/",
    robots_url="https://verstka.media/robots.txt",
    sitemaps=("https://verstka.media/wp-sitemap.xml",),
    sitemap_follow=(r"/wp-sitemap-posts-post-\d+\.xml",),
    # the site-wide feed holds the last posts only; category feeds reach further back on busy days
    feeds=("https://verstka.media/feed/", "https://verstka.media/category/news/feed/",
           "https://verstka.media/category/article/feed/", "https://verstka.media/category/column/feed/"),
    article_url=r"^https://verstka\.media/(?P<slug>[a-z0-9][a-z0-9-]*)/$",
    exclude_url=(r"^https://verstka\.media/(category|tag|author|page|feed|wp-[a-z-]+|donate|subscribe)/",),
    parser="crawler.pages.wordpress.WordPressPage",
    render="fallback",
    boilerplate_selectors=("section.vm-related", "section.vm-subscribe", "div.vm-donate"),
    text_rules=(
        TextRule("donation", r"^Поддержите «?Вёрстку»?", max_chars=400),
        TextRule("newsletter", r"^Рассылка «?Вёрстки»?", max_chars=120),
        TextRule("newsletter", r"^Подписывайтесь на «?Вёрстку»?", max_chars=150),
    ),
    reach="any date: WordPress core sitemap (every post; its location is the WordPress default, assumed)",
    reach_days=None,
    notes="Full-text feed is the reliable layer (pages behind a JS challenge); render=fallback.",
    extra={
        "self_names": ("«В[её]рстк\\w*»",),  # how its texts name it (appeal classifier)
        "body_selector": "div.vm-single-post-content",
        "body_end_selector": "div.wp-block-spacer",  # donation + Telegram paragraphs follow, in the feed too
        "title_selector": "h1.vm-single-post-title",
        "lead_selector": "div.vm-single-post-lead",
        "author_selector": "a.vm-single-post-author",
        "section_selector": "a.vm-single-post-category",
        "date_selector": "time.vm-single-post-date",
        "tag_selector": "div.vm-single-post-tags a",
        "image_selector": "div.vm-single-post-thumb, div.vm-single-post-content figure",
        "credit_selector": "em",
        "kinds": [
            {"section": r"^Новости$", "kind": "news"},
            {"section": r"^Колонки$", "kind": "opinion"},
            {"section": r"^Интервью$", "kind": "interview"},
            {"section": r"^Статьи$", "kind": "feature"},
        ],
    },
)

OUTLETS = (VERSTKA,)
