"""Holod / «Холод» (holod.media). Facts and sources: ../shared/outlets.md §10 and
tests/sites/holod/README.md. Evidence: WordPress whose robots.txt disallows `/wp-json/` (so the REST API
is not used), sections `/opinions/`, `/longrids/`, "N минут чтения", heavy donation appeals ("нам очень
нужна ваша помощь", regular donations, crypto, bank card; holod.help) — 2026 corpus-builder notes, MEDIUM;
`/feed/` MEDIUM-HIGH; date URLs `/YYYY/MM/DD/slug/` MEDIUM-HIGH. No selector is known from any source:
the `article__*` theme classes are the fixture's assumptions (LOW), with the feed's full text and
trafilatura as the next layers. No foreign-agent label is known for this outlet."""

from crawler.outlets.base import Outlet, TextRule

HOLOD = Outlet(
    key="holod",
    name="Holod",
    language="ru",
    timezone="Europe/Moscow",
    hosts=("holod.media", "www.holod.media"),
    home="https://holod.media/",
    robots_url="https://holod.media/robots.txt",
    sitemaps=("https://holod.media/wp-sitemap.xml",),
    sitemap_follow=(r"/wp-sitemap-posts-post-\d+\.xml",),
    feeds=("https://holod.media/feed/",),
    article_url=(
        r"^https://holod\.media/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<slug>[\w-]+)/$"
    ),
    parser="crawler.pages.wordpress.WordPressPage",
    boilerplate_selectors=(
        "div.holod-donate-inline",  # donation box inside the post content (and so in the feed)
        "section.donate-block",
        "section.subscribe-block",
        "section.related",
        "span.article__reading-time",
    ),
    text_rules=(
        TextRule("donation", r"^Поддержите «?Холод»?", max_chars=300),
        TextRule("donation", r"^«?Холод»? существует на (деньги|пожертвования) читателей", max_chars=500),
        TextRule("newsletter", r"^Подпишитесь на рассылку «?Холода»?", max_chars=150),
        TextRule("reading_time", r"^\d+ минут[аы]? чтения$", max_chars=30),
    ),
    reach="any date: WordPress core sitemap (every post; its location is the WordPress default, assumed)",
    reach_days=None,
    notes="No selector from any source (theme classes assumed, LOW); full-text feed as next layer.",
    extra={
        "self_names": ("«Холод\\w*»",),  # how its texts name it (appeal classifier)
        "body_selector": "div.article__content",
        "title_selector": "h1.article__title",
        "lead_selector": ".article__lead",
        "author_selector": ".article__authors a",
        "section_selector": "a.article__rubric",
        "date_selector": "time.article__date",
        "tag_selector": ".article__tags a",
        "image_selector": "figure.article-cover, div.article__content figure",
        "credit_selector": "[class*=credit], em",
        "kinds": [
            {"tag": r"^С (ее|его|их) слов$", "kind": "interview"},  # the monologue rubric
            {"section": r"^Новости$", "kind": "news"},
            {"section": r"^Подкаст", "kind": "podcast"},
            {"section": r"^Мнения", "kind": "opinion"},
            {"kind": "feature"},  # Лонгриды
        ],
    },
)

OUTLETS = (HOLOD,)
