"""Leases on outlets in the crawl state (crawler/state/lease.py, the lease and alert operations of
crawler/state/sql.py), on SQLite and on a real PostgreSQL started on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import pytest

from crawler.state import LeaseBusy, open_store
from crawler.state.lease import LeaseKeeper, identity, release, take
from crawler.state.records import Alert
from crawler.state.shared import SharedStore
from tests.crawl import ROOT
from tests.unit.test_state_store import postgres, store  # noqa: F401 - the shared fixtures

OTHER = ("otherhost/4242/abcd", "otherhost", 4242, "job-7")


def test_a_lease_is_exclusive_until_released(store):
    if store.process_exclusive:
        pytest.skip("SQLite: one process per file (its lock); a lease of another process is stale (test below)")
    ok, lease, taken = store.acquire_lease("moscowtimes", "a/1/x", "a", 1, "job-1", 60)
    assert ok and taken is None and lease.holder == "a/1/x" and lease.job == "job-1"
    assert 59 <= lease.expires_in <= 60
    busy, current, _ = store.acquire_lease("moscowtimes", *OTHER, 60)
    assert not busy and current.holder == "a/1/x" and current.pid == 1
    assert store.acquire_lease("meduza", *OTHER, 60)[0]  # another outlet is free
    again, renewed, _ = store.acquire_lease("moscowtimes", "a/1/x", "a", 1, "job-1", 60)
    assert again and renewed.acquired_at == lease.acquired_at  # the same holder: re-entrant, renewed
    assert store.renew_lease("moscowtimes", "a/1/x", 120) and not store.renew_lease("moscowtimes", *OTHER[:1], 120)
    assert sorted(l.outlet for l in store.leases()) == ["meduza", "moscowtimes"]
    assert not store.release_lease("moscowtimes", OTHER[0]) and store.release_lease("moscowtimes", "a/1/x")
    assert store.acquire_lease("moscowtimes", *OTHER, 60)[0]


def test_an_expired_lease_is_taken_over_and_its_holder_cannot_renew_it(store):
    assert store.acquire_lease("moscowtimes", "dead/9/x", "dead", 9, None, 0.3)[0]
    if not store.process_exclusive:  # PostgreSQL: held until it expires
        assert not store.acquire_lease("moscowtimes", *OTHER, 60)[0]
    time.sleep(0.4)
    ok, lease, taken = store.acquire_lease("moscowtimes", *OTHER, 60)
    assert ok and lease.holder == OTHER[0] and taken.holder == "dead/9/x" and taken.expires_in <= 0
    assert not store.renew_lease("moscowtimes", "dead/9/x", 60)


def test_sqlite_takes_over_at_once_a_lease_left_by_a_process_that_has_ended(tmp_path):
    """Holding the SQLite file lock proves that the process that left the lease has ended."""
    url = f"sqlite:///{tmp_path}/state.sqlite"
    code = ("from crawler.state.lease import take\n"
            f"take({url!r}, 'moscowtimes', 600)\n")  # takes the lease for 10 minutes, then exits
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    lease = take(url, "moscowtimes", 60)
    assert lease is not None and lease.pid == os.getpid()
    release(url, "moscowtimes")
    peek = open_store(url, readonly=True)
    peek.connect()
    assert peek.leases() == []
    peek.close()


def test_a_running_crawl_on_a_locked_sqlite_state_is_busy_for_its_outlet_only(tmp_path):
    url = f"sqlite:///{tmp_path}/state.sqlite"
    code = ("import sys, time\nfrom crawler.state import open_store\nfrom crawler.state.lease import identity\n"
            f"s = open_store({url!r}); s.connect()\nme = identity()\n"
            "s.acquire_lease('moscowtimes', me.holder, me.host, me.pid, 'job-1', 600)\n"
            "print('held', flush=True); sys.stdin.read()\n")
    holder = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LeaseBusy, match=r"moscowtimes: another crawl holds the lease on this outlet \(host .*, "
                                            rf"pid {holder.pid}, job job-1, lease renewed \d+ s ago, expires in \d+ s\)"):
            take(url, "moscowtimes", 60)
        assert take(url, "meduza", 60) is None  # not leased: the crawl will report the locked file (exit 1)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_the_keeper_renews_from_its_thread_and_stops_the_crawl_when_the_lease_is_lost(tmp_path):
    async def scenario() -> tuple[list[str], float, float]:
        shared = SharedStore(f"sqlite:///{tmp_path}/state.sqlite")
        await shared.call(shared.store.connect)
        lost: list[str] = []
        keeper = LeaseKeeper(shared, "moscowtimes", 0.6, lost.append)
        first = await keeper.acquire()
        await asyncio.sleep(0.5)
        renewed = await shared.call(shared.store._lease, "moscowtimes")
        # another holder takes it over (as after an expiry): the next renewal finds out
        await shared.call(shared.store._execute, "UPDATE leases SET holder = 'thief/1/x'")
        await asyncio.sleep(0.5)
        await keeper.release()
        leases = await shared.call(shared.store.leases)
        await shared.call(shared.store.close)
        shared.executor.shutdown()
        assert [l.holder for l in leases] == ["thief/1/x"]  # release leaves another holder's lease alone
        return lost, first.expires_at, renewed.expires_at

    lost, first_expiry, renewed_expiry = asyncio.run(scenario())
    assert renewed_expiry > first_expiry
    assert lost == ["another crawl took it over"]


def test_one_holder_per_process():
    assert identity() is identity() and identity().holder.startswith(f"{identity().host}/{os.getpid()}/")


def test_alerts_are_remembered_per_outlet_problem_and_channel_until_resolved(store):
    sent = [Alert("moscowtimes", "layout_drift", "webhook", "drift", "2026-11-01T10:00:00+00:00", "2026-11-01T10:00:01+00:00"),
            Alert("moscowtimes", "layout_drift", "email", "drift", "2026-11-01T10:00:00+00:00", "2026-11-01T10:00:02+00:00"),
            Alert("meduza", "run_failed", "email", "failed", "2026-11-01T10:00:00+00:00", "2026-11-01T10:00:02+00:00")]
    store.record_alerts(sent)
    store.record_alerts(sent[:1])  # the same again: still one row
    assert [(a.problem, a.channel) for a in store.open_alerts("moscowtimes")] == [("layout_drift", "email"),
                                                                               ("layout_drift", "webhook")]
    store.record_alerts([], resolved=[("moscowtimes", "layout_drift")])
    assert store.open_alerts("moscowtimes") == [] and [a.outlet for a in store.open_alerts()] == ["meduza"]
