"""The content classifier on appeals and news paragraphs written for this project (tests/unit/appeal_cases.py):
appeals in any wording go, news about donations, fundraisers, channels and podcasts stays.

Figures (precision / recall of ``Evidence.appeal``; ``promotional`` is the weaker verdict used for blocks
that recur): dev 1.00 / 1.00, round 2 1.00 / 0.93, held-out 1.00 / 0.53 (promotional: 14 of 15 held-out
appeals, 0 of 15 held-out news paragraphs). The classifier is built for precision: a one-off appeal it
misses is caught once it recurs (tests/unit/test_learning.py)."""

from __future__ import annotations

import pytest
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler import outlets
from crawler.boilerplate.appeals import classifier_for, label_kind, link_heavy, outlet_names, unquoted
from crawler.items import Article
from crawler.pipelines.clean import CleanPipeline
from crawler.rules import shared_rules
from crawler.text import join_paragraphs
from tests.unit import appeal_cases as cases

CLASSIFIER = classifier_for()
SETS = {
    "dev": (cases.DEV_APPEALS, cases.DEV_NEWS),
    "round2": (cases.ROUND2_APPEALS, cases.ROUND2_NEWS),
    "heldout": (cases.HELDOUT_APPEALS, cases.HELDOUT_NEWS),
}
# measured; a change to the vocabulary that lowers one of these is a regression
FLOORS = {"dev": (1.0, 1.0), "round2": (1.0, 0.93), "heldout": (1.0, 0.53)}


def scores(appeals: list[str], news: list[str]) -> tuple[float, float]:
    found = sum(CLASSIFIER.evidence(a).appeal for a in appeals)
    false = sum(CLASSIFIER.evidence(n).appeal for n in news)
    return found / max(1, found + false), found / len(appeals)


def test_case_lists_are_big_enough_and_in_no_rule():
    appeals = cases.DEV_APPEALS + cases.ROUND2_APPEALS + cases.HELDOUT_APPEALS
    news = cases.DEV_NEWS + cases.ROUND2_NEWS + cases.HELDOUT_NEWS
    assert len(appeals) >= 60 and len(news) >= 60
    assert len(set(appeals)) == len(appeals) and len(set(news)) == len(news)
    rules = shared_rules() + tuple(r for o in outlets.all_outlets().values() for r in o.text_rules)
    assert [a for a in appeals if any(r.matches(a) for r in rules)] == []


@pytest.mark.parametrize("name", sorted(SETS))
def test_precision_and_recall(name):
    precision, recall = scores(*SETS[name])
    want_precision, want_recall = FLOORS[name]
    assert precision >= want_precision and recall >= want_recall, (precision, recall)


@pytest.mark.parametrize("paragraph", cases.DEV_NEWS + cases.ROUND2_NEWS + cases.HELDOUT_NEWS)
def test_news_paragraph_is_not_an_appeal(paragraph):
    assert not CLASSIFIER.evidence(paragraph).appeal


def test_weaker_verdict_covers_almost_every_appeal_and_few_news():
    appeals = cases.DEV_APPEALS + cases.ROUND2_APPEALS + cases.HELDOUT_APPEALS
    news = cases.DEV_NEWS + cases.ROUND2_NEWS + cases.HELDOUT_NEWS
    assert sum(CLASSIFIER.evidence(a).promotional for a in appeals) >= len(appeals) - 1
    assert sum(CLASSIFIER.evidence(n).promotional for n in news) <= 3


@pytest.mark.parametrize("text, kind", [
    ("Get our daily briefing delivered to your inbox every morning — it's free.", "newsletter"),
    ("Присоединяйтесь к нашему телеграм-каналу — там самые важные новости за день.", "telegram"),
    ("Listen to our new podcast on Apple Podcasts, Spotify or wherever you get your podcasts.", "podcast"),
    ("Please consider becoming a patron of our work on Patreon.", "membership"),
    ("Без вашей помощи мы не справимся. Задонатьте сколько можете через Boosty или Patreon.", "donation"),
])
def test_kind_is_what_the_block_promotes(text, kind):
    assert CLASSIFIER.evidence(text).kind == kind


def test_outlet_name_counts_as_the_outlet_speaking():
    holod = classifier_for(outlet_names(outlets.get("holod")))
    text = ("Без денег читателей «Холод» закроется через два месяца: оформите регулярный платеж, это займет не "
            "больше минуты и обойдется дешевле чашки кофе.")  # longer than a short order
    assert not classifier_for().evidence(text).appeal and holod.evidence(text).appeal
    assert holod.evidence("Вчера был сильный холод, оформите справку в школе.").self_ref is False


def test_quoted_speech_is_mentioned_not_said():
    text = "Призывы «поддержите нас, подпишитесь на наш канал» стали обычной частью почти каждого текста."
    assert unquoted(text).startswith("Призывы") and "поддержите" not in unquoted(text)
    assert not CLASSIFIER.evidence(text).appeal


def test_long_sparse_paragraph_is_article_text():
    text = ("We asked the regional governments how much they had spent on the festival. " * 6
            + "Only two answered; the rest referred us to their websites, where you can find no such figures, "
              "and one suggested that we subscribe to its newsletter instead.")
    assert len(text) > 350 and not CLASSIFIER.evidence(text).appeal


@pytest.mark.parametrize("text, kind", [
    ("Фото: Иван Петров / «Холод»", "credits"), ("Photo: AP", "credits"), ("Editor: Anna Smith", "credits"),
    ("Читайте также", "read_also"), ("Read also: how the ruble fell", "read_also"),
    ("Photo agencies said the pictures were taken on Monday: all of them were verified.", None),
])
def test_labelled_lines(text, kind):
    assert label_kind(text) == kind


def test_link_heavy_lines():
    assert link_heavy("t.me/holodmedia") and link_heavy("Наш канал: https://t.me/example_channel")
    assert not link_heavy("The ministry published the figures on its website on Monday evening.")


def test_pipeline_removes_appeals_anywhere_and_counts_them():
    stats = MemoryStatsCollector(get_crawler())
    appeal_en, appeal_ru = cases.HELDOUT_APPEALS[0], cases.DEV_APPEALS[20]
    news = cases.DEV_NEWS[:3]
    item = Article(url="https://example.org/a", outlet="holod",
                   body=join_paragraphs([appeal_ru, news[0], appeal_en, news[1], news[2]]))
    CleanPipeline(stats).process_item(item)
    assert item.body == join_paragraphs(news)
    assert stats.get_value("clean/appeal/donation") == 1 and stats.get_value("clean/appeal/telegram") == 1
    assert stats.get_value("clean/blocks_removed") == 2


def test_pipeline_without_the_classifier_keeps_them():
    item = Article(url="https://example.org/a", outlet="holod", body=join_paragraphs(cases.DEV_APPEALS[:3]))
    CleanPipeline(MemoryStatsCollector(get_crawler()), appeals=False).process_item(item)
    assert item.body == join_paragraphs(cases.DEV_APPEALS[:3])


def test_body_of_appeals_only_is_emptied_and_marked():
    item = Article(url="https://example.org/a", outlet="holod", body=join_paragraphs(cases.DEV_APPEALS[:3]))
    CleanPipeline(MemoryStatsCollector(get_crawler())).process_item(item)
    assert item.body == "" and item.word_count == 0 and item.extraction["clean"] == "boilerplate_only"


def test_validation_drops_an_emptied_body_as_boilerplate_only_and_a_missing_one_as_missing_body():
    from scrapy.exceptions import DropItem

    from crawler.pipelines.validate import ValidatePipeline

    stats = MemoryStatsCollector(get_crawler())
    validate = ValidatePipeline(stats)
    emptied = Article(url="https://example.org/a", outlet="holod", title="T", published_at="2026-10-01T10:00:00+03:00",
                      body=join_paragraphs(cases.DEV_APPEALS[:2]))
    CleanPipeline(stats).process_item(emptied)
    never = Article(url="https://example.org/b", outlet="holod", title="T", published_at="2026-10-01T10:00:00+03:00")
    for item, reason in ((emptied, "boilerplate_only"), (never, "missing_body")):
        with pytest.raises(DropItem, match=f"^{reason}:"):
            validate.process_item(item)
        assert stats.get_value(f"validate/dropped/{reason}") == 1


def every_expected_body() -> list[tuple[str, str]]:
    """(site, paragraph) for every paragraph that a fixture site's ground truth keeps in a body."""
    import json

    from tests.crawl import SITES
    from crawler.text import split_paragraphs

    found = []
    for path in sorted(SITES.glob("*/_expected.json")):
        articles = json.loads(path.read_text("utf-8")).get("articles", {})
        for want in articles.values():
            if isinstance(want, dict):
                found += [(path.parent.name, p) for p in split_paragraphs(want.get("body") or "")]
                found += [(path.parent.name, p) for p in want.get("body_includes", [])]
    return found


def test_no_paragraph_of_any_fixture_body_is_an_appeal():
    """The fixture sites' expected bodies (tests/sites/*/_expected.json, hundreds of paragraphs, many about
    donations, channels and foreign agents) and the seed's article paragraphs stay whole."""
    from crawler.boilerplate.appeals import classifier_for as for_names

    paragraphs = every_expected_body()
    assert len(paragraphs) > 300
    flagged = []
    for site, paragraph in paragraphs:
        known = outlets.all_outlets()
        outlet = known.get(site) or known.get(site.split("_")[0])  # holod_learning has Holod's shape
        names = outlet_names(outlet)
        if for_names(names).evidence(paragraph).appeal:
            flagged.append((site, paragraph))
    assert flagged == []
