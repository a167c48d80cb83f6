"""A TEST outlet: the synthetic site ``tests/sites/render/`` that exercises JavaScript rendering.

Registered only when the environment variable ``RUSPRESS_TEST_OUTLETS=1`` is set (the render tests
and ``benchmarks/render_memory.py`` set it); otherwise this module defines no outlet, so users never
see it in ``scrapy list``, the registry or the README. Its host uses the reserved ``.invalid`` TLD:
without ``MIRRORS`` no request can leave the machine.
"""

import os

from crawler.outlets.base import Outlet

TEST_OUTLETS_ENV = "RUSPRESS_TEST_OUTLETS"

RENDERTEST = Outlet(
    key="rendertest",
    name="Render test site (synthetic, tests only)",
    language="ru",
    timezone="Europe/Moscow",
    hosts=("www.rendertest.invalid",),
    home="https://www.rendertest.invalid/",
    robots_url="https://www.rendertest.invalid/robots.txt",
    feeds=("https://www.rendertest.invalid/feed.xml",),
    article_url=r"^https://www\.rendertest\.invalid/news/(?P<id>[a-z0-9-]+)$",
    parser="crawler.pages.base.ArticlePage",
    render="fallback",
    extra={"body_selector": "div.article-body"},
    reach="feed only (a test site)",
    notes="Synthetic test site modelled on Verstka's anti-bot challenge and The Insider's Next.js pages.",
)

OUTLETS = (RENDERTEST,) if os.environ.get(TEST_OUTLETS_ENV) == "1" else ()
