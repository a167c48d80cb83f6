"""Proekt / «Проект» (www.proekt.media), Russian edition. Facts and sources: ../shared/outlets.md §12 and
tests/sites/proekt/README.md. Evidence: `/feed/` (calibre 2022, 2026 configs, HIGH); URLs
`/{investigation|research|narrative|portrait|note|guide|opinion}/{slug}/` (MEDIUM); the article from `main`
to `div.single-post__article.js-post-article`, without `span.more`, `span.close`,
`div.socials.js-socials-icons` (calibre 2022, LOW-MEDIUM). calibre overrides the User-Agent (UA filtering
existed; the fixture cannot reproduce it). Other theme classes are the fixture's assumptions. The
outlet is "undesirable", not a listed foreign-agent medium: no disclaimer is expected."""

from crawler.outlets.base import Outlet, TextRule

PROEKT = Outlet(
    key="proekt",
    name="Proekt",
    language="ru",
    timezone="Europe/Moscow",
    hosts=("www.proekt.media", "proekt.media"),
    home="https://www.proekt.media/",
    robots_url="https://www.proekt.media/robots.txt",
    sitemaps=("https://www.proekt.media/wp-sitemap.xml",),
    sitemap_follow=(r"/wp-sitemap-posts-post-\d+\.xml",),
    feeds=("https://www.proekt.media/feed/",),
    article_url=(
        r"^https://www\.proekt\.media/(?P<section>investigation|research|narrative|portrait|note|guide|opinion)/"
        r"(?P<slug>[\w-]+)/$"
    ),
    parser="crawler.pages.wordpress.WordPressPage",
    boilerplate_selectors=(
        "div.single-post__read-also",  # injected after the 2nd block
        "p.single-post__tg",
        "span.more",
        "span.close",
        "div.socials.js-socials-icons",
        "div.donate-popup",
        "section.subscribe",
    ),
    text_rules=(
        TextRule("donation", r"^Поддержите «?Проект»?", max_chars=300),
        TextRule("donation", r"^Мы публикуем расследования бесплатно и без рекламы", max_chars=400),
        TextRule("newsletter", r"^Рассылка «?Проекта»?", max_chars=150),
    ),
    reach="any date: WordPress core sitemap (every post; its location is the WordPress default, assumed)",
    reach_days=None,
    notes="Body selector from calibre 2022 (LOW-MEDIUM); full-text feed as next layer; UA filtering possible.",
    extra={
        "self_names": ("«Проект\\w*»",),  # how its texts name it (appeal classifier)
        "body_selector": "div.single-post__article",
        "title_selector": "h1.single-post__title",
        "lead_selector": "div.single-post__lead p",  # not its "Читать полностью" toggle
        "author_selector": "a.single-post__author",
        "section_selector": "a.single-post__category",
        "date_selector": "time.single-post__date",
        "tag_selector": "div.single-post__tags a",
        "image_selector": "div.single-post__cover, div.single-post__article figure",
        "credit_selector": "em, .single-post__cover-caption span",
        "kinds": [
            {"url": r"/note/", "kind": "news"},
            {"url": r"/opinion/", "kind": "opinion"},
            {"url": r"/guide/", "kind": "analysis"},
            {"kind": "feature"},  # investigation, research, narrative, portrait
        ],
    },
)

OUTLETS = (PROEKT,)
