"""Meduza, Russian (meduza.io) and English (meduza.io/en). Facts and sources: ../shared/outlets.md §2 and
tests/sites/meduza/README.md: the JSON API (``/api/w5/search``, ``/api/w5/{path}``) from
``baradusov/meduza-lite@20d2420`` (2021) and later users (2019–2025, HIGH for the search list, MEDIUM
for the article record); the SSR page's ``data-testid`` markup from ``Kutepov/fresh@cf34e49`` (Jan 2024).

Discovery: the search API (``chrono`` news and articles, newest first, paged back to the window's start
one page at a time: crawler/discovery/api_meduza.py) and the RSS feed. Each article's page is fetched (JSON-LD metadata, the foreign-agent label), then its API record
(``extra["api_document"]``), whose blocks are the body; the page's own blocks are the fallback."""

from crawler.outlets.base import Outlet, TextRule

# /{type}/{YYYY}/{MM}/{DD}/{slug}; the path is the API's key for the material (its native id)
_PATH = r"(?P<type>[a-z]+)/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<slug>[^/?#]+)"

_SHARED = dict(
    timezone="Europe/Moscow",
    hosts=("meduza.io", "www.meduza.io"),
    exclude_url=(r"^https://meduza\.io/(en/)?live/",),  # live blogs: a stream, not an article
    parser="crawler.pages.meduza.MeduzaPage",
    discovery="crawler.discovery.api_meduza.MeduzaSearch",
    boilerplate_selectors=(
        '[data-testid="foreign-agent-label"]',  # read as foreign_agent_text before removal
        '[data-testid="announcement-in-text"]',  # Telegram / newsletter promos
        '[data-testid="related-rich-block"]',
        '[data-testid="related-block"]',  # "Читайте также" list
        '[data-testid="material-note"]',  # author / photo credits line
        '[data-testid="donates-teaser"]',
        '[data-testid="toolbar"]',  # share buttons
    ),
)

_EXTRA = {
    "self_names": ("«Медуз\\w*»",),  # how its own texts name it (appeal classifier)
    "api_document": "https://meduza.io/api/w5/{id}",
    "api_search": "https://meduza.io/api/w5/search?chrono={chrono}&page={page}&per_page=24&locale={locale}",
    "api_chronos": ("news", "articles"),
    "api_article_base": "https://meduza.io/",
    "health_optional": ("authors",),  # news items carry no byline
    "body_selector": "div.GeneralMaterial-module-article",
    "lead_selector": '[data-testid="lead"]',
    "image_selector": 'div.GeneralMaterial-module-article figure[data-testid="embed-block"]',
    "credit_selector": '[class*="MediaCaption-module_credit"]',
    "foreign_agent_selector": '[data-testid="foreign-agent-label"]',
    # kind from the material type in the URL (cards = explainers, brief = the English newsletter)
    "kinds": (
        {"url": r"^https://meduza\.io/(en/)?feature/", "kind": "feature"},
        {"url": r"^https://meduza\.io/(en/)?(cards|slides)/", "kind": "explainer"},
        {"url": r"^https://meduza\.io/(en/)?brief/", "kind": "newsletter"},
        {"url": r"^https://meduza\.io/(en/)?(podcasts|episodes)/", "kind": "podcast"},
        {"kind": "news"},
    ),
}

MEDUZA = Outlet(
    key="meduza",
    name="Meduza",
    language="ru",
    home="https://meduza.io/",
    feeds=("https://meduza.io/rss/all",),
    article_url=rf"^https://meduza\.io/(?P<id>(?!en/){_PATH})/?$",
    text_rules=(
        # the in-text appeal is an ordinary paragraph (in the API a plain "p" block; Kutepov/fresh 2024)
        TextRule("donation", r"^Нам нужна ваша помощь\. Пожалуйста, поддержите «Медузу»", max_chars=300),
        # promos the page marks as announcement-in-text; as text (feed full text, an unmarked page) too
        TextRule("newsletter", r"^«Медуза» в телеграме\b", max_chars=150),
        TextRule("newsletter", r"^Подпишитесь на «[^»]{1,40}»\s*[—–-]\s*рассылку", max_chars=200),
    ),
    extra={**_EXTRA, "api_locale": "ru"},
    reach="any date: search API `/api/w5/search` paged back to the window's start (no page cap)",
    reach_days=None,
    notes="Search API + RSS discovery; body from the API record (blocks), metadata from the page.",
    **_SHARED,
)

MEDUZA_EN = Outlet(
    key="meduza_en",
    name="Meduza in English",
    language="en",
    home="https://meduza.io/en",
    feeds=("https://meduza.io/rss/en/all",),
    article_url=rf"^https://meduza\.io/(?P<id>en/{_PATH})/?$",
    text_rules=(
        TextRule("donation", r"^(Meduza is funded by its readers|Support Meduza)\b", max_chars=300),
    ),
    extra={**_EXTRA, "api_locale": "en"},
    reach="any date: search API `/api/w5/search` paged back to the window's start (no page cap)",
    reach_days=None,
    notes="Same API and markup as the Russian site, under /en/.",
    **_SHARED,
)

OUTLETS = (MEDUZA, MEDUZA_EN)
