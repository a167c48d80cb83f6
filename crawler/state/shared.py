"""One store and one worker thread per ``STATE_URL`` in a process, shared by the crawls it runs.

``scrapy crawlall`` runs every outlet as its own crawler in one process; with an SQLite state they
must share one connection (the file admits one process, and its lock is per open file). Each crawl
``acquire``s the state when its spider opens and ``release``s it when it closes; the store is
connected by the first and closed by the last. All calls go through one single-thread executor, so
they are serialised in the order they were made, whichever crawl made them.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from crawler.state.store import StateStore, open_store

logger = logging.getLogger(__name__)
T = TypeVar("T")


class SharedStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self.store: StateStore = open_store(url)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crawl-state")
        self.users = 0
        self.connected: asyncio.Future[None] | None = None

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        return self.executor.submit(fn, *args)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.wrap_future(self.executor.submit(fn, *args))


_OPEN: dict[str, SharedStore] = {}


async def acquire(url: str) -> SharedStore:
    """The connected store for ``url`` (connecting it if this is its first user). Raises StateError."""
    shared = _OPEN.get(url)
    if shared is None:
        shared = _OPEN[url] = SharedStore(url)
    shared.users += 1
    if shared.connected is None:
        shared.connected = asyncio.wrap_future(shared.submit(shared.store.connect))
    try:
        await asyncio.shield(shared.connected)
    except BaseException:
        shared.users -= 1
        if _OPEN.get(url) is shared and shared.users == 0:
            del _OPEN[url]
            shared.executor.shutdown(wait=False)
        raise
    return shared


async def release(shared: SharedStore) -> None:
    """One user fewer; the last closes the store and stops its thread."""
    shared.users -= 1
    if shared.users > 0:
        return
    if _OPEN.get(shared.url) is shared:
        del _OPEN[shared.url]
    try:
        await shared.call(shared.store.close)
    finally:
        shared.executor.shutdown(wait=False)
