"""Drains the outbox through one platform's transport, in order per chat, within its limits.

A row is claimed (committed as `sending`) before the request and marked `sent`, with the
platform's message ids, right after it. A crash between the two leaves it `sending`, and
it is sent again after restart: the only repeats possible are the requests in flight at
the crash, at most one per chat, since each chat has one message in flight at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.ratelimit import SendLimiter
from bot.transport import PermanentFailure, RetryAfter, SendError, Transport
from core.clock import Clock
from core.messages import Outgoing
from storage import outbox
from storage.db import transaction
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

FailureReport = Callable[[Session, OutboxMessage, datetime], None]
IDLE_POLL = timedelta(seconds=5)
SHARED_DATABASE_LEASE = timedelta(seconds=60)
HEADS_REFRESH = timedelta(seconds=0.5)


class OutboxSender:
    def __init__(self, sessions: sessionmaker[Session], transport: Transport, clock: Clock,
                 lease: timedelta | None = None, on_failure: FailureReport | None = None) -> None:
        """`on_failure` reports a message refused for good (to the coordinator), in the same transaction.

        `lease`: how long a claimed row is left to its sender before another may take it over.

        SQLite has one sender, so a row found `sending` was left by a crash and is retried at
        once; on a shared database another process may still be sending it.
        """
        self._sessions = sessions
        self._transport = transport
        self._clock = clock
        self._limiter = SendLimiter(transport.limits)
        self._on_failure = on_failure
        shared = sessions.kw["bind"].dialect.name != "sqlite"
        self._lease = lease if lease is not None else (SHARED_DATABASE_LEASE if shared else timedelta(0))
        self.wake = asyncio.Event()
        self._in_flight: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._heads: list[OutboxMessage] = []
        self._queued_at: datetime | None = None
        self._heads_read_at: datetime | None = None

    @property
    def in_flight(self) -> int:
        """Requests started and not yet recorded: what a crash now could repeat."""
        return len(self._in_flight)

    def notify(self) -> None:
        """New rows were enqueued: read the queue again now rather than at the next refresh."""
        self._heads_read_at = None
        self.wake.set()

    async def send_due(self) -> datetime | None:
        """Start sending what is due and allowed now; return when something may next be sendable.

        Sends run concurrently (a slow request must not lower the rate) while each chat has at
        most one message in flight, which keeps its order. Database work runs in a thread, so
        that answers arriving meanwhile are counted when they arrive. A request that ends wakes
        the sender: its chat's next message may be due then.
        """
        await self._refresh_heads()
        later = [self._queued_at] if self._queued_at else []
        for row in list(self._heads):
            now = self._clock.now()
            wait = self._limiter.wait(row.chat_id, now)
            if wait > 0:
                later.append(now + timedelta(seconds=wait))
                continue
            self._heads.remove(row)
            if await asyncio.to_thread(self._claim, row):
                self._start(row)
        return min(later, default=None)

    async def _refresh_heads(self) -> None:
        """Read the chats' next rows at most every HEADS_REFRESH (or when told of new rows): at
        30 sends a second, reading them for every send would cost more than the sends."""
        now = self._clock.now()
        if self._heads and self._heads_read_at is not None and now - self._heads_read_at < HEADS_REFRESH:
            return
        heads, self._queued_at = await asyncio.to_thread(self._read_heads, now)
        self._heads = [row for row in heads if row.id not in self._in_flight]
        self._heads_read_at = now

    async def drain(self) -> None:
        """Send until nothing is left that is due now, waiting for every request (tests, console)."""
        while True:
            self._heads_read_at = None
            next_at = await self.send_due()
            sent_some = bool(self._tasks)
            await self.wait_in_flight()
            if not sent_some and (next_at is None or next_at > self._clock.now()):
                return

    async def wait_in_flight(self) -> None:
        while self._tasks:
            await asyncio.gather(*self._tasks)

    async def run(self) -> None:
        """Forever: send what is due, then sleep until more is due or new rows are enqueued."""
        while True:
            next_at = await self.send_due()
            timeout = (next_at - self._clock.now()).total_seconds() if next_at else IDLE_POLL.total_seconds()
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=max(timeout, 0.001))
            except TimeoutError:
                pass

    def _read_heads(self, now: datetime) -> tuple[list[OutboxMessage], datetime | None]:
        platform = self._transport.platform
        with transaction(self._sessions) as session:
            return outbox.due_heads(session, platform, now), outbox.next_due_at(session, platform, after=now)

    def _claim(self, row: OutboxMessage) -> bool:
        """Claim a row for this sender; False when another sender holds it."""
        with transaction(self._sessions) as session:
            return outbox.claim(session, row.id, self._clock.now(), self._lease)

    def _start(self, row: OutboxMessage) -> None:
        self._limiter.started(self._clock.now())
        self._in_flight.add(row.id)
        task = asyncio.create_task(self._deliver(row))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, row: OutboxMessage) -> None:
        try:
            try:
                message_ids = await self._transport.send(Outgoing.from_json(row.payload))
            finally:
                self._limiter.answered(row.chat_id, self._transport.is_group(row.chat_id), self._clock.now())
        except SendError as error:
            await asyncio.to_thread(self._record_failure, row.id, error)
        else:
            await asyncio.to_thread(self._mark_sent, row.id, message_ids)
        finally:
            self._in_flight.discard(row.id)
            self.wake.set()

    def _mark_sent(self, row_id: int, message_ids: list[str]) -> None:
        with transaction(self._sessions) as session:
            outbox.mark_sent(session, session.get_one(OutboxMessage, row_id), message_ids, self._clock.now())

    def _record_failure(self, row_id: int, error: SendError) -> None:
        now = self._clock.now()
        with transaction(self._sessions) as session:
            row = session.get_one(OutboxMessage, row_id)
            if isinstance(error, PermanentFailure):
                log.warning("outbox %s failed for good: %s", row_id, error)
                outbox.mark_failed(row, str(error), error.reason)
                if self._on_failure is not None:
                    self._on_failure(session, row, now)
            elif isinstance(error, RetryAfter):
                outbox.retry_later(row, str(error), now + timedelta(seconds=error.seconds))
            else:
                outbox.retry_later(row, str(error), now + outbox.backoff(row.attempts))
