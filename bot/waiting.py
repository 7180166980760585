"""Waiting for an event or a timeout, whichever comes first, without losing a cancellation."""

from __future__ import annotations

import asyncio


async def wait_or_time_out(event: asyncio.Event, seconds: float) -> bool:
    """True if `event` was set within `seconds`, False if the time ran out.

    Not asyncio.wait_for: on Python 3.11 it swallows a cancellation that arrives just as the
    awaited event is set, and a loop around it then never stops (a stopping process hangs).
    """
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True
