"""Radio Svoboda (www.svoboda.org), RFE/RL's Russian service on the Pangea CMS. Facts and sources:
../shared/outlets.md §14 and tests/sites/svoboda/README.md: page type, JSON-LD authors/dates and the
"RFE/RL" author rule from the Zotero translator (2021, HIGH); body ``div#article-content div.wsw`` and its
boilerplate from Kutepov/fresh (~2024) and calibre ``radiosvoboda_ua.recipe`` (~2022); the feed code
``/api/zrqiteuuir`` (2022–2026, MEDIUM); one real Pangea page (slobodnaevropa.org, 2020) for the markup.

Discovery: the Pangea RSS feed (its "API" is RSS; section feed codes are unpredictable); no sitemap is
known. Extraction: the page (JSON-LD metadata, ``wsw`` body, lazy images from ``noscript``)."""

from crawler.outlets.base import Outlet, TextRule

SVOBODA = Outlet(
    key="svoboda",
    name="Radio Svoboda",
    language="ru",
    timezone="Europe/Prague",  # the CMS prints Prague time; JSON-LD carries UTC
    hosts=("www.svoboda.org", "svoboda.org"),
    home="https://www.svoboda.org/",
    feeds=("https://www.svoboda.org/api/zrqiteuuir",),
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
    notes="Pangea RSS discovery; page extraction (JSON-LD + div.wsw).",
)

OUTLETS = (SVOBODA,)
