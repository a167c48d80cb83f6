"""The Moscow Times, Russian edition (ru.themoscowtimes.com; formerly moscowtimes.ru). Facts and sources:
../shared/outlets.md §1.1 and tests/sites/moscowtimes_ru/README.md: the same CMS as the English site
(its public templates, themoscowtimes/themoscowtimes@2cf4ace, June 2024: HIGH for the English site,
MEDIUM for this one, whose code is not public); ``/rss/news`` on this host (2026 configs); lazy images
``img[data-src]`` (calibre ``moscowtimes_ru.recipe``). The sitemap location is an assumption (robots.txt
names it). Markup and parser are the English site's; what differs is data: host, language, the Russian
label and UI words, the Russian appeal blocks."""

from crawler.outlets.base import Outlet, TextRule
from crawler.outlets.moscowtimes import BOILERPLATE, EXTRA

MOSCOWTIMES_RU = Outlet(
    key="moscowtimes_ru",
    name="The Moscow Times (Russian)",
    language="ru",
    timezone="Europe/Moscow",
    hosts=("ru.themoscowtimes.com", "www.moscowtimes.ru", "moscowtimes.ru"),
    home="https://ru.themoscowtimes.com/",
    robots_url="https://ru.themoscowtimes.com/robots.txt",
    sitemaps=("https://ru.themoscowtimes.com/sitemap/sitemap.xml",),  # assumption: robots.txt says so
    feeds=("https://ru.themoscowtimes.com/rss/news", "https://ru.themoscowtimes.com/rss/opinion"),
    article_url=(
        r"^https://ru\.themoscowtimes\.com/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/"
        r"(?P<slug>[^/?#]*?)-?(?P<id>a\d+)/?$"
    ),
    exclude_url=(r"/preview/", r"/search/"),
    sitemap_month=r"/(?P<year>\d{4})-(?P<month>\d{1,2})\.xml(?:\.gz)?$",
    parser="crawler.pages.moscowtimes.MoscowTimesPage",
    boilerplate_selectors=BOILERPLATE,
    text_rules=(
        # the in-body appeal (an html block of two paragraphs; the second matches no generic rule alone)
        TextRule("donation", r"^Поддержите The Moscow Times!", until=r"\bПоддержать\.?$", max_span=3, max_chars=400),
        TextRule("donation", r"^… ?у нас к вам небольшая просьба\.?$", max_chars=60),
        TextRule("newsletter", r"^Подпишитесь на нашу еженедельную рассылку\.?$", max_chars=80),
        TextRule("newsletter", r"^Подписывайтесь на The Moscow Times в Telegram\b", max_chars=200),
        TextRule("disclaimer", r"^Мнение автора может не совпадать с позицией редакции", max_chars=200),
    ),
    extra={**EXTRA, "kind_labels": {"мнение": "opinion", "анализ": "analysis"}},
    reach="any date: sitemap index of monthly files (same CMS as the English site; location assumed)",
    reach_days=None,
    notes="Same CMS as the English site: sitemap index (assumed location) + RSS; page extraction.",
)

OUTLETS = (MOSCOWTIMES_RU,)
