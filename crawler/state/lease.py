"""One crawl per outlet, fleet-wide: a lease on the outlet in the crawl state.

A crawl holds a row of the ``leases`` table for its outlet (holder, host, pid, Scrapyd job, times by
the database's clock). It takes the lease before anything else happens and renews it every third of
``STATE_LEASE_SECONDS`` (default 300) from a thread of its own, so a busy or blocked reactor does not
let it lapse; it releases it when the run has been recorded. A second crawl of the same outlet, on
this machine or another sharing the state, finds the lease held and stops at once (``scrapy crawl``
exits with code 6, stat ``run/outcome = lease_busy``), before it opens any feed, spool, manifest or
run row. A crawl killed with SIGKILL cannot release its lease: it expires ``STATE_LEASE_SECONDS``
after its last renewal, then the next run takes it over (logged). With SQLite the file lock already
proves that no other process is using the state, so a lease left by another process is taken over at
once; the table is the same, so ``scrapy status`` shows who crawls what either way.

Why a lease row and not PostgreSQL's session advisory locks: an advisory lock lives as long as the
database session, so it is released when the server notices the connection is gone (at once for a
killed process, after TCP keepalive for a vanished machine) and silently lost behind a pooler in
transaction mode, without the crawl knowing; a row with an expiry says who holds the outlet and until
when (status page, log line), works the same in SQLite, and a holder that cannot renew it knows it
and stops.

A crawler process is one holder (:func:`identity`): ``scrapy crawl`` takes the lease before it starts
the crawl (:func:`take`), the crawl state takes it again when it opens (the same holder: it succeeds
and renews) and keeps it (:class:`LeaseKeeper`). If the keeper cannot renew (the lease was taken
over, or the database was unreachable until the lease ran out), it closes the spider with reason
``lease_lost`` (stat ``state/lease_lost``).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from crawler.state.records import Lease
from crawler.state.shared import SharedStore
from crawler.state.store import LeaseBusy, StateError, StateLocked, open_store, redact

logger = logging.getLogger(__name__)

DEFAULT_SECONDS = 300.0
_IDENTITY: tuple[int, Holder] | None = None
_JOB: str | None = None


@dataclass(frozen=True)
class Holder:
    holder: str
    host: str
    pid: int
    job: str | None


def identity() -> Holder:
    """This process as a lease holder: ``<host>/<pid>/<random>``, with Scrapyd's job id if any."""
    global _IDENTITY
    pid = os.getpid()
    if _IDENTITY is None or _IDENTITY[0] != pid:
        host = socket.gethostname()
        _IDENTITY = (pid, Holder(f"{host}/{pid}/{secrets.token_hex(4)}", host, pid, None))
    held = _IDENTITY[1]
    return held if held.job == _JOB else Holder(held.holder, held.host, held.pid, _JOB)


def set_job(job: str | None) -> None:
    """The Scrapyd job this process runs (its ``_job`` spider argument), shown with its leases."""
    global _JOB
    _JOB = job or None


def busy_message(outlet: str, lease: Lease) -> str:
    return (f"{outlet}: another crawl holds the lease on this outlet ({lease.describe()}); "
            "this crawl stops without touching anything")


def _acquire(store: object, outlet: str, seconds: float) -> Lease:
    me = identity()
    acquired, lease, taken_over = store.acquire_lease(outlet, me.holder, me.host, me.pid, me.job, seconds)  # type: ignore[attr-defined]
    if not acquired:
        raise LeaseBusy(busy_message(outlet, lease), lease)
    if taken_over is not None:
        why = "expired" if taken_over.expires_in <= 0 else "left by a process that has ended"
        logger.warning("%s: took over the lease of an earlier crawl (%s, %s)", outlet, taken_over.describe(), why)
    return lease


def take(url: str, outlet: str, seconds: float) -> Lease | None:
    """Take the lease on ``outlet`` in the state at ``url`` before a crawl starts (blocking: call it
    before the reactor runs). Raises :class:`LeaseBusy`; returns None when the state cannot be opened
    now (the crawl then reports that itself), else the lease."""
    store = open_store(url)
    try:
        store.connect()
    except StateLocked:
        _raise_if_leased(url, outlet)
        return None
    except StateError:
        return None
    try:
        return _acquire(store, outlet, seconds)
    finally:
        store.close()


def _raise_if_leased(url: str, outlet: str) -> None:
    """An SQLite file locked by another process: a crawl of this outlet if its lease is running."""
    peek = open_store(url, readonly=True)
    try:
        peek.connect()
        lease = next((lease for lease in peek.leases() if lease.outlet == outlet), None)
    except StateError:
        return
    finally:
        peek.close()
    if lease is not None and lease.expires_in > 0 and lease.holder != identity().holder:
        raise LeaseBusy(busy_message(outlet, lease), lease)


def release(url: str, outlet: str) -> None:
    """Release this process's lease on ``outlet`` if it still holds it (after a crawl that did not)."""
    store = open_store(url)
    try:
        store.connect()
        if store.release_lease(outlet, identity().holder):
            logger.info("%s: lease released", outlet)
    except StateError as exc:
        logger.debug("%s: lease not released (%s): it expires by itself", outlet, exc)
    finally:
        store.close()


class LeaseKeeper:
    """Holds the lease of one crawl: acquire, renew from a thread of its own, release.

    Renewals go through the store's worker thread (the store is not thread-safe) and are waited for
    here, not on the reactor. ``on_lost(reason)`` is called from the renewing thread, once."""

    def __init__(self, shared: SharedStore, outlet: str, seconds: float, on_lost: Callable[[str], None]) -> None:
        if seconds <= 0:
            raise ValueError(f"STATE_LEASE_SECONDS={seconds}: expected a positive number of seconds")
        self.shared = shared
        self.outlet = outlet
        self.seconds = seconds
        self.interval = seconds / 3
        self.on_lost = on_lost
        self.held = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    async def acquire(self) -> Lease:
        lease = await self.shared.call(_acquire, self.shared.store, self.outlet, self.seconds)
        self.held = True
        self._thread = threading.Thread(target=self._renew_loop, name=f"lease-{self.outlet}", daemon=True)
        self._thread.start()
        logger.info("%s: lease taken in %s for %.0f s, renewed every %.0f s", self.outlet,
                    redact(self.shared.store.url), self.seconds, self.interval)
        return lease

    def _renew_loop(self) -> None:
        holder = identity().holder
        last_renewed = time.monotonic()
        while not self._stop.wait(self.interval):
            try:
                renewed = self.shared.submit(self.shared.store.renew_lease, self.outlet, holder,
                                             self.seconds).result(timeout=self.interval)
            except Exception as exc:  # noqa: BLE001 - the database may be unreachable for a while
                if time.monotonic() - last_renewed < self.seconds:
                    logger.warning("%s: could not renew the lease (%r); retrying", self.outlet, exc)
                    continue
                self._lost(f"it could not be renewed for {self.seconds:.0f} s ({exc!r})")
                return
            if not renewed:
                self._lost("another crawl took it over")
                return
            last_renewed = time.monotonic()

    def _lost(self, reason: str) -> None:
        self.held = False
        if not self._stop.is_set():
            self.on_lost(reason)

    async def release(self) -> None:
        self._stop.set()
        if not self.held:
            return
        self.held = False
        try:
            await self.shared.call(self.shared.store.release_lease, self.outlet, identity().holder)
        except Exception as exc:  # noqa: BLE001 - it expires by itself
            logger.warning("%s: could not release the lease (%r); it expires in %.0f s", self.outlet, exc,
                           self.seconds)
