import pytest

from crawler.text import join_paragraphs, normalize, word_count
from crawler.urls import canonical_url

A = "https://www.themoscowtimes.com/2023/08/22/russian-army-officials-visit-libya-after-haftar-invite-a82219"


@pytest.mark.parametrize("variant", [
    A,
    A + "#comments",
    A + "?utm_source=telegram&utm_medium=social",
    A + "?fbclid=xyz",
    "http://WWW.themoscowtimes.com/2023/08/22/russian-army-officials-visit-libya-after-haftar-invite-a82219",
    A + "/amp",
])
def test_canonical_url_variants(variant):
    assert canonical_url(variant) == A


def test_canonical_url_keeps_meaningful_query():
    assert canonical_url("https://republic.ru/posts/1?page=2&utm_campaign=x") == "https://republic.ru/posts/1?page=2"


def test_normalize_changes_no_words():
    assert normalize("  Пре\u00adзидент\u00a0сказал\u200b  «да»\n ") == "Президент сказал «да»"


def test_body_format_and_word_count():
    body = join_paragraphs(["First  one.", "", " Second\u00a0paragraph here. "])
    assert body == "First one.\n\nSecond paragraph here."
    assert word_count(body) == 5
    assert word_count("Yunus-bek Yevkurov's visit") == 3
