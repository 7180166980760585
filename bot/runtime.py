"""The loops of one running process: handle the inbox, drain each platform's outbox.

Receivers (polling or webhook) call `inbox_changed()` after recording; the processor then
wakes the senders. Both also look on their own every few seconds, for work recorded by
other processes sharing the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from bot.app import App
from bot.sender import OutboxSender

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0


class Runtime:
    def __init__(self, app: App, senders: list[OutboxSender]) -> None:
        self.app = app
        self.senders = senders
        self._inbox_ready = asyncio.Event()

    def inbox_changed(self) -> None:
        self._inbox_ready.set()

    async def process_forever(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._inbox_ready.wait(), timeout=POLL_SECONDS)
            except TimeoutError:
                pass
            self._inbox_ready.clear()
            if await asyncio.to_thread(self.app.processor.process_all):
                for sender in self.senders:
                    sender.wake.set()

    async def run(self, *receivers: Awaitable[None]) -> None:
        """Run until cancelled; a failing loop stops the process rather than limping on."""
        async with asyncio.TaskGroup() as group:
            group.create_task(self.process_forever())
            for sender in self.senders:
                group.create_task(sender.run())
            for receiver in receivers:
                group.create_task(receiver)
