"""Republic (republic.ru), paywalled. Facts and sources: ../shared/outlets.md §13 and
tests/sites/republic/README.md. Evidence is thin: URLs `/posts/{numeric id}` (LOW-MEDIUM); no RSS known;
`/sitemap.xml` only as a guess (LOW); a metered/hard paywall (the site is in paywall-bypass lists, MEDIUM);
the foreign-agent label `.ino_agent` (userscripts, MEDIUM). The sitemap layout, the `post__*` classes and
the paywall markup (`div.paywall`, JSON-LD `isAccessibleForFree`, `article:content_tier`) are the
fixture's assumptions. Anonymous fetches get the free teaser: `body` keeps it and `paywalled` is true."""

from crawler.outlets.base import Outlet, TextRule

REPUBLIC = Outlet(
    key="republic",
    name="Republic",
    language="ru",
    timezone="Europe/Moscow",
    hosts=("republic.ru", "www.republic.ru"),
    home="https://republic.ru/",
    robots_url="https://republic.ru/robots.txt",
    sitemaps=("https://republic.ru/sitemap.xml",),
    sitemap_month=r"/posts-(?P<year>\d{4})-(?P<month>\d{1,2})\.xml(?:\.gz)?$",
    sitemap_follow=(r"/posts-\d{4}-\d{1,2}\.xml",),
    article_url=r"^https://republic\.ru/posts/(?P<id>\d+)/?$",
    parser="crawler.pages.base.ArticlePage",
    boilerplate_selectors=("div.paywall", "div.ino_agent", "section.subscribe-widget", "section.read-also"),
    text_rules=(
        TextRule("paywall", r"^Этот материал доступен только подписчикам\.?$", max_chars=80),
        TextRule("paywall", r"^Оформите подписку на Republic", max_chars=200),
        TextRule("paywall", r"^(Оформить подписку|Уже есть подписка\? Войти)\.?$", max_chars=40),
        TextRule("newsletter", r"^Рассылка Republic", max_chars=120),
        TextRule("newsletter", r"^Подписывайтесь на Republic", max_chars=150),
    ),
    reach="any date: monthly sitemaps (the sitemap itself is a guess, LOW)",
    reach_days=None,
    notes="Paywalled; sitemap only (guessed, LOW); markup assumed; foreign-agent `.ino_agent` MEDIUM.",
    extra={
        "body_selector": "div.post__text",
        "title_selector": "h1.post__title",
        "subtitle_selector": "h2.post__subtitle",
        "author_selector": "a.post__author",
        "section_selector": "a.post__rubric",
        "date_selector": "time.post__date",
        "tag_selector": "div.post__tags a",
        "image_selector": "figure.post__cover, div.post__text figure",
        "credit_selector": "[class*=source], [class*=credit]",
        "foreign_agent_selector": ".ino_agent",
        "paywall_selector": "div.paywall, #paywall",
        "kinds": [
            {"section": r"^Новости$", "kind": "news"},
            {"section": r"^Мнения$", "kind": "opinion"},
            {"kind": "feature"},
        ],
    },
)

OUTLETS = (REPUBLIC,)
