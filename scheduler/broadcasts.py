"""The broadcast pump: starts scheduled broadcasts, feeds the outbox in batches, reports.

The outbox holds at most about one batch of a broadcast's copies at a time, so memory and
the outbox stay small whatever the audience, and conversation messages never wait behind
a hundred thousand copies. Each step is one transaction whose effects are claimed with a
compare-and-set, so processes sharing PostgreSQL can all run the pump.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock
from handlers import broadcasts as reports
from handlers.context import Services, Writer
from storage import broadcasts as store
from storage.db import transaction
from storage.models import Broadcast, BroadcastStatus

BATCH = 500


@dataclass
class PumpResult:
    started: int = 0
    enqueued: int = 0
    finished: int = 0


class BroadcastPump:
    def __init__(self, sessions: sessionmaker[Session], services: Services, clock: Clock, batch: int = BATCH) -> None:
        self.sessions = sessions
        self.services = services
        self.clock = clock
        self.batch = batch

    def tick(self) -> PumpResult:
        result = PumpResult(started=self._start_scheduled())
        with transaction(self.sessions) as session:
            sending = store.sending(session)
        for broadcast_id in sending:
            with transaction(self.sessions) as session:
                enqueued, finished = self._advance(Writer(self.services, session, self.clock.now()), broadcast_id)
            result.enqueued += enqueued
            result.finished += finished
        return result

    def _start_scheduled(self) -> int:
        with transaction(self.sessions) as session:
            writer = Writer(self.services, session, self.clock.now())
            started = [b for b in store.due_to_start(session, writer.now)
                       if store.set_status(session, b, BroadcastStatus.SENDING,
                                           only_from=(BroadcastStatus.SCHEDULED,), now=writer.now)]
            for broadcast in started:
                broadcast.planned = store.count_audience(session, broadcast)
                reports.report_started(writer, broadcast)
            return len(started)

    def _advance(self, writer: Writer, broadcast_id: int) -> tuple[int, bool]:
        """Top up the outbox with the next batch when the last one is nearly sent; report; finish.

        A tick reads only the copies still waiting (about a batch); the copies of the whole
        audience are counted at each quarter and at the end, so a tick costs the same at 100
        recipients and at 100,000."""
        session = writer.session
        broadcast = session.get_one(Broadcast, broadcast_id)
        if broadcast.status != BroadcastStatus.SENDING:
            return 0, False
        enqueued, waiting = 0, store.backlog(session, broadcast.id)
        if not broadcast.fanned_out and waiting < self.batch // 2:
            enqueued = store.enqueue_batch(session, self.services.outbox, broadcast, writer.now, self.batch)
        quarter = reports.quarter_reached(broadcast, done=broadcast.enqueued - waiting - enqueued)
        if quarter > broadcast.progress_step:
            broadcast.progress_step = quarter
            reports.report_progress(writer, broadcast, store.tally(session, broadcast.id))
        # Read again: on PostgreSQL another process's last batch may have landed since the first read.
        if not broadcast.fanned_out or store.backlog(session, broadcast.id):
            return enqueued, False
        if not store.set_status(session, broadcast, BroadcastStatus.DONE, only_from=(BroadcastStatus.SENDING,),
                                now=writer.now):
            return enqueued, False
        reports.report_final(writer, broadcast, store.tally(session, broadcast.id))
        return enqueued, True
