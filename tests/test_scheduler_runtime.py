"""The running process wakes the reminder sweep with APScheduler; the database says what is due."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

import pytest

from bot.channels.console import COORDINATOR_CHAT
from bot.runtime import Runtime
from tests.harness import Harness


def test_apscheduler_sweeps_at_once_on_start(harness: Harness) -> None:
    an = harness.registered_youth()
    harness.ask(an, "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?")
    harness.clock.advance(datetime(2023, 3, 7, 9, tzinfo=harness.settings.timezone) - harness.clock.now())
    runtime = Runtime(harness.app, [harness.sender])

    async def first_run() -> None:
        harness.sender.wake.clear()
        task = asyncio.create_task(runtime.remind_forever())
        await asyncio.wait_for(harness.sender.wake.wait(), timeout=30)  # set once the sweep sent something
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(first_run())
    harness.flush()
    assert len([m for m in harness.messages_to(COORDINATOR_CHAT) if "quá hạn trả lời" in m.text]) == 1


async def stops_when_cancelled_as_it_wakes(loop: Coroutine[Any, Any, None], event: asyncio.Event,
                                           wake: Callable[[], None]) -> bool:
    """Cancel a forever-loop in the very turn its event is set: it must stop. (asyncio.wait_for
    on Python 3.11 swallowed such a cancellation, and the process never stopped.)"""
    task = asyncio.create_task(loop)
    while not event._waiters:  # type: ignore[attr-defined]  # until the loop waits for its event
        await asyncio.sleep(0)
    wake()
    await asyncio.sleep(0)  # the event's waiter is done, the loop not yet resumed
    task.cancel()
    done, _ = await asyncio.wait([task], timeout=5)  # a bound for the failure, not a pause
    task.cancel()  # a loop that swallowed the first cancellation gets a second, so the test ends
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return bool(done)


def test_the_inbox_loop_stops_when_cancelled_as_an_update_arrives(harness: Harness) -> None:
    runtime = Runtime(harness.app, [harness.sender])
    assert asyncio.run(stops_when_cancelled_as_it_wakes(runtime.process_forever(), runtime._inbox_ready,
                                                        runtime.inbox_changed))


def test_the_sender_stops_when_cancelled_as_new_rows_are_announced(harness: Harness) -> None:
    assert asyncio.run(stops_when_cancelled_as_it_wakes(harness.sender.run(), harness.sender.wake,
                                                        harness.sender.notify))
