"""The delivery mechanism (crawler/extensions/delivery.py): storage outcomes and items per feed slot."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from scrapy.extensions.feedexport import FileFeedStorage, ItemFilter
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.extensions import delivery
from crawler.extensions.delivery import DeliveryAddon, DeliveryOutcome, DeliveryTracker, tracked


class Broken(FileFeedStorage):
    def store(self, file):  # type: ignore[override]
        raise OSError("disk full")


class Spooling(FileFeedStorage):
    async def store(self, file):  # type: ignore[override]
        self.delivery_spooled = True
        raise ConnectionError("upload failed, kept in the spool")


def test_tracked_storage_is_a_subclass_with_the_same_name(tmp_path):
    cls = tracked("scrapy.extensions.feedexport.FileFeedStorage")
    assert issubclass(cls, FileFeedStorage) and issubclass(cls, DeliveryOutcome)
    assert cls.__name__ == "FileFeedStorage" and tracked(cls) is cls and tracked(FileFeedStorage) is cls
    storage = cls(str(tmp_path / "out.jsonl"))
    handle = storage.open(None)
    handle.write(b"{}\n")
    assert storage.delivery_outcome is None
    asyncio.run(storage.store(handle))
    assert storage.delivery_outcome is True and (tmp_path / "out.jsonl").read_bytes() == b"{}\n"
    broken = tracked(Broken)(str(tmp_path / "b.jsonl"))
    with pytest.raises(OSError):
        asyncio.run(broken.store(broken.open(None)))
    assert broken.delivery_outcome is False


def test_the_addon_wraps_every_configured_storage():
    settings = Settings({"FEED_STORAGES": {"s3": "tests.unit.test_state_delivery.Broken", "gs": None}})
    DeliveryAddon().update_settings(settings)
    storages = settings.getwithbase("FEED_STORAGES")
    assert storages["s3"] is tracked(Broken)
    assert storages["file"] is tracked("scrapy.extensions.feedexport.FileFeedStorage")
    assert storages["gs"] is None  # disabled stays disabled


def item(n: int) -> dict:
    return {"outlet": "moscowtimes", "url": f"https://www.themoscowtimes.com/a{n}"}


def make_tracker(feeds: dict[str, dict]) -> tuple[DeliveryTracker, list[list]]:
    crawler = get_crawler()
    tracker = DeliveryTracker(crawler)
    tracker.exporter = SimpleNamespace(filters={uri: ItemFilter(opts) for uri, opts in feeds.items()},
                                       feeds=feeds)  # type: ignore[assignment]
    delivered: list[list] = []
    crawler.signals.connect(lambda keys: delivered.append(keys), signal=delivery.items_delivered, weak=False)
    return tracker, delivered


def slot(uri: str, batch_id: int, count: int, outcome: bool | None, spooled: bool = False) -> SimpleNamespace:
    storage = SimpleNamespace(delivery_outcome=outcome, delivery_spooled=spooled)
    return SimpleNamespace(uri_template=uri, uri=f"{uri}#{batch_id}", batch_id=batch_id, itemcount=count,
                           storage=storage)


def test_batches_are_delivered_one_by_one_and_failed_batches_are_not():
    tracker, delivered = make_tracker({"out-%(batch_id)d.jsonl": {"batch_item_count": 2}})
    for n in range(5):
        tracker.item_scraped(item(n))
    asyncio.run(tracker.feed_slot_closed(slot("out-%(batch_id)d.jsonl", 2, 2, True)))  # out of order
    asyncio.run(tracker.feed_slot_closed(slot("out-%(batch_id)d.jsonl", 1, 2, False)))
    asyncio.run(tracker.feed_slot_closed(slot("out-%(batch_id)d.jsonl", 3, 1, True)))
    assert [[url[-2:] for _, url in keys] for keys in delivered] == [["a2", "a3"], ["a4"]]
    assert tracker.stats.get_value("delivery/feeds_failed") == 1
    assert tracker.stats.get_value("delivery/items_delivered") == 3


def test_an_item_in_two_feeds_is_delivered_when_both_are_stored():
    feeds = {"a.jsonl": {"batch_item_count": 0}, "b.jsonl": {"batch_item_count": 0}}
    tracker, delivered = make_tracker(feeds)
    tracker.item_scraped(item(1))
    asyncio.run(tracker.feed_slot_closed(slot("a.jsonl", 1, 1, True)))
    assert delivered == []
    asyncio.run(tracker.feed_slot_closed(slot("b.jsonl", 1, 1, True)))
    assert delivered == [[("moscowtimes", "https://www.themoscowtimes.com/a1")]]


def test_one_failed_feed_of_two_means_not_delivered():
    feeds = {"a.jsonl": {"batch_item_count": 0}, "b.jsonl": {"batch_item_count": 0}}
    tracker, delivered = make_tracker(feeds)
    tracker.item_scraped(item(1))
    asyncio.run(tracker.feed_slot_closed(slot("a.jsonl", 1, 1, False)))
    asyncio.run(tracker.feed_slot_closed(slot("b.jsonl", 1, 1, True)))
    assert delivered == []


def test_spooled_and_untracked_storages():
    tracker, delivered = make_tracker({"s3.jsonl": {"batch_item_count": 0}})
    tracker.item_scraped(item(1))
    asyncio.run(tracker.feed_slot_closed(slot("s3.jsonl", 1, 1, False, spooled=True)))
    assert len(delivered) == 1 and tracker.stats.get_value("delivery/feeds_spooled") == 1
    tracker, delivered = make_tracker({"x.jsonl": {"batch_item_count": 0}})
    tracker.item_scraped(item(1))
    untracked = slot("x.jsonl", 1, 1, None)
    del untracked.storage.delivery_outcome
    asyncio.run(tracker.feed_slot_closed(untracked))
    assert delivered == []


def test_spooling_storage_counts_as_delivered(tmp_path):
    storage = tracked(Spooling)(str(tmp_path / "s.jsonl"))
    with pytest.raises(ConnectionError):
        asyncio.run(storage.store(storage.open(None)))
    assert storage.delivery_outcome is False and delivery.is_spooled(storage)


def test_without_feeds_items_are_delivered_when_scraped():
    tracker = DeliveryTracker(get_crawler())
    got: list = []
    tracker.crawler.signals.connect(lambda keys: got.append(keys), signal=delivery.items_delivered, weak=False)
    tracker.item_scraped(item(7))
    assert got == [[("moscowtimes", "https://www.themoscowtimes.com/a7")]]


def test_items_a_feed_filter_rejects_are_delivered_at_once():
    tracker, delivered = make_tracker({"a.jsonl": {"batch_item_count": 0, "item_classes": ["tests.unit.test_state_delivery.Broken"]}})
    tracker.item_scraped(item(1))
    assert delivered == [[("moscowtimes", "https://www.themoscowtimes.com/a1")]]
