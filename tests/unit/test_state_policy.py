"""Which discovered article is requested (crawler/state/policy.py) and how entry dates are read."""

from __future__ import annotations

from datetime import date

from crawler.state import ArticleState
from crawler.state.policy import entry_date, judge_entry, later, listing_dates, utc_iso

TODAY = date(2023, 8, 31)


def stored(**kw) -> ArticleState:
    return ArticleState(outlet="moscowtimes", url="https://www.themoscowtimes.com/2023/08/22/x-a1", id=1,
                        first_seen="2023-08-22T10:00:00+00:00", **kw)


def test_new_articles_are_always_requested():
    verdict = judge_entry(None, None, None, TODAY, 2)
    assert (verdict.fetch, verdict.reason, verdict.conditional) == (True, "new", False)


def test_dated_entries_only_when_their_date_moved_on():
    known = stored(entry_date="2023-08-22T07:00:00+00:00")
    assert judge_entry(known, "2023-08-22T07:00:00+00:00", None, TODAY, 2).reason == "unchanged_date"
    assert judge_entry(known, "2023-08-21T07:00:00+00:00", None, TODAY, 2).fetch is False  # older: ignored
    changed = judge_entry(known, "2023-08-23T09:30:00+00:00", None, TODAY, 2)
    assert (changed.fetch, changed.reason, changed.conditional) == (True, "date_changed", True)
    # stored from an undated source: the first dated entry is checked once (conditionally)
    assert judge_entry(stored(), "2023-08-22T07:00:00+00:00", None, TODAY, 2).reason == "date_changed"
    # young or not, a dated entry with the same date is not re-checked
    young = stored(entry_date="2023-08-31T07:00:00+00:00")
    assert judge_entry(young, "2023-08-31T07:00:00+00:00", date(2023, 8, 31), TODAY, 2).fetch is False
    assert judge_entry(known, "2023-08-22T07:00:00+00:00", None, TODAY, 2, "refresh").reason == "refresh"


def test_undated_entries_are_rechecked_while_young():
    known = stored()
    assert judge_entry(known, None, date(2023, 8, 31), TODAY, 2).reason == "recheck"
    assert judge_entry(known, None, date(2023, 8, 30), TODAY, 2).reason == "recheck"
    assert judge_entry(known, None, date(2023, 8, 29), TODAY, 2).reason == "old"
    assert judge_entry(known, None, date(2023, 8, 29), TODAY, 0).reason == "old"
    assert judge_entry(known, None, date(2023, 8, 1), TODAY, 2, "refresh").reason == "refresh"
    # no date in the URL: the stored publication date, else when it was first seen
    assert judge_entry(stored(published_at="2023-08-30T12:00:00+03:00"), None, None, TODAY, 2).reason == "recheck"
    assert judge_entry(stored(), None, None, date(2023, 8, 23), 2).reason == "recheck"
    assert judge_entry(stored(), None, None, TODAY, 2).reason == "old"


def test_entry_dates_from_request_meta():
    meta = {"sitemap_entry": {"loc": "x", "lastmod": "2023-08-22T10:00:00+03:00",
                              "news_publication_date": "2023-08-21T10:00:00+03:00"}}
    assert entry_date(meta, "Europe/Moscow") == "2023-08-22T07:00:00+00:00"  # lastmod: when it changed
    assert entry_date({"feed_entry": {"published": "Tue, 22 Aug 2023 10:00:00 +0300"}}, "UTC") == "2023-08-22T07:00:00+00:00"
    assert entry_date({"sitemap_entry": {"loc": "x", "lastmod": "2023-08-22"}}, "Europe/Moscow") == "2023-08-21T21:00:00+00:00"
    assert entry_date({"sitemap_entry": {"loc": "x"}}, "UTC") is None
    assert entry_date({}, "UTC") is None


def test_helpers():
    assert utc_iso("not a date") is None
    assert later(None, "b") == "b" and later("a", None) == "a" and later("2023-08-22", "2023-08-21") == "2023-08-22"


def test_folded_listings_count_too():
    meta = {"feed_entry": {"published": "Tue, 22 Aug 2023 14:05:00 +0300"},
            "listings": [{"sitemap_entry": {"loc": "x", "lastmod": "2023-08-30T09:00:00+03:00"}}, {"sitemap_entry": {}}]}
    assert listing_dates(meta, "UTC") == ["2023-08-22T11:05:00+00:00", "2023-08-30T06:00:00+00:00"]


def test_only_discovered_article_requests_are_filtered():
    from scrapy import Request

    from crawler.middlewares.incremental import is_discovered_article

    assert is_discovered_article(Request("https://x/a", meta={"article": True, "listings": []}))
    assert not is_discovered_article(Request("https://x/a", meta={"article": True}))  # e.g. its API record
    assert not is_discovered_article(Request("https://x/sitemap.xml", meta={"discovery": "sitemap"}))
