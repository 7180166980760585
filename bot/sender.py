"""Drains the outbox through one platform's transport, in order per chat, within its limits.

A row is claimed (committed as `sending`) before the request and marked `sent`, with the
platform's message ids, after it. A crash between the two leaves it `sending`, and it is
sent again after restart: the only repeats possible are the requests in flight at the
crash (started and not yet recorded), at most one per chat, since each chat has one
message in flight at a time.

At hundreds of sends a second, one transaction per claim and per record would cost more
than the sends, so both are batched: the rows that may go in the next fraction of a second
are claimed together, and answers that arrive while one batch is being recorded are
recorded together in the next.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import socket
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.metrics import SENDS
from bot.ratelimit import SendLimiter
from bot.transport import PermanentFailure, RetryAfter, SendError, Transport
from bot.waiting import wait_or_time_out
from core.clock import Clock
from core.messages import Outgoing
from storage import notices, outbox, senders
from storage.db import transaction
from storage.models import OutboxMessage, OutboxStatus
from storage.questions import code_of

log = logging.getLogger(__name__)

FailureReport = Callable[[Session, OutboxMessage, datetime], None]
Gather = Callable[[Session, str, datetime], None]
Repeat = Callable[[Outgoing], Outgoing]
IDLE_POLL = timedelta(seconds=5)
SHARED_DATABASE_LEASE = timedelta(seconds=60)
HEADS_REFRESH = timedelta(seconds=0.5)
HEARTBEAT = timedelta(seconds=1)
JOINING_WAIT = 2 * HEARTBEAT
# Another sender counts as gone only after this long without a heartbeat: a process starved of CPU for a few
# seconds (a loaded machine) still holds its share, or the others would take the whole rate and, when it
# resumes, send more than the platform allows. A sender that stops cleanly gives its share back at once.
GONE_AFTER = 10 * HEARTBEAT
CLAIM_AHEAD_SECONDS = 1.0  # claim what the rate allows in the next second, half of it ahead of time
MAX_CLAIM = 200


@dataclass(frozen=True)
class Outcome:
    """How one request ended: the platform's message ids, or the error."""

    row_id: int
    message_ids: list[str]
    error: SendError | None = None


class OutboxSender:
    def __init__(self, sessions: sessionmaker[Session], transport: Transport, clock: Clock,
                 lease: timedelta | None = None, on_failure: FailureReport | None = None,
                 gather: Gather | None = None, repeat: Repeat | None = None) -> None:
        """`on_failure` reports a message refused for good (to the coordinator), in the same transaction.

        `gather` writes, before the queue is read, what waits for a chat of this platform to be idle
        (the departments' delivery notices), so that it never goes before their cards.

        `repeat` marks a group message taken over from a sender that died with it in flight: it may
        have arrived, and officers should know before answering it again.

        `lease`: how long a claimed row is left to its sender before another may take it over.

        SQLite has one sender, so a row found `sending` was left by a crash and is retried at
        once; on a shared database another process may still be sending it.
        """
        self._sessions = sessions
        self._transport = transport
        self._clock = clock
        self._limiter = SendLimiter(transport.limits)
        self._on_failure = on_failure
        self._gather = gather
        self._repeat = repeat
        self._shared = sessions.kw["bind"].dialect.name != "sqlite"
        self._lease = lease if lease is not None else (SHARED_DATABASE_LEASE if self._shared else timedelta(0))
        # The rate is shared between processes: senders of one process count once.
        self._worker = f"{socket.gethostname()}-{os.getpid()}"
        self._beaten_at: datetime | None = None
        self._joining_until: datetime | None = None
        per_second = transport.limits.per_second
        self._claim_size = MAX_CLAIM if math.isinf(per_second) else max(1, int(per_second * CLAIM_AHEAD_SECONDS))
        self.wake = asyncio.Event()
        self._in_flight: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._heads: list[OutboxMessage] = []
        self._ready: deque[OutboxMessage] = deque()  # claimed, waiting for a slot of the overall rate
        self._queued_at: datetime | None = None
        self._heads_read_at: datetime | None = None
        self._outcomes: list[Outcome] = []
        self._recording = False

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
        await self._share_rate()
        if self._joining_until is not None and self._clock.now() < self._joining_until:
            return self._joining_until
        await self._refresh_heads()
        later = [self._queued_at] if self._queued_at else []
        self._start_ready(later)
        if len(self._ready) < self._claim_size // 2:
            await self._claim_ready(later)
            self._start_ready(later)
        return min(later, default=None)

    def _start_ready(self, later: list[datetime]) -> None:
        """Start claimed rows while the overall rate allows; note when the next may start."""
        while self._ready:
            now = self._clock.now()
            wait = self._limiter.wait(self._ready[0].chat_id, now)
            if wait > 0:
                later.append(now + timedelta(seconds=wait))
                return
            self._start(self._ready.popleft())

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
        """Until cancelled: send what is due, then sleep until more is due or new rows are enqueued."""
        try:
            while True:
                next_at = await self.send_due()
                timeout = (next_at - self._clock.now()).total_seconds() if next_at else IDLE_POLL.total_seconds()
                self.wake.clear()
                await wait_or_time_out(self.wake, max(timeout, 0.001))
        finally:
            self.leave()

    def leave(self) -> None:
        """A sender that stops cleanly gives its share of the rate back to the others at once."""
        if self._beaten_at is None:
            return
        with transaction(self._sessions) as session:
            senders.forget(session, self._worker, self._transport.platform)
        self._beaten_at = None

    async def _share_rate(self) -> None:
        """On a shared database, note this sender alive and keep to its share of the overall rate.

        A sender that joins others counts itself at once and waits JOINING_WAIT before its first
        send, by which time the others have noticed it and lowered their share."""
        now = self._clock.now()
        alone = not self._shared or not self._lease  # a zero lease declares this the only sender
        if alone or (self._beaten_at is not None and now - self._beaten_at < HEARTBEAT):
            return
        first = self._beaten_at is None
        self._beaten_at = now
        alive = await asyncio.to_thread(self._beat, now)
        self._limiter.share(alive)
        if first and alive > 1:  # let the others see this sender and lower their share first
            self._joining_until = now + JOINING_WAIT

    @property
    def platform(self) -> str:
        return self._transport.platform

    def _beat(self, now: datetime) -> int:
        platform = self._transport.platform
        with transaction(self._sessions) as session:
            senders.beat(session, self._worker, platform, now)
        # Counted after the commit: of two senders starting together, the later count sees both.
        with transaction(self._sessions) as session:
            return senders.alive(session, platform, now, within=GONE_AFTER)

    async def _refresh_heads(self) -> None:
        """Read the chats' next rows at most every HEADS_REFRESH (or when told of new rows): at
        30 sends a second, reading them for every send would cost more than the sends."""
        now = self._clock.now()
        fresh = self._heads_read_at is not None and now - self._heads_read_at < HEADS_REFRESH
        if fresh and (self._heads or self._ready):
            return
        heads, self._queued_at = await asyncio.to_thread(self._read_heads, now)
        taken = self._in_flight | {row.id for row in self._ready}
        self._heads = [row for row in heads if row.id not in taken]
        self._heads_read_at = now

    async def _claim_ready(self, later: list[datetime]) -> None:
        """Claim, in one transaction, the rows whose chats may receive now, as many as the rate
        allows in the next moment; note when the others' chats may receive."""
        room = self._claim_size - len(self._ready)
        now = self._clock.now()
        chosen = []
        for row in list(self._heads):
            if len(chosen) >= room:
                break
            wait = self._limiter.chat_wait(row.chat_id, now)
            if wait > 0:
                later.append(now + timedelta(seconds=wait))
                continue
            chosen.append(row)
            self._heads.remove(row)
        if chosen:
            claimed = await asyncio.to_thread(self._claim, [row.id for row in chosen])
            self._ready.extend(row for row in chosen if row.id in claimed)

    def _read_heads(self, now: datetime) -> tuple[list[OutboxMessage], datetime | None]:
        platform = self._transport.platform
        with transaction(self._sessions) as session:
            if self._gather is not None:
                self._gather(session, platform, now)
            return outbox.due_heads(session, platform, now), outbox.next_due_at(session, platform, after=now)

    def _claim(self, row_ids: list[int]) -> set[int]:
        """Claim rows for this sender; those another sender holds or sent meanwhile are left out."""
        with transaction(self._sessions) as session:
            return outbox.claim(session, row_ids, self._clock.now(), self._lease)

    def _start(self, row: OutboxMessage) -> None:
        self._limiter.started(self._clock.now())
        self._in_flight.add(row.id)
        task = asyncio.create_task(self._deliver(row))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, row: OutboxMessage) -> None:
        try:
            message_ids = await self._transport.send(self._outgoing(row))
        except SendError as error:
            outcome = Outcome(row.id, [], error)
        else:
            outcome = Outcome(row.id, message_ids)
        finally:
            self._limiter.answered(row.chat_id, self._transport.is_group(row.chat_id), self._clock.now())
        SENDS.labels(self._transport.platform, _outcome_name(outcome.error)).inc()
        self._outcomes.append(outcome)
        if not self._recording:
            await self._record_outcomes()

    def _outgoing(self, row: OutboxMessage) -> Outgoing:
        """A row read as `sending` was left so by a crash (or a dead sender): its first attempt's outcome is unknown."""
        message = Outgoing.from_json(row.payload)
        taken_over = row.status == OutboxStatus.SENDING
        if taken_over and self._repeat is not None and self._transport.is_group(row.chat_id):
            return self._repeat(message)
        return message

    async def _record_outcomes(self) -> None:
        """Record answers in batches: those arriving while one batch is written go in the next."""
        self._recording = True
        try:
            while self._outcomes:
                batch, self._outcomes = self._outcomes, []
                try:
                    await asyncio.to_thread(self._record, batch)
                except Exception:  # the rows stay `sending` and are sent again, as after a crash
                    log.exception("could not record %d answers", len(batch))
                self._in_flight.difference_update(outcome.row_id for outcome in batch)
        finally:
            self._recording = False
            self.wake.set()

    def _record(self, outcomes: list[Outcome]) -> None:
        now = self._clock.now()
        with transaction(self._sessions) as session:
            rows = outbox.rows(session, [outcome.row_id for outcome in outcomes])
            for outcome in outcomes:
                row = rows[outcome.row_id]
                if outcome.error is None:
                    outbox.mark_sent(session, row, outcome.message_ids, now, self._chat_interval(row.chat_id))
                    notices.settle(session, row)
                else:
                    self._record_failure(session, row, outcome.error, now)

    def _chat_interval(self, chat_id: str) -> timedelta:
        limits = self._transport.limits
        interval = limits.group_interval if self._transport.is_group(chat_id) else limits.private_interval
        return timedelta(seconds=interval)

    def _record_failure(self, session: Session, row: OutboxMessage, error: SendError, now: datetime) -> None:
        if isinstance(error, PermanentFailure):
            log.warning("outbox %s failed for good: %s", row.id, error,
                        extra={"outbox_id": row.id, "platform": row.platform, "error": str(error),
                               "question": code_of(session, row.question_id)})
            outbox.mark_failed(row, str(error), error.reason)
            notices.settle(session, row)
            if self._on_failure is not None:
                self._on_failure(session, row, now)
        elif isinstance(error, RetryAfter):
            outbox.retry_later(row, str(error), now + timedelta(seconds=error.seconds))
        else:
            outbox.retry_later(row, str(error), now + outbox.backoff(row.attempts))


def _outcome_name(error: SendError | None) -> str:
    """The `outcome` label of youthbot_sends_total."""
    if error is None:
        return "sent"
    if isinstance(error, PermanentFailure):
        return "failed"
    return "rate_limited" if isinstance(error, RetryAfter) else "error"
