"""From inbox to effects: each recorded update is handled once, inside one transaction.

The update row is marked processed in the transaction that applies its effects and
enqueues its replies, so a crash at any point either leaves everything undone (and it
is handled again after restart) or everything done (and it is never handled again).

A commit flushed to disk costs more than handling a message, so a burst is recorded a page
at a time (`record_many`) and handled a batch at a time: the first waiting update of up to
BATCH_SIZE chats in one transaction, so each chat's updates still go one at a time, in order.
A batch stops taking rows after BATCH_SECONDS, so that the write lock it holds never keeps the
sender waiting long. When one update of a batch fails, the whole batch is rolled back and its
updates are handled one by one, each in its own transaction: the failing one is retried later
alone, its neighbours' effects are committed.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.orm import Session, sessionmaker

from bot.metrics import UPDATES_PROCESSED, UPDATES_RECEIVED
from core.clock import Clock
from core.messages import Incoming
from handlers.context import Context, Services
from handlers.dispatch import handle
from storage import inbox
from storage.db import transaction
from storage.models import Campaign, InboxUpdate
from storage.outbox import read_menus_ahead
from storage.questions import find_account, read_accounts_ahead

log = logging.getLogger(__name__)

BATCH_SIZE = 50
BATCH_SECONDS = 0.2
READ_AHEAD = 10


class InboxProcessor:
    def __init__(self, sessions: sessionmaker[Session], services: Services, campaign_id: int, clock: Clock) -> None:
        self._sessions = sessions
        self._services = services
        self.campaign_id = campaign_id
        self._clock = clock
        self._last_handled = BATCH_SIZE

    def record(self, update_key: str, incoming: Incoming) -> bool:
        """Commit an update; only after this returns may the platform be told it arrived."""
        return self.record_many([(update_key, incoming)]) == 1

    def record_many(self, updates: Sequence[tuple[str, Incoming]]) -> int:
        """Commit updates together (one flush to disk); only after this returns may the platform be
        told they arrived. How many were new."""
        with transaction(self._sessions) as session:
            recorded = inbox.record_many(session, updates, self._clock.now())
        if recorded and updates:
            UPDATES_RECEIVED.labels(updates[0][1].platform).inc(recorded)
        return recorded

    def process_all(self) -> int:
        count = 0
        while handled := self.process_batch():
            count += handled
        return count

    def process_batch(self) -> int:
        """Handle the first waiting update of up to BATCH_SIZE chats in one transaction; how many were
        handled (0: none waits). A failure rolls the batch back and handles its updates one by one.

        It claims about twice what the last batch handled in its time: rows claimed and left cost
        their reading for nothing."""
        claimed = 0
        size = min(BATCH_SIZE, max(READ_AHEAD, 2 * self._last_handled))
        try:
            with transaction(self._sessions) as session:
                updates = inbox.claim_batch(session, self._clock.now(), size)
                claimed = len(updates)
                if claimed <= 1:
                    for update in updates:
                        self._handle_alone(session, update)
                    return claimed
                handled = self._apply_batch(session, updates)
        except Exception:
            if claimed <= 1:
                raise
            log.info("a batch of %d updates failed; handling them one by one", claimed)
            return sum(self.process_one() for _ in range(claimed))
        UPDATES_PROCESSED.labels("ok").inc(handled)
        self._last_handled = handled
        return handled

    def _apply_batch(self, session: Session, updates: list[InboxUpdate]) -> int:
        """Apply updates of different chats, until BATCH_SECONDS have passed, and mark them processed; how
        many were applied. The others stay waiting, first in their chats: the next batch takes them."""
        applied = self._apply_until(session, updates, time.monotonic() + BATCH_SECONDS)
        inbox.mark_processed(session, applied, self._clock.now())  # one statement for the batch, in its transaction
        return len(applied)

    def _apply_until(self, session: Session, updates: list[InboxUpdate], stop_at: float) -> list[int]:
        """The ids of the updates applied before `stop_at`.

        What every update reads first (its sender's account and person, its chat's menu) is read
        READ_AHEAD updates at a time: on a busy machine a batch ends after a few, and reading for
        all it claimed would cost more than it saves."""
        campaign = session.get_one(Campaign, self.campaign_id)
        applied: list[int] = []
        for start in range(0, len(updates), READ_AHEAD):
            chunk = updates[start:start + READ_AHEAD]
            incomings = [Incoming.from_json(update.payload) for update in chunk]
            _read_ahead(session, incomings)
            for update, incoming in zip(chunk, incomings, strict=True):
                self._apply(session, update, incoming, campaign)
                applied.append(update.id)
                if time.monotonic() >= stop_at:
                    return applied
        return applied

    def process_one(self) -> bool:
        """Handle the oldest waiting update alone; False when there is none."""
        with transaction(self._sessions) as session:
            update = inbox.claim_next(session, self._clock.now())
            if update is None:
                return False
            self._handle_alone(session, update)
        return True

    def _handle_alone(self, session: Session, update: InboxUpdate) -> None:
        """Apply one update in a savepoint; if it fails, record the failure in this transaction instead."""
        try:
            with session.begin_nested():
                self._apply(session, update, Incoming.from_json(update.payload),
                            session.get_one(Campaign, self.campaign_id))
                inbox.mark_processed(session, [update.id], self._clock.now())
        except Exception:  # a bug or bad data must not stop the queue: retried later, then set aside
            error = traceback.format_exc()
            log.exception("update %s failed", update.id, extra={"update_id": update.id})
            UPDATES_PROCESSED.labels("failed").inc()
            if inbox.record_failure(session, update.id, error, self._clock.now()):
                log.error("update %s set aside after %s attempts", update.id, update.attempts,
                          extra={"update_id": update.id})
        else:
            UPDATES_PROCESSED.labels("ok").inc()

    def _apply(self, session: Session, update: InboxUpdate, incoming: Incoming, campaign: Campaign) -> None:
        now = self._clock.now()
        handle(Context(self._services, session, now, campaign=campaign, incoming=incoming))
        if incoming.is_private and find_account(session, incoming.platform, incoming.user_id) is None:
            update.payload = _without_content(incoming).to_json()  # no consent: keep nothing personal


class BurstRecorder:
    """Records updates that arrive together (a webhook's concurrent posts) in one commit, written by
    one task in a thread: the event loop never waits on the disk, and SQLite sees one writer for
    them. `record` returns once its update is committed; then the platform may be told."""

    def __init__(self, processor: InboxProcessor) -> None:
        self._processor = processor
        self._waiting: list[tuple[tuple[str, Incoming], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, update_key: str, incoming: Incoming) -> None:
        future = asyncio.get_running_loop().create_future()
        self._waiting.append(((update_key, incoming), future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        await asyncio.shield(future)

    async def _write(self) -> None:
        """Those arriving while one commit is written go together in the next."""
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await asyncio.to_thread(self._processor.record_many, [entry for entry, _ in batch])
            except Exception as error:  # each waiting request answers 5xx; the platform sends it again
                for _, future in batch:
                    future.set_exception(error)
            else:
                for _, future in batch:
                    future.set_result(None)


def _read_ahead(session: Session, incomings: list[Incoming]) -> None:
    read_accounts_ahead(session, [(i.platform, i.user_id) for i in incomings if i.is_private])
    session.info.setdefault("menus", []).extend(read_menus_ahead(session, [(i.platform, i.chat_id) for i in incomings]))


def _without_content(incoming: Incoming) -> Incoming:
    return replace(incoming, text="", html="", user_name="", attachments=())
