"""The crawl-state stores: SQLite (a file) and PostgreSQL (a real server started on 127.0.0.1)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime

import pytest

from crawler.state import DELIVERED, DUPLICATE, ArticleState, RunRecord, StateError, StateLocked, Touch, open_store
from crawler.state.records import LearnedBlock
from crawler.state.store import redact
from tests.crawl import ROOT
from tests.pgserver import PostgresServer, find_bindir


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    if find_bindir() is None:
        pytest.skip("PostgreSQL is not installed here (./run test installs Debian's postgresql)")
    with PostgresServer() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/state.sqlite"
    else:
        server = request.getfixturevalue("postgres")
        url = server.url
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:  # a clean schema for each test
            conn.execute("DROP TABLE IF EXISTS articles, bands, runs, state_meta, learned_blocks, leases, alerts, discovery_cursors")
    opened = open_store(url)
    opened.connect()
    yield opened
    opened.close()


def article(url: str, **kw) -> ArticleState:
    values = dict(outlet="moscowtimes", url=url, first_seen="2026-11-01T10:00:00+00:00",
                  last_seen="2026-11-01T10:00:00+00:00", fingerprint="f" * 32, signature=b"\x01\x02\x03\x04")
    values.update(kw)
    return ArticleState(**values)


def test_save_and_find_by_url_native_id_fingerprint_and_bands(store):
    a = article("https://www.themoscowtimes.com/2023/08/22/a-a82219", native_id="a82219", etag='"x"',
                last_modified="Tue, 22 Aug 2023 10:00:00 GMT", entry_date="2023-08-22T07:00:00+00:00", story_id="s1")
    b = article("https://www.themoscowtimes.com/2023/08/23/b-a82230", native_id="a82230", fingerprint="e" * 32)
    store.save([(a, [11, 12, -13]), (b, [13, 14])])
    assert a.id and b.id and a.id != b.id
    found = store.find_articles("moscowtimes", ["https://www.themoscowtimes.com/2023/08/22/a-a82219"], [])
    assert [f.id for f in found] == [a.id] and found[0].etag == '"x"' and found[0].signature == b"\x01\x02\x03\x04"
    # a changed slug: found by native id
    assert [f.url for f in store.find_articles("moscowtimes", ["https://www.themoscowtimes.com/x-a82219"], ["a82219"])] \
        == [a.url]
    assert store.find_articles("meduza", [a.url], ["a82219"]) == []
    assert store.find_fingerprint("e" * 32).id == b.id
    assert {c.id for c in store.find_band_candidates([-13, 99])} == {a.id}
    assert [c.id for c in store.find_band_candidates([11, 12, 13, 14])][0] in (a.id, b.id)
    assert store.count_articles() == 2


def test_update_by_id_touches_and_duplicates(store):
    a = article("https://www.themoscowtimes.com/2023/08/22/a-a82219", entry_date="2023-08-22T07:00:00+00:00")
    store.save([(a, [1])])
    a.version, a.fingerprint = 2, "d" * 32
    store.save([(a, [2])], [])
    store.save([], [Touch(a.id, "2026-11-02T10:00:00+00:00", entry_date="2023-08-21T00:00:00+00:00", etag='"new"')])
    got = store.find_articles("moscowtimes", [a.url], [])[0]
    assert (got.version, got.fingerprint, got.etag, got.last_seen) == (2, "d" * 32, '"new"', "2026-11-02T10:00:00+00:00")
    assert got.entry_date == "2023-08-22T07:00:00+00:00"  # an older entry date does not move it back
    assert got.first_seen == "2026-11-01T10:00:00+00:00"
    store.save([], [Touch(a.id, "2026-11-03T10:00:00+00:00", entry_date="2023-08-25T00:00:00+00:00")])
    assert store.find_articles("moscowtimes", [a.url], [])[0].entry_date == "2023-08-25T00:00:00+00:00"
    alias = article("https://www.themoscowtimes.com/2023/08/22/copy-a1", status=DUPLICATE, duplicate_of=a.url,
                    fingerprint="d" * 32, signature=None)
    store.save([(alias, [])])
    assert store.find_fingerprint("d" * 32).id == a.id  # only delivered articles are originals
    assert store.find_articles("moscowtimes", [alias.url], [])[0].status == DUPLICATE
    # same outlet + URL inserted again (no id): updated in place
    store.save([(article(a.url, fingerprint="c" * 32, version=3), [])])
    assert store.count_articles() == 2 and store.find_articles("moscowtimes", [a.url], [])[0].version == 3
    assert store.find_articles("moscowtimes", [a.url], [])[0].status == DELIVERED


def test_runs_and_last_success(store):
    assert store.last_success("moscowtimes") is None
    first = RunRecord("moscowtimes", "2026-11-01T10:00:00+00:00", "2026-10-25", "2026-11-01")
    store.start_run(first)
    first.status, first.finished_at, first.stats = "finished", "2026-11-01T10:05:00+00:00", {"dedup/new": 3}
    store.finish_run(first)
    died = RunRecord("moscowtimes", "2026-11-02T10:00:00+00:00")
    store.start_run(died)  # killed: stays "running"
    partial = RunRecord("moscowtimes", "2026-11-03T10:00:00+00:00", status="running")
    store.start_run(partial)
    partial.status = "partial"
    store.finish_run(partial)
    assert store.last_success("moscowtimes") == datetime.fromisoformat("2026-11-01T10:00:00+00:00")
    assert store.last_success("meduza") is None
    assert [r.status for r in store.runs("moscowtimes")] == ["finished", "running", "partial"]
    assert store.runs("moscowtimes")[0].stats == {"dedup/new": 3}


def test_backfill_cursors_per_outlet_and_window_start(store):
    assert store.load_cursors("meduza", "2022-02-24") == {}
    store.save_cursors("meduza", "2022-02-24", {"wayback:meduza.io/": '{"resume": "a"}', "search:news": "3"},
                       "2026-12-01T10:00:00+00:00")
    store.save_cursors("meduza", "2022-02-24", {"wayback:meduza.io/": '{"resume": "b"}'}, "2026-12-01T11:00:00+00:00")
    store.save_cursors("meduza", "2023-01-01", {"search:news": "9"}, "2026-12-01T11:00:00+00:00")
    store.save_cursors("meduza", "2022-02-24", {}, "2026-12-01T12:00:00+00:00")  # nothing to write
    assert store.load_cursors("meduza", "2022-02-24") == {"wayback:meduza.io/": '{"resume": "b"}', "search:news": "3"}
    assert store.load_cursors("meduza", "2023-01-01") == {"search:news": "9"}
    assert store.load_cursors("thebell", "2022-02-24") == {}


def test_sqlite_is_in_wal_mode_and_keeps_data_across_connections(tmp_path):
    url = f"sqlite:///{tmp_path}/sub/state.sqlite"
    store = open_store(url)
    store.connect()
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.save([(article("https://www.themoscowtimes.com/a-a1"), [5])])
    store.close()
    again = open_store(url)
    again.connect()
    assert again.count_articles() == 1
    again.close()


def test_a_second_process_on_the_same_sqlite_file_gets_a_clear_error(tmp_path):
    url = f"sqlite:///{tmp_path}/state.sqlite"
    holder = open_store(url)
    holder.connect()
    try:
        code = ("from crawler.state import open_store, StateLocked\n"
                f"s = open_store({url!r})\n"
                "try:\n    s.connect()\nexcept StateLocked as e:\n    print('LOCKED', e)\n")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
        assert out.stdout.startswith("LOCKED"), out.stderr
        assert f"pid {os.getpid()}" in out.stdout and "PostgreSQL" in out.stdout
        with pytest.raises(StateLocked):
            open_store(url).connect()  # also from this process, through another handle
    finally:
        holder.close()
    after = open_store(url)
    after.connect()  # released on close
    after.close()


def test_bad_urls_are_refused_and_passwords_not_shown():
    with pytest.raises(StateError, match="expected sqlite"):
        open_store("mysql://x/y")
    with pytest.raises(StateError, match="sqlite:///"):
        open_store("sqlite://relative.db")
    assert redact("postgresql://crawler:s3cret@db:5432/state") == "postgresql://crawler:***@db:5432/state"
    assert "s3cret" not in open_store("postgresql://crawler:s3cret@127.0.0.1:1/state").url


def test_unreachable_postgres_is_a_state_error():
    from tests.pgserver import free_port

    store = open_store(f"postgresql://nobody:pw@127.0.0.1:{free_port()}/state")
    with pytest.raises(StateError, match="cannot use the crawl state") as info:
        store.connect()
    assert "pw@" not in str(info.value)


# ---------------------------------------------------------------------- learned boilerplate


def block(fp: str, added: int = 1, **kw) -> LearnedBlock:
    values = dict(outlet="holod", fingerprint=fp, text=f"text of {fp}", articles=added, added=added,
                  first_seen="2026-10-01T10:00:00+00:00", last_seen="2026-10-01T10:00:00+00:00",
                  first_day="2026-10-01", last_day="2026-10-01")
    values.update(kw)
    return LearnedBlock(**values)


def test_learned_blocks_add_counts_widen_days_and_keep_text_once_recurring(store):
    store.save_blocks([block("p1"), block("p2", added=2, edge=1, added_edge=1, kind="donation",
                                          decision="boilerplate"), block("l12", paragraphs=2, text="")])
    found = {b.fingerprint: b for b in store.find_blocks("holod", ["p1", "p2", "l12", "unknown"])}
    assert set(found) == {"p1", "p2", "l12"}
    assert found["p1"].articles == 1 and found["p1"].text == ""  # one article: no text kept
    assert found["p2"].text == "text of p2" and found["p2"].edge == 1
    assert (found["p2"].kind, found["p2"].decision, found["p2"].pinned) == ("donation", "boilerplate", False)
    # a later batch adds its counts (``articles`` is the total the batch saw), widens the days
    later = block("p1", added=1, articles=2, first_day="2026-09-30", last_day="2026-10-05", last_seen="2026-10-06T00:00:00+00:00")
    store.save_blocks([later])
    assert later.added == 0  # written
    p1 = store.find_blocks("holod", ["p1"])[0]
    assert (p1.articles, p1.first_day, p1.last_day, p1.text) == (2, "2026-09-30", "2026-10-05", "text of p1")
    assert p1.first_seen == "2026-10-01T10:00:00+00:00" and p1.last_seen == "2026-10-06T00:00:00+00:00"
    assert store.find_blocks("moscowtimes", ["p1"]) == []  # per outlet


def test_pinned_decision_survives_the_crawler_and_unpin_hands_it_back(store):
    store.save_blocks([block("p1", added=3, decision="boilerplate", kind="donation")])
    row = store.find_blocks("holod", ["p1"])[0]
    pinned = store.pin_block("holod", row.id, "content")
    assert pinned is not None and pinned.pinned and pinned.decision == "content"
    store.save_blocks([block("p1", added=1, decision="boilerplate", kind="membership")])  # the crawler disagrees
    row = store.find_blocks("holod", ["p1"])[0]
    assert (row.decision, row.pinned, row.articles, row.kind) == ("content", True, 4, "donation")
    assert store.pin_block("holod", row.id, None).decision == "undecided"
    assert store.pin_block("holod", 10 ** 9, "content") is None
    assert store.pin_block("moscowtimes", row.id, "content") is None  # another outlet's id


def test_list_and_forget_blocks(store):
    store.save_blocks([block("once", last_seen="2026-01-01T00:00:00+00:00"), block("twice", added=2),
                       block("often", added=9), block("link", added=9, paragraphs=2, text=""),
                       block("recent", last_seen="2026-10-01T00:00:00+00:00")])
    assert [b.fingerprint for b in store.list_blocks("holod")] == ["often", "twice"]
    assert [b.fingerprint for b in store.list_blocks("holod", 5)] == ["often"]
    once = store.find_blocks("holod", ["once"])[0]
    store.pin_block("holod", once.id, "boilerplate")
    assert [b.fingerprint for b in store.list_blocks("holod", 5)] == ["often", "once"]  # pinned ones are listed
    store.pin_block("holod", once.id, None)
    assert store.forget_blocks("holod", "2026-06-01T00:00:00+00:00") == 1  # seen once, long ago
    assert {b.fingerprint for b in store.find_blocks("holod", ["once", "recent", "twice"])} == {"recent", "twice"}
