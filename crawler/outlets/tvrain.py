"""TV Rain / Дождь (tvrain.tv). Facts and sources: ../shared/outlets.md §7 and tests/sites/tvrain/README.md.
Evidence: URLs `/{news|articles|teleshow/{show}}/{slug}-{id}/` (HIGH, 2026); RSS `/export/rss/all.xml`
(MEDIUM); `.document-lead`, `.article-full__text`, `.document-head__date` from a ~2023 scraper (LOW-MEDIUM;
a 2025+ redesign uses CSS-module classes); JSON-LD NewsArticle with `articleBody` expected by a 2025
scraper (LOW-MEDIUM); foreign-agent text `.menu3__foreign-agent-text` (tvrain.ru era, LOW-MEDIUM). Time
zone Amsterdam (the newsroom's city; an assumption). `/teleshow/` pages are programme interviews: an
assumption from the fixture, kept as the last kind rule.

Discovery: the feed, and the archive's pages by day (``/archive/?search_year=…&search_month=…&search_day=…
&query=&tab=2&page=N`` with items ``div.chrono_list__item__info a.chrono_list__item__info__name``: scrapers
of 2022–23, ids 38235565050, 38119119183, 38651361069, 37957868233, MEDIUM for then; that an empty query
with a day filter lists that day is an assumption, LOW), walked from the window's last day back to its
first (crawler/discovery/dated_pages.py)."""

from crawler.outlets.base import Outlet, TextRule

TVRAIN = Outlet(
    key="tvrain",
    name="TV Rain",
    language="ru",
    timezone="Europe/Amsterdam",
    hosts=("tvrain.tv", "www.tvrain.tv"),
    home="https://tvrain.tv/",
    feeds=("https://tvrain.tv/export/rss/all.xml",),
    # /live/ (the stream) is not an article
    article_url=(
        r"^https://tvrain\.tv/(?P<section>news|articles|teleshow/[\w-]+)/(?P<slug>[\w-]+)-(?P<id>\d+)/$"
    ),
    parser="crawler.pages.base.ArticlePage",
    discovery="crawler.discovery.dated_pages.DatedListing",
    boilerplate_selectors=(
        "div.article-full__related",
        "div.article-full__donate",
        "p.article-full__tg",
        "section.donate-banner",
        "section.newsline",
        "iframe[title*=opup]",
    ),
    text_rules=(
        TextRule("donation", r"^Поддержите Дождь", max_chars=300),
        TextRule("donation", r"^Каждый ваш перевод помогает нам", max_chars=200),
        TextRule("newsletter", r"^Подписывайтесь на Дождь", max_chars=150),
    ),
    reach="dated archive pages /archive/ by day, any date (scrapers 2022–23; unverified since): web archives still used",
    reach_days=2,
    notes="Body markup ~2023 (LOW-MEDIUM) with JSON-LD articleBody as the next layer; feed MEDIUM.",
    extra={
        # the archive's search form by day: parameters and item markup from scrapers of 2022–23 (MEDIUM for
        # then); an empty query with a day filter listing that day's materials is an assumption (LOW)
        "dated_listing": {
            "url": "https://tvrain.tv/archive/?search_teleshow_cat=&search_year={year}&search_month={month}"
                   "&search_day={day}&query=&tab=2&page={page}",
            "links": "div.chrono_list__item__info a.chrono_list__item__info__name::attr(href)",
            "first_page": 1,
        },
        "self_names": ("«Дожд\\w*»", "телеканал\\w* «?Дождь»?",),  # how its texts name it (appeal classifier)
        "body_selector": "div.article-full__text",
        "title_selector": "h1.document-head__title",
        "lead_selector": "div.document-lead",
        "date_selector": ".document-head__date",  # "24 ноября 2026, 13:20" (after JSON-LD)
        "tag_selector": "div.document-tags a",
        "image_selector": "figure.document-cover, div.article-full__text figure",
        "credit_selector": "[class*=copyright]",
        "foreign_agent_selector": ".menu3__foreign-agent-text, .menu2__foreign-agent-text",
        "kinds": [
            {"url": r"/news/", "kind": "news"},
            {"tag": r"^интервью$", "kind": "interview"},
            {"url": r"/teleshow/", "kind": "interview"},
            {"kind": "feature"},  # /articles/
        ],
    },
)

OUTLETS = (TVRAIN,)
