"""Radio Svoboda (www.svoboda.org), RFE/RL's Russian service on the Pangea CMS. Facts and sources:
../shared/outlets.md §14 and tests/sites/svoboda/README.md: page type, JSON-LD authors/dates and the
"RFE/RL" author rule from the Zotero translator (2021, HIGH); body ``div#article-content div.wsw`` and its
boilerplate from Kutepov/fresh (~2024) and calibre ``radiosvoboda_ua.recipe`` (~2022); the feed code
``/api/zrqiteuuir`` (2022–2026, MEDIUM); one real Pangea page (slobodnaevropa.org, 2020) for the markup.

Discovery: the Pangea sitemap index ``/sitemap.xml`` (numbered children ``sitemap_<service>_<n>.xml.gz`` and
``sitemap_<service>_latest.xml.gz``, each with ``<lastmod>``: the real shape on radiosvoboda.org, Dec 2025,
../shared/reference/pangea/, HIGH for the CMS; svoboda.org's own index and service number are assumed),
read newest child first and only the children changed since the window's start; and the Pangea RSS feed
(section feed codes are unpredictable). The news, sections and videos children are not read. Extraction: the page (JSON-LD metadata, ``wsw`` body, lazy images from ``noscript``)."""

from crawler.outlets.base import Outlet, TextRule

SVOBODA = Outlet(
    key="svoboda",
    name="Radio Svoboda",
    language="ru",
    timezone="Europe/Prague",  # the CMS prints Prague time; JSON-LD carries UTC
    hosts=("www.svoboda.org", "svoboda.org"),
    home="https://www.svoboda.org/",
    feeds=("https://www.svoboda.org/api/zrqiteuuir",),
    sitemaps=("https://www.svoboda.org/sitemap.xml",),
    sitemap_follow=(r"/sitemap_\d+_(\d+|latest)\.xml(\.gz)?$",),  # not _news, _sections, _videos
    article_url=r"^https://www\.svoboda\.org/a/(?:(?P<slug>[^/?#]+)/)?(?P<id>\d+)\.html$",
    parser="crawler.pages.svoboda.PangeaPage",
    boilerplate_selectors=(
        "div.wsw__embed",  # also-read teasers, pull quotes, players inside the text
        "div.media-block",
        "div.media-block-wrap",
        "div.c-blockquote",  # pull quote repeating a sentence of the text
        "div.c-mmp",  # media player ("No media source currently available")
        'div[class*="media-pholder"]',
        "div.share--box",
        "ul.share__list",
        "aside",
        "div#comments",
        "p.buttons.btn--load-more",
        "div.c-author__btns",
    ),
    text_rules=(
        TextRule("disclaimer", r"^Мнения, высказанные в рубрике «Блоги»", max_chars=300),
        TextRule("player", r"^No media source currently available\.?$", max_chars=60),
        TextRule("newsletter", r"^Подписывайтесь на Радио Свобода в\b", max_chars=200),
    ),
    extra={
        "self_names": ("«?Радио Свобод\\w*»?",),  # how its texts name it (appeal classifier)
        "article_selector": "body.pg-article",  # video, audio and programme pages are not articles (Zotero)
        "author_exclude": r"^RFE/RL",  # JSON-LD lists the service itself among the authors
        "body_selector": "div#article-content div.wsw",
        "lead_selector": "div.intro",
        "image_selector": "div.cover-media figure, div#article-content div.wsw figure",
        "kinds": (
            {"tag": r"^(Блоги|Мнения)$", "kind": "opinion"},
            {"section": r"^Мнения$", "kind": "opinion"},
            {"tag": r"^Интервью$", "kind": "interview"},
            {"tag": r"^(Репортаж|Расследование)$", "kind": "feature"},
            {"kind": "news"},
        ),
        "health_optional": ("authors",),  # news items are unsigned
    },
    reach="any date: Pangea sitemap index, numbered children with lastmod (CMS shape HIGH; svoboda.org's index assumed)",
    reach_days=None,
    notes="Pangea sitemap index + RSS discovery; page extraction (JSON-LD + div.wsw).",
)

OUTLETS = (SVOBODA,)
