"""The Bell (thebell.io), Russian. Facts and sources: ../shared/outlets.md §11 and tests/sites/thebell/README.md:
the GraphQL API as the maintained RSS-Bridge bridge asks it (``RSS-Bridge/rss-bridge@309af5b:bridges/
TheBellBridge.php``, added 2026-05-14, HIGH): ``POST /api/v2/graphql`` ``published_posts(first:,
orderBy:"published_at", orderDirection:"DESC", category:)`` → nodes with the full ``content`` HTML, ms-epoch
``published_at``, authors, categories, tags; article URL ``https://thebell.io/{slug}``. The page (Angular
SSR, 2022 calibre recipe, LOW) is fetched for each article and is the fallback; ``/feed`` (calibre 2022,
MEDIUM) is read only when the API fails.

Discovery pages the GraphQL connection with Relay cursors (``after`` / ``pageInfo``: the usual shape of an
``edges { node }`` connection, **assumed**: no source shows The Bell's server accepting them) back to the
window's start; if the server refuses them, the bridge's query gets the newest ``extra["api_page_size"]``
posts, as before (crawler/discovery/api_thebell.py)."""

from crawler.outlets.base import Outlet, TextRule

THEBELL = Outlet(
    key="thebell",
    name="The Bell",
    language="ru",
    timezone="Europe/Moscow",
    hosts=("thebell.io", "www.thebell.io"),
    home="https://thebell.io/",
    article_url=r"^https://thebell\.io/(?P<slug>[a-z0-9][a-z0-9-]*)/?$",  # the native id is the API's post id
    exclude_url=(r"^https://thebell\.io/(feed|subscribe|donate|about|contacts|search|privacy|advertising|team|"
                 r"en|category|author|tag)/?$",),
    parser="crawler.pages.thebell.TheBellPage",
    discovery="crawler.discovery.api_thebell.TheBellGraphQL",
    boilerplate_selectors=(  # the page's (fallback), calibre 2022
        "div.post_bottom", "div.post_tags", "div.post_subscribe", "div.email.email_small", "div.post_share",
        "div.social_media", "div.author__content_image",
    ),
    text_rules=(
        TextRule("donation", r"^Поддержите The Bell\b", max_chars=400),
        TextRule("newsletter", r"^Подпишитесь на рассылку The Bell\b", max_chars=200),
    ),
    extra={
        "api_graphql": "https://thebell.io/api/v2/graphql",
        "api_page_size": 100,
        "fallback_feeds": ("https://thebell.io/feed",),
        "credit_selector": "span.image-credit",
        "kinds": (
            {"section": r"рассылка|итоги недели", "kind": "newsletter"},
            {"section": r"^(Истории|Эксклюзив|Расследования?|The Bell объясняет)$", "kind": "feature"},
            {"kind": "news"},
        ),
        # the page (fallback only)
        "title_selector": "h1.post_title",
        "subtitle_selector": "div.post_subtitle",
        "author_selector": "a.author__name",
        "date_selector": "div.post_date",
        "section_selector": "div.post_category a",
        "tag_selector": "div.post_tags a",
        "body_selector": "div.post_content",
        "image_selector": "div.post_content figure",
        "health_optional": ("authors",),  # mailings are unsigned
    },
    reach="any date: GraphQL connection paged with cursors (assumed; if refused: the newest 100 posts)",
    reach_days=None,
    notes="GraphQL discovery (full content); RSS only when the API fails.",
)

OUTLETS = (THEBELL,)
