"""The same article under different URLs: one canonical form per outlet (crawler/urls.py)."""

from __future__ import annotations

import pytest

from crawler import outlets
from crawler.urls import canonical_url

MT = outlets.get("moscowtimes")
HOLOD = outlets.get("holod")
A = "https://www.themoscowtimes.com/2023/08/22/russian-army-officials-visit-libya-after-haftar-invite-a82219"
H = "https://holod.media/2026/11/23/batumi-emigranty/"


def outlet_form(outlet, url: str) -> str:
    return canonical_url(url, outlet.home, outlet.match_article)


@pytest.mark.parametrize("variant", [
    A, A + "#comments", A + "?utm_source=telegram&utm_medium=social&utm_campaign=x", A + "?fbclid=1&yclid=2",
    A.replace("https://www.", "http://"),  # no www., plain http
    A.replace("https://www.", "https://m."),  # the mobile host
    A + "/amp", A + "/",
])
def test_moscow_times_variants(variant):
    assert outlet_form(MT, variant) == A


@pytest.mark.parametrize("variant", [
    H, H[:-1], H.replace("https://", "https://www."), H[:-1] + "?utm_source=tg", H + "amp/",
])
def test_wordpress_variants_keep_the_sites_trailing_slash_and_bare_host(variant):
    assert outlet_form(HOLOD, variant) == H


def test_other_hosts_and_non_articles_are_left_alone():
    assert outlet_form(MT, "https://static.themoscowtimes.com/sitemap/sitemap.xml") == \
        "https://static.themoscowtimes.com/sitemap/sitemap.xml"
    assert outlet_form(MT, "https://www.themoscowtimes.com/tag/wagner/") == "https://www.themoscowtimes.com/tag/wagner/"
    assert canonical_url("https://themoscowtimes.com/x") == "https://themoscowtimes.com/x"  # no outlet: as it was
