"""Drains the outbox through one platform's transport, in order per chat, within its limits.

A row is claimed (committed as `sending`) before the request and marked `sent`, with the
platform's message ids, after it. A crash between the two leaves it `sending`, and it is
sent again after restart: the only repeats possible are the requests in flight at the
crash (started and not yet recorded), at most one per chat, since each chat has one
message in flight at a time.

At hundreds of sends a second, one transaction per claim and per record would cost more
than the sends, so both are batched: each cycle reads the chats' next rows and claims those
that may go in the next fraction of a second in one transaction, and answers that arrive while
one batch is being recorded are recorded together in the next, in a few Core statements.

Cards and digests go first in the overall rate: a department's group may receive one message every
few seconds, and a digest carries many questions, so a slot missed there delays them all, while a
private message waiting behind it waits a fraction of a second.
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
from storage.models import LinkRole, OutboxMessage, OutboxStatus
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

    row: OutboxMessage  # as claimed: its chat, question and role
    message_ids: list[str]
    answered_at: datetime  # the chat's interval runs from here, as the limiter counts it
    error: SendError | None = None


@dataclass(frozen=True)
class Claimed:
    """What one read-and-claim transaction found: the rows claimed (cards and digests first), the due rows
    left for later, when the chats of those that must wait may receive, and when the next row becomes due."""

    rows: list[OutboxMessage]
    waiting: list[OutboxMessage]
    chat_free_at: list[datetime]
    queued_at: datetime | None


class OutboxSender:
    def __init__(self, sessions: sessionmaker[Session], transport: Transport, clock: Clock,
                 lease: timedelta | None = None, on_failure: FailureReport | None = None,
                 gather: Gather | None = None, repeat: Repeat | None = None) -> None:
        """`on_failure` reports a message refused for good (to the coordinator), in the same transaction.

        `gather` writes, in the transaction that reads the queue and before it, what waits for a moment
        of a chat of this platform: a crowded group's digest at its slot, the departments' delivery
        notices when their chat is idle (so that they never go before its cards).

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
        later: list[datetime] = []
        self._start_ready(later)
        await self._read_and_claim(later)
        self._start_ready(later)
        if self._queued_at is not None:
            later.append(self._queued_at)
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

    async def _read_and_claim(self, later: list[datetime]) -> None:
        """One transaction per cycle: read the chats' next rows (at most every HEADS_REFRESH, or when
        told of new rows or one became due) and claim those whose chats may receive now: cards and
        digests whenever their group is free, others as many as the rate allows in the next moment, once
        fewer than half that are left claimed. Between reads, the rows read and not yet claimed are
        claimed as their chats become free, without reading again."""
        now = self._clock.now()
        read = self._heads_stale(now)
        room = self._claim_size - len(self._ready)
        if not read and not self._worth_claiming(now, room):
            return
        taken = self._in_flight | {row.id for row in self._ready}
        found = await asyncio.to_thread(self._read_and_claim_rows, now, read, list(self._heads), taken, room)
        if read:
            self._heads_read_at, self._queued_at = now, found.queued_at
        self._heads = found.waiting
        later.extend(found.chat_free_at)
        first = [row for row in found.rows if outbox.carries_questions(row)]
        self._ready.extendleft(reversed(first))  # before the rows claimed earlier
        self._ready.extend(row for row in found.rows if not outbox.carries_questions(row))

    def _heads_stale(self, now: datetime) -> bool:
        if self._heads_read_at is None or now - self._heads_read_at >= HEADS_REFRESH:
            return True
        if self._queued_at is not None and self._queued_at <= now:  # a row became due: a digest at its slot
            return True
        if any(outbox.carries_questions(row) for row in self._free_heads(now)):
            return True  # a group's slot: `gather` packs its waiting cards before they are read
        return not self._heads and not self._ready

    def _worth_claiming(self, now: datetime, room: int) -> bool:
        """Whether a row read earlier may be claimed now: a card or digest, or others while few are claimed."""
        free = self._free_heads(now)
        return any(outbox.carries_questions(row) for row in free) or (bool(free) and room > self._claim_size // 2)

    def _free_heads(self, now: datetime) -> list[OutboxMessage]:
        """The rows read earlier whose chats may receive now."""
        return [row for row in self._heads if not self._limiter.chat_wait(row.chat_id, now)]

    def _read_and_claim_rows(self, now: datetime, read: bool, heads: list[OutboxMessage], taken: set[int],
                             room: int) -> Claimed:
        """In a thread. The limiter's per-chat times are only read here (the event loop writes them)."""
        queued_at = None
        with transaction(self._sessions) as session:
            if read:
                platform = self._transport.platform
                if self._gather is not None:
                    self._gather(session, platform, now)
                heads = [row for row in outbox.due_heads(session, platform, now) if row.id not in taken]
                queued_at = outbox.next_due_at(session, platform, after=now)
            chosen, waiting, free_at = self._choose(heads, now, room)
            claimed = outbox.claim(session, [row.id for row in chosen], now, self._lease) if chosen else set()
        return Claimed([row for row in chosen if row.id in claimed], waiting, free_at, queued_at)

    def _choose(self, heads: list[OutboxMessage], now: datetime, room: int
                ) -> tuple[list[OutboxMessage], list[OutboxMessage], list[datetime]]:
        """Of rows in the queue's order: those to claim (every card and digest whose chat is free, then
        others up to `room`), those left for later, and when the chats of those that must wait become free."""
        chosen: list[OutboxMessage] = []
        waiting: list[OutboxMessage] = []
        free_at: list[datetime] = []
        others = 0
        for row in heads:
            wait = self._limiter.chat_wait(row.chat_id, now)
            first = outbox.carries_questions(row)
            if wait > 0 or (not first and others >= room):
                waiting.append(row)
                if wait > 0:
                    free_at.append(now + timedelta(seconds=wait))
                continue
            chosen.append(row)
            others += not first
        return chosen, waiting, free_at

    def _start(self, row: OutboxMessage) -> None:
        self._limiter.started(self._clock.now())
        self._in_flight.add(row.id)
        task = asyncio.create_task(self._deliver(row))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, row: OutboxMessage) -> None:
        message_ids: list[str] = []
        error: SendError | None = None
        try:
            message_ids = await self._transport.send(self._outgoing(row))
        except SendError as caught:
            error = caught
        finally:
            answered_at = self._clock.now()
            self._limiter.answered(row.chat_id, self._transport.is_group(row.chat_id), answered_at)
        outcome = Outcome(row, message_ids, answered_at, error)
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
                self._in_flight.difference_update(outcome.row.id for outcome in batch)
        finally:
            self._recording = False
            self.wake.set()

    def _record(self, outcomes: list[Outcome]) -> None:
        """One transaction per batch: the sends in a few Core statements; answers' delivery notices and
        failures, which are few, through their rows."""
        now = self._clock.now()
        sent = [outcome for outcome in outcomes if outcome.error is None]
        with transaction(self._sessions) as session:
            outbox.mark_sent(session, [outbox.Sent(outcome.row, outcome.message_ids, outcome.answered_at,
                                                   self._chat_interval(outcome.row.chat_id)) for outcome in sent])
            answers = [outcome.row.id for outcome in sent if outcome.row.link_role == LinkRole.ANSWER]
            failed = {outcome.row.id: outcome.error for outcome in outcomes if outcome.error is not None}
            if not answers and not failed:
                return
            for row in outbox.rows(session, [*answers, *failed]).values():
                if (error := failed.get(row.id)) is None:
                    notices.settle(session, row)
                else:
                    self._record_failure(session, row, error, now)

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
