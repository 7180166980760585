"""Long polling that outlasts a platform being unreachable for a while."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def poll_forever(poll_once: Callable[[], Awaitable[int]], on_recorded: Callable[[], None],
                       transient: tuple[type[Exception], ...], platform: str) -> None:
    """Poll again and again; on a transient error wait 2, 4, 8 ... up to 60 s, then go on."""
    failures = 0
    while True:
        try:
            if await poll_once():
                on_recorded()
            failures = 0
        except transient as error:
            failures += 1
            log.warning("%s polling failed (%s); retrying", platform, error)
            await asyncio.sleep(min(2 ** failures, 60))
