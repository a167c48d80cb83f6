"""Novaya Gazeta Europe (novayagazeta.eu), Russian and English in one site. Facts and sources:
../shared/outlets.md §3 and tests/sites/novayagazeta_eu/README.md: the JSON API as the maintained
RSS-Bridge bridge reads it (``RSS-Bridge/rss-bridge@309af5b:bridges/NovayaGazetaEuropeBridge.php``,
2026, HIGH): ``/api/v1/get/main[?lang=en]`` lists records, ``/api/v1/get/record?slug=`` gives one
article with typed body blocks; record fields ``lang``, ``authors[].locale`` and the genre from a
Zotero-style translator (2023, MEDIUM-HIGH). The HTML (Next.js, ``__NEXT_DATA__``) is LOW confidence
and only the fallback when the API record cannot be had.

Discovery: the main API (both languages), the two RSS feeds, and the sitemaps robots.txt declares (else
``/sitemap.xml``, named only in a third party's list of guesses, LOW: no sitemap of the site was seen; the
main API has no known paging, and a search API with ``page``/``from``/``to`` seen in one 2025 client has no
known answer shape, so it is not used); every article is downloaded from its
API record (``extra["fetch_url"]``), whatever found it. Dates are ms epochs (UTC); the site's visible
times are Riga time."""

from crawler.outlets.base import Outlet, TextRule

NOVAYAGAZETA_EU = Outlet(
    key="novayagazeta_eu",
    name="Novaya Gazeta Europe",
    language="ru",  # per article: the record's ``lang`` (English slugs end in -en)
    timezone="Europe/Riga",
    hosts=("novayagazeta.eu", "www.novayagazeta.eu"),
    home="https://novayagazeta.eu/",
    feeds=("https://novayagazeta.eu/feed/rss/ru", "https://novayagazeta.eu/feed/rss/en"),
    robots_url="https://novayagazeta.eu/robots.txt",  # its Sitemap: lines, if any
    sitemaps=("https://novayagazeta.eu/sitemap.xml",),  # when robots.txt names none: a third party's guess (LOW)
    article_url=(r"^https://novayagazeta\.eu/articles/(?P<id>(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/"
                 r"(?P<slug>[^/?#]+))/?$"),
    parser="crawler.pages.novayagazeta_eu.NovayaGazetaEuropePage",
    discovery="crawler.discovery.api_novayagazeta_eu.NovayaGazetaMain",
    boilerplate_selectors=(  # the page's, for the HTML fallback (calibre 2022 + fixture, LOW)
        'div[class*="EmbedNative_root"]',  # related-article card
        'div[class*="SupportBanner_root"]',
        'div[class*="Subscribe_root"]',
        'div[class*="Person_root"]',  # interviewee card
    ),
    text_rules=(
        TextRule("donation", r"^Поддержать «Новую газету Европа»$", max_chars=60),
        TextRule("donation", r"^«Новую газету Европа» признали «нежелательной организацией»\. Мы продолжаем работать "
                             r"благодаря читателям", max_chars=300),
        TextRule("donation", r"^Support Novaya Gazeta Europe\b", max_chars=200),
        TextRule("newsletter", r"^Subscribe to our (newsletter|Telegram channel)\b", max_chars=200),
    ),
    extra={
        "self_names": ("«Нов\\w+ газет\\w+ Европ\\w*»", "«Новой газеты»",),  # how its texts name it (appeal classifier)
        "fetch_url": "https://novayagazeta.eu/api/v1/get/record?slug={id}",
        "api_main": ("https://novayagazeta.eu/api/v1/get/main", "https://novayagazeta.eu/api/v1/get/main?lang=en"),
        "api_article_base": "https://novayagazeta.eu/articles/",
        # genre (typeGenreId) -> kind; then the rubric
        # genre (the record's typeGenreId, or the page's meta[name=genre]) -> kind; then the rubric
        "genre_kinds": {"news": "news", "interview": "interview", "column": "opinion", "opinion": "opinion",
                        "report": "feature", "reportage": "feature", "investigation": "feature",
                        "explainer": "explainer", "podcast": "podcast", "video": "video",
                        "новость": "news", "интервью": "interview", "колонка": "opinion", "мнение": "opinion",
                        "репортаж": "feature", "расследование": "feature"},
        "kinds": ({"section": r"^(Мнения|Opinion)$", "kind": "opinion"}, {"kind": "news"}),
        # the page (fallback only; LOW: class names but the calibre ones invented in the fixture)
        "body_selector": 'div[class*="ArticleBlocks_wrapper"]',
        "lead_selector": 'div[class*="ArticleLead_root"]',
        "subtitle_selector": 'h2[class*="ArticleHeader_subtitle"]',
        "section_selector": 'a[class*="ArticleHeader_rubric"]',
        "author_selector": 'a[class*="ArticleAuthors_author"]',
        "tag_selector": 'a[class*="ArticleTags_tag"]',
        "image_selector": "article figure",
        "health_optional": ("authors",),  # news items are unsigned
    },
    reach="feeds and main API: the newest items; plus the sitemaps robots.txt declares, else /sitemap.xml (a guess)",
    reach_days=3,
    notes="Main API + RSS + sitemap (unverified) discovery; every article from /api/v1/get/record (typed blocks).",
)

OUTLETS = (NOVAYAGAZETA_EU,)
