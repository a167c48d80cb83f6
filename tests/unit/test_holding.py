"""Holding items for a batch decision: released by size, by an idle or closing engine, by age; never lost."""

from __future__ import annotations

import asyncio
import logging

from crawler.boilerplate.holding import BUSY, IDLE, NOW, BatchHold


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.batches: list[list[int]] = []
        self.fail = fail

    async def __call__(self, batch: list[int]) -> None:
        await asyncio.sleep(0)
        self.batches.append(batch)
        if self.fail:
            raise RuntimeError("the store went away")


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, timeout=10))


def test_a_full_batch_is_decided_at_once_and_the_rest_waits_for_an_idle_engine():
    decided = Recorder()
    state = {"engine": BUSY}

    async def scenario():
        hold = BatchHold(decided, size=3, max_wait=60, engine_state=lambda: state["engine"], poll=0.01)
        first = [asyncio.ensure_future(hold.hold(n)) for n in range(4)]
        await asyncio.sleep(0.05)
        assert decided.batches == [[0, 1, 2]] and [f.done() for f in first] == [True, True, True, False]
        await asyncio.sleep(0.05)
        assert decided.batches == [[0, 1, 2]]  # the engine is busy: item 3 waits for more
        state["engine"] = IDLE  # discovery done: nothing downloading, nothing scheduled
        await asyncio.gather(*first)
        return hold

    hold = run(scenario())
    assert decided.batches == [[0, 1, 2], [3]] and hold.batches == 2 and hold.largest == 3


def test_one_idle_look_is_not_enough_but_closing_is():
    decided = Recorder()
    looks = iter([IDLE, BUSY, IDLE, BUSY, NOW])

    async def scenario():
        hold = BatchHold(decided, size=10, max_wait=60, engine_state=lambda: next(looks), poll=0.01)
        await hold.hold("x")

    run(scenario())
    assert decided.batches == [["x"]]


def test_an_item_never_waits_longer_than_max_wait():
    decided = Recorder()

    async def scenario():
        hold = BatchHold(decided, size=10, max_wait=0.05, engine_state=lambda: BUSY, poll=0.01)
        await asyncio.gather(hold.hold(1), hold.hold(2))

    run(scenario())
    assert decided.batches == [[1, 2]]


def test_a_batch_that_cannot_be_decided_is_released_anyway(caplog):
    decided = Recorder(fail=True)

    async def scenario():
        hold = BatchHold(decided, size=2, max_wait=60, engine_state=lambda: BUSY, poll=0.01)
        await asyncio.gather(hold.hold(1), hold.hold(2))

    with caplog.at_level(logging.ERROR):
        run(scenario())
    assert decided.batches == [[1, 2]] and "could not be decided" in caplog.text


def test_batches_are_decided_one_at_a_time_in_order():
    order: list[str] = []

    async def slow(batch: list[int]) -> None:
        order.append(f"start {batch}")
        await asyncio.sleep(0.02)
        order.append(f"end {batch}")

    async def scenario():
        hold = BatchHold(slow, size=1, max_wait=60, engine_state=lambda: BUSY, poll=0.01)
        await asyncio.gather(hold.hold(1), hold.hold(2))

    run(scenario())
    assert order == ["start [1]", "end [1]", "start [2]", "end [2]"]
