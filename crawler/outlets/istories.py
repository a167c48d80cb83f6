"""iStories / «Важные истории» (istories.media), Russian edition. Facts and sources: ../shared/outlets.md §6
and tests/sites/istories/README.md. Evidence: URLs `/{section}/YYYY/MM/DD/slug/` (HIGH, 2024–2025); RSS
`/rss/all.xml` (calibre 2022, a tested 2026 config; `/feed/` is 404) MEDIUM-HIGH; body
`[class*=BlocksContainer]` (2026 config, MEDIUM); `form.subscr`, `div.row`, `div.arrow-black`,
`div.article-foot`, `div.article-soc` as non-body (calibre 2022, may be stale). Header class names matched
by prefix and the foreign-agent line are the fixture's assumptions. Time zone Riga (the newsroom's city;
an assumption). No numeric id in the URL."""

from crawler.outlets.base import Outlet, TextRule

ISTORIES = Outlet(
    key="istories",
    name="iStories",
    language="ru",
    timezone="Europe/Riga",
    hosts=("istories.media", "www.istories.media"),
    home="https://istories.media/",
    robots_url="https://istories.media/robots.txt",  # the sitemaps its Sitemap: lines declare (none is known): nothing guessed
    feeds=("https://istories.media/rss/all.xml",),
    article_url=(
        r"^https://istories\.media/(?P<section>news|stories|investigations|reportages|opinions|interviews|workshops)/"
        r"(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<slug>[\w-]+)/$"
    ),
    parser="crawler.pages.base.ArticlePage",
    boilerplate_selectors=(
        "div[class*=ReadAlsoBlock_]",
        "div[class*=DonateBlock_]",
        "form.subscr",
        "div.row",
        "div.arrow-black",
        "div.article-foot",
        "div.article-soc",
    ),
    text_rules=(
        TextRule("donation", r"^Поддержите «?Важные истории»?", max_chars=400),
        TextRule("newsletter", r"^Подпишитесь на рассылку «?Важных историй»?", max_chars=150),
    ),
    reach="feed only: the newest items of /rss/all.xml; plus any sitemap robots.txt declares (none known)",
    reach_days=7,
    notes="Body by the 2026 BlocksContainer class; header classes assumed; RSS /rss/all.xml MEDIUM-HIGH.",
    extra={
        "self_names": ("«Важн\\w+ истори\\w*»",),  # how its texts name it (appeal classifier)
        "body_selector": "div[class*=BlocksContainer]",
        "title_selector": "h1[class*=ArticleHeader_title]",
        "lead_selector": "div[class*=ArticleHeader_lead]",
        "author_selector": "span[class*=ArticleHeader_authors] a",
        "section_selector": "a[class*=ArticleHeader_rubric]",
        "date_selector": "time[class*=ArticleHeader_date]",
        "tag_selector": "div.article-tags a",
        "image_selector": "figure[class*=Cover_], div[class*=ImageBlock_] figure",
        "credit_selector": "span[class*=credit]",
        "foreign_agent_selector": "div[class*=ArticleHeader_inoagent]",
        "kinds": [
            {"url": r"/news/", "kind": "news"},
            {"url": r"/interviews/", "kind": "interview"},
            {"url": r"/opinions/", "kind": "opinion"},
            {"kind": "feature"},  # stories, investigations, reportages
        ],
    },
)

OUTLETS = (ISTORIES,)
