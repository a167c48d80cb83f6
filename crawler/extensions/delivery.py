"""Knowing when an article has really been delivered: its feed was stored.

Scrapy's ``FeedExporter`` sends ``feed_slot_closed`` whether ``storage.store()`` succeeded or not
(on failure it only logs and bumps ``feedexport/failed_count/<Storage>``, a counter shared by every
slot that closes at the same time). So the outcome is observed at the source:

1. ``DeliveryAddon`` (an add-on, priority 1000 in ``ADDONS`` so that it runs after any add-on that
   configures storages) replaces every class in ``FEED_STORAGES``/``FEED_STORAGES_BASE`` by a
   subclass of it, with the same name (Scrapy's ``feedexport/*_count/<Storage>`` stats keep their
   keys), whose ``store()`` calls the original and then sets ``delivery_outcome``: True when it
   returned, False when it raised. Being a subclass, the storage keeps its identity, attributes and
   ``from_crawler``; code that builds storages from ``FEED_STORAGES`` gets the same behaviour.
2. ``DeliveryTracker`` (an extension) records, for every scraped item, its key ``(outlet, url)`` in
   each feed whose filter accepts it, in the order Scrapy exports them. When ``feed_slot_closed``
   arrives, the slot's items are ``[(batch_id - 1) * batch_item_count, ... + itemcount)`` of its
   feed's sequence (all of them without ``batch_item_count``), and ``slot.storage.delivery_outcome``
   says whether they were stored. Each batch file is therefore delivered on its own, as soon as it
   is stored, and a run killed halfway keeps the batches it stored.
3. An item counts as delivered when every feed that accepted it was stored. Signals sent (connect
   with ``crawler.signals.connect(handler, signal=delivery.<name>)``):

   ``feed_stored(slot, uri, keys)``          a slot (a file, a batch, an S3 object) was stored
   ``feed_store_failed(slot, uri, keys)``    its ``store()`` raised, or its storage is not tracked
   ``items_delivered(keys)``                 these items are now in every feed that accepts them

   ``keys`` are ``(outlet, url)`` tuples. Without any feed (no ``FEEDS``), an item is delivered when
   it is scraped. The crawl state commits articles on ``items_delivered``; a run manifest can list
   stored files from ``feed_stored``. A storage may retry or fall back inside ``store()``: returning
   means "stored", raising means "not stored" (those items are emitted again by the next run),
   unless the storage kept the file for a later upload (a spool) and says so by setting
   ``delivery_spooled = True`` (or, for ``crawler.exports.storages``, ``stored.spooled``) before
   raising: the spool owns those items from then on, so they count as delivered and are not emitted
   again (``feed_stored`` is sent with ``spooled=True``).

Stats: ``delivery/feeds_stored``, ``delivery/feeds_spooled``, ``delivery/feeds_failed``,
``delivery/items_delivered``.

Local files: Scrapy's ``FileFeedStorage`` writes straight to the final path, so a killed run would
leave a file holding articles that were never recorded as delivered. The project's local storage
(``crawler.exports.storages.LocalFeedStorage``, in ``FEED_STORAGES``) writes ``<file>.part`` and
renames it when the feed is stored (overwrite mode: the project's feeds and ``-O``), so a feed file
exists only once its items can be recorded as delivered. Append mode (``-o``) writes in place: a
run killed halfway leaves articles in the file that the next run emits again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter
from scrapy.settings import SETTINGS_PRIORITIES, Settings
from scrapy.utils.defer import ensure_awaitable
from scrapy.utils.misc import load_object

from crawler import outcome

logger = logging.getLogger(__name__)

feed_stored = object()
feed_store_failed = object()
items_delivered = object()

Key = tuple[str, str]


def item_key(item: Any) -> Key:
    adapter = ItemAdapter(item)
    return (str(adapter.get("outlet") or ""), str(adapter.get("url") or ""))


# ---------------------------------------------------------------------- storages
class DeliveryOutcome:
    """Mixin for a feed storage class: remembers whether ``store()`` succeeded (``delivery_outcome``)."""

    delivery_outcome: bool | None = None

    async def store(self, file: Any) -> None:
        try:
            await ensure_awaitable(super().store(file))  # type: ignore[misc]
        except BaseException:
            self.delivery_outcome = False
            raise
        self.delivery_outcome = True


_TRACKED: dict[type, type] = {}


def tracked(storage: str | type) -> type:
    """The tracking subclass of a storage class (or of its import path); the same class every time."""
    inner = load_object(storage) if isinstance(storage, str) else storage
    if issubclass(inner, DeliveryOutcome):
        return inner
    if inner not in _TRACKED:
        _TRACKED[inner] = type(inner.__name__, (DeliveryOutcome, inner), {
            "__module__": __name__,
            "__doc__": f"{inner.__module__}.{inner.__qualname__}, with its delivery outcome recorded.",
        })
    return _TRACKED[inner]


class DeliveryAddon:
    """Replaces every configured feed storage class by its :func:`tracked` subclass."""

    def update_settings(self, settings: Settings) -> None:
        merged = settings.getwithbase("FEED_STORAGES")
        own = settings["FEED_STORAGES"]
        for scheme, path in list(merged.items()):
            if path is None:
                continue
            priority = max(merged.getpriority(scheme) or 0, SETTINGS_PRIORITIES["addon"])
            own.set(scheme, tracked(path), priority=priority)


def is_spooled(storage: Any) -> bool:
    """Whether a storage whose ``store()`` failed kept the file for a later upload."""
    if getattr(storage, "delivery_spooled", False):
        return True
    return bool(getattr(getattr(storage, "stored", None), "spooled", None))


# ---------------------------------------------------------------------- tracker
class DeliveryTracker:
    """Maps items to the feed slots that hold them and says when they are stored (see module doc)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.exporter: FeedExporter | None = None
        self.sequences: dict[str, list[Key]] = defaultdict(list)  # feed uri template -> keys in export order
        self.pending: dict[Key, int] = {}  # key -> feeds still to store it
        self.failed: set[Key] = set()
        self.warned_untracked = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DeliveryTracker:
        tracker = cls(crawler)
        crawler.signals.connect(tracker.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(tracker.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(tracker.feed_slot_closed, signal=signals.feed_slot_closed)
        return tracker

    def spider_opened(self) -> None:
        exts = self.crawler.extensions.middlewares if self.crawler.extensions else ()
        self.exporter = next((e for e in exts if isinstance(e, FeedExporter)), None)
        if self.exporter is None:
            logger.info("delivery: no feed export configured; an item counts as delivered when scraped")

    def item_scraped(self, item: Any) -> None:
        key = item_key(item)
        if self.exporter is None:
            self._deliver([key])
            return
        accepted = [uri for uri, item_filter in self.exporter.filters.items() if item_filter.accepts(item)]
        for uri in accepted:
            self.sequences[uri].append(key)
        if accepted:
            self.pending[key] = self.pending.get(key, 0) + len(accepted)
        else:
            self._deliver([key])

    async def feed_slot_closed(self, slot: Any) -> None:
        keys = self.slot_keys(slot)
        stored = getattr(slot.storage, "delivery_outcome", None)
        if stored is None and not self.warned_untracked:
            self.warned_untracked = True
            logger.error("delivery: feed storage %s is not tracked (is DeliveryAddon enabled in ADDONS?); "
                         "its items are not recorded as delivered", type(slot.storage).__name__)
        spooled = stored is False and is_spooled(slot.storage)
        if stored or spooled:
            self.stats.inc_value("delivery/feeds_spooled" if spooled else "delivery/feeds_stored")
            await self.crawler.signals.send_catch_log_async(feed_stored, slot=slot, uri=slot.uri, keys=keys,
                                                            spooled=spooled)
            done = []
            for key in keys:
                left = self.pending.get(key, 0) - 1
                if left > 0:
                    self.pending[key] = left
                else:
                    self.pending.pop(key, None)
                    if key not in self.failed:
                        done.append(key)
            if done:
                self._deliver(done)
        else:
            self.stats.inc_value("delivery/feeds_failed")
            outcome.settle(self.stats)
            logger.error("delivery: %d item(s) in %s were not stored; they are not recorded as delivered",
                         len(keys), slot.uri)
            self.failed.update(keys)
            await self.crawler.signals.send_catch_log_async(feed_store_failed, slot=slot, uri=slot.uri, keys=keys)

    def slot_keys(self, slot: Any) -> list[Key]:
        """The keys of the items exported into ``slot``, from its feed's sequence and batch number."""
        sequence = self.sequences.get(slot.uri_template, [])
        batch_size = 0
        if self.exporter is not None:
            batch_size = self.exporter.feeds.get(slot.uri_template, {}).get("batch_item_count") or 0
        start = (slot.batch_id - 1) * batch_size if batch_size else 0
        return sequence[start:start + slot.itemcount]

    def _deliver(self, keys: list[Key]) -> None:
        self.stats.inc_value("delivery/items_delivered", len(keys))
        self.crawler.signals.send_catch_log(items_delivered, keys=keys)
