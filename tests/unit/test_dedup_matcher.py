"""The matcher's decisions (crawler/state/matching.py) against a real SQLite state, run by run."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from crawler.state import DUPLICATE, GONE, REJECTED, open_store
from crawler.state.matching import Fetched, Matcher, revision_time, story_id_for
from tests.unit.test_dedup_near import FOLLOW_UP, REPUBLISHED, SAME_EVENT, WIRE

MT = "https://www.themoscowtimes.com/2023/08/15/"


@pytest.fixture
def store(tmp_path):
    opened = open_store(f"sqlite:///{tmp_path}/state.sqlite")
    opened.connect()
    yield opened
    opened.close()


def run(store, action="mark", near=True) -> Matcher:
    """A new run's matcher (fresh in-run memory) over the same store."""
    return Matcher(store, lambda: datetime(2026, 11, 28, 12, tzinfo=timezone.utc), near=near, near_action=action)


def fetched(url: str, body: str, outlet: str = "moscowtimes", native_id: str | None = None, **kw) -> Fetched:
    return Fetched(outlet=outlet, url=url, native_id=native_id, lead=None, body=body,
                   fetched_at="2026-11-28T12:00:00+00:00", **kw)


def deliver_all(matcher: Matcher) -> None:
    matcher.delivered(list(matcher.staged))
    matcher.flush()


def test_new_articles_are_written_only_once_delivered(store):
    m = run(store)
    j = m.judge(fetched(MT + "rate-a1", WIRE, native_id="a1"))
    assert (j.outcome, j.emit, j.version, j.story_id) == ("new", True, 1, story_id_for("moscowtimes", MT + "rate-a1"))
    m.flush()
    assert store.count_articles() == 0  # staged, not delivered
    deliver_all(m)
    assert store.count_articles() == 1


def test_an_undelivered_article_is_new_again_next_run(store):
    m = run(store)
    m.judge(fetched(MT + "rate-a1", WIRE, native_id="a1"))
    m.flush()  # the run dies before its feed is stored
    assert run(store).judge(fetched(MT + "rate-a1", WIRE, native_id="a1")).outcome == "new"


def test_unchanged_revised_and_slug_change(store):
    m = run(store)
    m.note_response(("moscowtimes", MT + "rate-a1"), 200, '"v1"', "Tue, 15 Aug 2023 10:00:00 GMT")
    m.judge(fetched(MT + "rate-a1", WIRE, native_id="a1", modified_at="2023-08-15T13:00:00+03:00"))
    deliver_all(m)
    m = run(store)
    j = m.judge(fetched(MT + "rate-a1", WIRE, native_id="a1"))
    assert (j.outcome, j.emit) == ("unchanged", False) and "unchanged" in j.reason()
    # a changed slug with the same native id and text: the same article
    j = m.judge(fetched(MT + "new-slug-a1", WIRE, native_id="a1"))
    assert (j.outcome, j.original) == ("url", MT + "rate-a1")
    m.flush()
    m = run(store)
    edited = WIRE.replace("12%", "13%")
    j = m.judge(fetched(MT + "rate-a1", edited, native_id="a1", modified_at="2023-08-15T13:00:00+03:00"))
    assert (j.outcome, j.emit, j.version) == ("revised", True, 2)
    assert j.story_id == story_id_for("moscowtimes", MT + "rate-a1")
    assert j.modified_at == "2026-11-28T12:00:00+00:00"  # silent edit: the page's date did not move
    deliver_all(m)
    row = store.find_articles("moscowtimes", [MT + "rate-a1"], [])[0]
    assert row.version == 2 and row.etag is None  # the validators of the fetch that changed it
    assert run(store).judge(fetched(MT + "rate-a1", edited, native_id="a1")).outcome == "unchanged"


def test_the_same_article_twice_in_one_run_is_dropped(store):
    m = run(store)
    m.judge(fetched(MT + "rate-a1", WIRE, native_id="a1"))
    assert m.judge(fetched(MT + "other-slug-a1", WIRE + " more", native_id="a1")).outcome == "url"


def test_exact_duplicate_under_another_url_or_outlet_is_dropped_and_kept_as_an_alias(store):
    m = run(store)
    m.judge(fetched(MT + "rate-a1", WIRE, native_id="a1"))
    j = m.judge(fetched("https://meduza.io/en/news/2023/08/15/rate", "  " + WIRE.upper(), outlet="meduza"))
    assert (j.outcome, j.emit, j.original) == ("fingerprint", False, MT + "rate-a1")
    deliver_all(m)
    alias = store.find_articles("meduza", ["https://meduza.io/en/news/2023/08/15/rate"], [])[0]
    assert alias.status == DUPLICATE and alias.duplicate_of == MT + "rate-a1"
    # a later run: found in the state
    j = run(store).judge(fetched("https://meduza.io/en/news/2023/08/16/rate-again", WIRE, outlet="meduza"))
    assert j.outcome == "fingerprint"


@pytest.mark.parametrize("when", ["same-run", "same-run-delivered", "later-run"])
def test_near_duplicates_are_marked_with_the_story(store, when):
    m = run(store)
    first = m.judge(fetched(MT + "rate-a1", WIRE, native_id="a1"))
    if when != "same-run":
        deliver_all(m)
        assert m.lsh_records == {}  # delivered: found through the store's bands from now on
    if when == "later-run":
        m = run(store)
    j = m.judge(fetched("https://meduza.io/en/news/2023/08/15/rate", REPUBLISHED, outlet="meduza"))
    assert (j.outcome, j.emit, j.duplicate_of, j.story_id) == ("near", True, MT + "rate-a1", first.story_id)
    assert 0.5 <= j.similarity < 1
    other = m.judge(fetched(MT + "prices-a2", SAME_EVENT, native_id="a2"))
    assert (other.outcome, other.duplicate_of) == ("new", None) and other.story_id != first.story_id
    assert m.judge(fetched(MT + "ruble-a3", FOLLOW_UP, native_id="a3")).outcome == "new"


def test_near_duplicates_dropped_when_asked(store):
    m = run(store, action="drop")
    m.judge(fetched(MT + "rate-a1", WIRE, native_id="a1"))
    j = m.judge(fetched("https://meduza.io/en/news/2023/08/15/rate", REPUBLISHED, outlet="meduza"))
    assert (j.outcome, j.emit) == ("near", False) and "near-duplicate" in j.reason()
    deliver_all(m)
    assert store.find_articles("meduza", ["https://meduza.io/en/news/2023/08/15/rate"], [])[0].status == DUPLICATE


def test_without_dedup_only_versions(store):
    m = Matcher(store, lambda: datetime(2026, 11, 28, 12, tzinfo=timezone.utc), near=False, exact=False)
    m.judge(fetched(MT + "rate-a1", WIRE, native_id="a1"))
    assert m.judge(fetched("https://meduza.io/en/news/2023/08/15/rate", WIRE, outlet="meduza")).outcome == "new"
    assert m.judge(fetched(MT + "rate-a1", WIRE, native_id="a1")).outcome == "url"  # still once per run


def test_without_a_judging_pipeline_a_200_is_not_rejected(store):
    m = run(store)
    m.judging = False
    m.note_response(("moscowtimes", MT + "ok-a8"), 200)
    m.note_response(("moscowtimes", MT + "gone-a5"), 410)
    assert m.keep_unusable() == 1


def test_near_detection_can_be_off(store):
    m = run(store, near=False)
    m.judge(fetched(MT + "rate-a1", WIRE, native_id="a1"))
    assert m.judge(fetched("https://meduza.io/en/news/2023/08/15/rate", REPUBLISHED, outlet="meduza")).outcome == "new"


def test_urls_without_an_article_are_kept_as_gone_or_rejected(store):
    m = run(store)
    m.note_response(("moscowtimes", MT + "gone-a5"), 410)
    m.note_response(("moscowtimes", MT + "flaky-a6"), 503)
    m.note_response(("moscowtimes", MT + "empty-a7"), 200, native_id="a7")
    m.note_response(("moscowtimes", MT + "ok-a8"), 200)
    m.judge(fetched(MT + "ok-a8", WIRE))
    assert m.keep_unusable() == 2
    m.flush()
    rows = {a.url: a for a in store.find_articles("moscowtimes", [MT + "gone-a5", MT + "flaky-a6", MT + "empty-a7"], [])}
    assert rows[MT + "gone-a5"].status == GONE and rows[MT + "empty-a7"].status == REJECTED
    assert MT + "flaky-a6" not in rows  # a server error keeps nothing: the next run tries again
    # a rejected URL that later yields an article becomes a normal article
    m = run(store)
    assert m.judge(fetched(MT + "empty-a7", FOLLOW_UP, native_id="a7")).outcome == "new"


def test_revision_time():
    assert revision_time("2023-08-15T14:00:00+03:00", "2023-08-15T13:00:00+03:00", "F") == "2023-08-15T14:00:00+03:00"
    assert revision_time("2023-08-15T13:00:00+03:00", "2023-08-15T13:00:00+03:00", "F") == "F"
    assert revision_time(None, None, "F") == "F"


def test_a_page_naming_another_url_keeps_the_requested_one_as_an_alias(store):
    m = run(store)
    requested = ("moscowtimes", MT + "new-slug-a1")
    m.note_response(requested, 200, '"e1"', None, native_id="a1")
    j = m.judge(fetched(MT + "old-slug-a1", WIRE, native_id="a1"))  # the page's canonical link: the old slug
    assert j.outcome == "new" and m.judged >= {requested, ("moscowtimes", MT + "old-slug-a1")}
    assert m.keep_unusable() == 0  # the requested URL did give an article
    deliver_all(m)
    rows = {a.url: a for a in store.find_articles("moscowtimes", [], ["a1"])}
    assert rows[MT + "old-slug-a1"].status == "delivered"
    alias = rows[MT + "new-slug-a1"]
    assert alias.status == DUPLICATE and alias.duplicate_of == MT + "old-slug-a1" and alias.etag == '"e1"'
    # next run, through the requested URL again: the same article, unchanged
    m = run(store)
    m.note_response(requested, 200, '"e1"', None, native_id="a1")
    assert m.judge(fetched(MT + "old-slug-a1", WIRE, native_id="a1")).outcome == "unchanged"
    m.flush()
    assert store.count_articles() == 2
