"""The sweep: turn due reminder rows into outbox rows, each exactly once.

A batch is claimed and its messages enqueued in one transaction, with the rows marked
sent; two schedulers on PostgreSQL skip each other's locked rows, and a crash rolls
back both the claim and the messages. Rows due longer ago than `stale_after` (the
process was down) are skipped, so a restart never sends a burst of old nudges.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock
from handlers.context import Services, Writer
from handlers.reminders import deliver
from storage.db import transaction
from storage.models import Campaign, OutboxMessage, ReminderStatus
from storage.questions import code_of
from storage.reminders import claim_due
from timing.planner import STATEFUL_KINDS, plan_reminders

log = logging.getLogger(__name__)

BATCH = 200


@dataclass
class SweepResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    enqueued: list[OutboxMessage] = field(default_factory=list)

    def add(self, other: SweepResult) -> None:
        self.sent += other.sent
        self.skipped += other.skipped
        self.failed += other.failed
        self.enqueued += other.enqueued


def sweep_batch(session: Session, services: Services, now: datetime, worker: str, limit: int = BATCH) -> SweepResult:
    """Claim up to `limit` due reminders and send or skip each, inside the caller's transaction."""
    result = SweepResult()
    stale_before = now - services.settings.reminders.stale_after
    for reminder in claim_due(session, now, worker, limit):
        if reminder.kind not in STATEFUL_KINDS and reminder.due_at < stale_before:
            reminder.status = ReminderStatus.SKIPPED
            result.skipped += 1
            continue
        writer = Writer(services, session, now)
        try:
            with session.begin_nested():
                sent = deliver(writer, reminder)
        except Exception as error:  # noqa: BLE001 - one bad reminder must not hold up the rest
            log.exception("reminder %s (%s) failed", reminder.id, reminder.kind,
                          extra={"question": code_of(session, reminder.question_id)})
            reminder.error = f"{type(error).__name__}: {error}"  # stays claimed: set aside, listed
            result.failed += 1
            continue
        reminder.status = ReminderStatus.SENT if sent else ReminderStatus.SKIPPED
        reminder.sent_at = now if sent else None
        result.sent += sent
        result.skipped += not sent
        result.enqueued += writer.enqueued
    return result


class ReminderScheduler:
    """Plans and sweeps for one process; several may share one PostgreSQL database."""

    def __init__(self, sessions: sessionmaker[Session], services: Services, clock: Clock,
                 worker: str | None = None) -> None:
        self.sessions = sessions
        self.services = services
        self.clock = clock
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"

    def plan(self) -> int:
        with transaction(self.sessions) as session:
            key = self.services.settings.campaign.key
            campaign = session.scalars(select(Campaign).where(Campaign.key == key)).one()
            return plan_reminders(session, self.services.settings, campaign, self.clock.now())

    def sweep(self) -> SweepResult:
        """Sweep until nothing is due; each batch is its own transaction."""
        total = SweepResult()
        while True:
            with transaction(self.sessions) as session:
                result = sweep_batch(session, self.services, self.clock.now(), self.worker)
            total.add(result)
            if result.sent + result.skipped + result.failed < BATCH:
                return total

    def tick(self) -> SweepResult:
        self.plan()
        return self.sweep()
