"""The running process wakes the reminder sweep with APScheduler; the database says what is due."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from bot.console import COORDINATOR_CHAT
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
