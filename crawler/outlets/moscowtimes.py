"""The Moscow Times (English). Facts and sources: ../shared/outlets.md §1 (the site's own public
templates, themoscowtimes/themoscowtimes@2cf4ace, June 2024; robots.txt 2024). ``BOILERPLATE`` and
``EXTRA`` are the CMS's, shared with the Russian edition (crawler/outlets/moscowtimes_ru.py)."""

from crawler.outlets.base import Outlet, TextRule

BOILERPLATE = (
    "aside.article__related-article",  # inline "Read more" teaser block
    "div.article__newsletter",  # newsletter sign-up block
    "div.newsletterbanner",
    "div.contribute-banner",  # donation box after the tags
    "div.article__tags",  # "Read more about:" tag labels (tags are read before removal)
    "div.article__disclaimer",  # opinion disclaimer
    "div.article__link",  # inline promo link
    "div.article__embed",  # tweets, Telegram posts, players: not article text
    "section.cluster",  # "Read more" grid
    "aside.sidebar",
    "div.banner",
    "div.byline__social",
    "div.social",
)
# page data read by crawler/pages/moscowtimes.py (shared with the Russian edition)
EXTRA = {
    "kind_labels": {"opinion": "opinion", "analysis": "analysis"},  # header label (lower case) -> kind
    "section_kinds": {"in-depth": "feature", "features": "feature"},  # breadcrumb section -> kind
    "health_optional": ("authors",),  # news items often carry no byline
}

MOSCOWTIMES = Outlet(
    key="moscowtimes",
    name="The Moscow Times",
    language="en",
    timezone="Europe/Moscow",
    hosts=("www.themoscowtimes.com", "themoscowtimes.com", "static.themoscowtimes.com"),
    home="https://www.themoscowtimes.com/",
    robots_url="https://www.themoscowtimes.com/robots.txt",
    sitemaps=("https://static.themoscowtimes.com/sitemap/sitemap.xml",),
    feeds=("https://www.themoscowtimes.com/rss/news",),
    # /{YYYY}/{MM}/{DD}/{slug}-a{ID}: only the trailing a{ID} identifies the article (app/Article/Model.php)
    article_url=(
        r"^https://www\.themoscowtimes\.com/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/"
        r"(?P<slug>[^/?#]*?)-?(?P<id>a\d+)/?$"
    ),
    exclude_url=(r"/preview/", r"/search/"),
    reach="any date: sitemap index of monthly files `YYYY-M.xml` (the site's own generator, HIGH)",
    reach_days=None,
    sitemap_month=r"/(?P<year>\d{4})-(?P<month>\d{1,2})\.xml(?:\.gz)?$",
    parser="crawler.pages.moscowtimes.MoscowTimesPage",
    boilerplate_selectors=BOILERPLATE,
    extra=EXTRA,
    text_rules=(
        # Blocks injected without known markup (seed: moscowtimes-a82219-naive-extraction.txt).
        TextRule("donation", r"^A Message from The Moscow Times:?$", until=r"^Remind me later\.?$", max_chars=60),
        TextRule("newsletter", r"^Sign up for our (free )?weekly newsletter\.?$",
                 until=r"^Subscribers agree to the Privacy Policy", max_span=4, max_chars=60),
        TextRule("newsletter", r"^Subscribers agree to the Privacy Policy\.?$", max_chars=60),
        TextRule("donation", r"^Support The Moscow Times!?$", max_chars=40),
        TextRule("donation", r"^Contribute today\.?$", max_chars=40),
        TextRule("disclaimer", r"^The views expressed in opinion pieces do not necessarily reflect", max_chars=200),
    ),
)

OUTLETS = (MOSCOWTIMES,)
