"""The loops of one running process: handle the inbox, drain each platform's outbox.

Receivers (polling or webhook) call `inbox_changed()` after recording; the processor then
wakes the senders. Both also look on their own every few seconds, for work recorded by
other processes sharing the database. APScheduler wakes the reminder planner and sweep
every minute, and the retention job (personal data past `privacy.retention_days`) every
hour; the database, not the scheduler's memory, says which reminders are due.
Every second the pump looks for broadcasts to start and outbox batches to top up; the senders
pack a crowded group's cards into a digest at its slot (`scheduler/digests.py`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import App
from bot.health import Health
from bot.metrics import REMINDER_SWEEP, DatabaseGauges
from bot.sender import OutboxSender
from bot.waiting import wait_or_time_out
from scheduler.broadcasts import BroadcastPump
from scheduler.retention import anonymise_expired
from scheduler.sweep import ReminderScheduler

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0
REMINDER_SECONDS = 60
RETENTION_SECONDS = 3600
PUMP_SECONDS = 1.0


class Runtime:
    def __init__(self, app: App, senders: list[OutboxSender]) -> None:
        self.app = app
        self.senders = senders
        self._inbox_ready = asyncio.Event()
        self.reminders = ReminderScheduler(app.sessions, app.services, app.clock)
        self.broadcasts = BroadcastPump(app.sessions, app.services, app.clock)
        self.health = Health(app.engine)
        self.gauges = DatabaseGauges(app.sessions, app.clock)

    def inbox_changed(self) -> None:
        self._inbox_ready.set()

    async def process_forever(self) -> None:
        while True:
            await wait_or_time_out(self._inbox_ready, POLL_SECONDS)
            self._inbox_ready.clear()
            while await asyncio.to_thread(self.app.processor.process_batch):  # a burst: the senders
                for sender in self.senders:                                   # take each batch's replies
                    sender.notify()

    async def remind_forever(self) -> None:
        """Plan and sweep reminders every minute (at once on start: what was missed while down)."""
        jobs = AsyncIOScheduler(timezone=UTC)
        jobs.add_job(self.remind_once, "interval", seconds=REMINDER_SECONDS, next_run_time=datetime.now(UTC),
                     max_instances=1, coalesce=True)
        jobs.add_job(self.retain_once, "interval", seconds=RETENTION_SECONDS, next_run_time=datetime.now(UTC),
                     max_instances=1, coalesce=True)
        jobs.start()
        try:
            await asyncio.Event().wait()
        finally:
            jobs.shutdown(wait=False)

    async def remind_once(self) -> None:
        started = time.monotonic()
        result = await asyncio.to_thread(self.reminders.tick)
        REMINDER_SWEEP.observe(time.monotonic() - started)
        if result.sent:
            for sender in self.senders:
                sender.notify()

    async def pump_forever(self) -> None:
        """Start scheduled broadcasts and keep the outbox fed with their next batch."""
        while True:
            result = await asyncio.to_thread(self.broadcasts.tick)
            if result.started or result.enqueued or result.finished:
                for sender in self.senders:
                    sender.notify()
            await asyncio.sleep(PUMP_SECONDS)

    async def retain_once(self) -> None:
        await asyncio.to_thread(anonymise_expired, self.app.sessions, self.app.settings.privacy, self.app.clock)

    async def run(self, **receivers: Awaitable[None]) -> None:
        """Run until cancelled; a failing loop stops the process rather than limping on. Each loop
        is watched by `health` (/readyz), receivers under the name they are given."""
        watch = self.health.watch
        async with asyncio.TaskGroup() as group:
            group.create_task(watch("inbox processor", self.process_forever()))
            group.create_task(self.remind_forever())
            group.create_task(self.pump_forever())
            for sender in self.senders:
                group.create_task(watch(f"{sender.platform} sender", sender.run()))
            for name, receiver in receivers.items():
                group.create_task(watch(name, receiver))
