"""Prometheus metrics of one process: counters kept as things happen, gauges read from the database.

The database gauges (what waits in the inbox and outbox, questions by status, overdue questions per
department, broadcasts in progress) come from grouped counts on indexed columns, read at most every
`CACHE_SECONDS` however often Prometheus scrapes. With several processes each exposes its own
counters; the database gauges are the same in all of them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock
from storage.models import OPEN_STATUSES, Broadcast, BroadcastStatus, InboxUpdate, OutboxMessage, OutboxStatus, Question

REGISTRY = CollectorRegistry()
CACHE_SECONDS = 5.0

UPDATES_RECEIVED = Counter("youthbot_updates_received", "Updates committed to the inbox", ["platform"],
                           registry=REGISTRY)
UPDATES_PROCESSED = Counter("youthbot_updates_processed", "Inbox updates handled", ["outcome"], registry=REGISTRY)
SENDS = Counter("youthbot_sends", "Send attempts by how they ended: sent, rate_limited (429), failed (for good), "
                "error (retried)", ["platform", "outcome"], registry=REGISTRY)
REMINDER_SWEEP = Histogram("youthbot_reminder_sweep_seconds", "Time of one reminder plan and sweep",
                           registry=REGISTRY, buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 30))


class DatabaseGauges(Collector):
    """The queue and the campaign, as the database says, cached a few seconds."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self._cached: list[Metric] = []
        self._read_at = float("-inf")

    def collect(self) -> Iterator[Metric]:
        if time.monotonic() - self._read_at > CACHE_SECONDS:
            self._cached = self._read()
            self._read_at = time.monotonic()
        yield from self._cached

    def _read(self) -> list[Metric]:
        now = self._clock.now()
        with self._sessions() as session:
            oldest = session.scalar(select(func.min(InboxUpdate.received_at)).where(InboxUpdate.processed_at.is_(None)))
            lag = GaugeMetricFamily("youthbot_inbox_lag_seconds", "Age of the oldest update waiting in the inbox")
            lag.add_metric([], (now - oldest).total_seconds() if oldest else 0.0)
            outbox = GaugeMetricFamily("youthbot_outbox_messages", "Outbox rows by status and platform",
                                       labels=["status", "platform"])
            for status, platform, count in session.execute(
                    select(OutboxMessage.status, OutboxMessage.platform, func.count())
                    .group_by(OutboxMessage.status, OutboxMessage.platform)):
                outbox.add_metric([status, platform], count)
            questions = GaugeMetricFamily("youthbot_questions", "Questions by status", labels=["status"])
            for status, count in session.execute(select(Question.status, func.count()).group_by(Question.status)):
                questions.add_metric([status], count)
            overdue = GaugeMetricFamily("youthbot_overdue_questions", "Open questions past their deadline",
                                        labels=["department"])
            for department, count in session.execute(
                    select(Question.department_key, func.count())
                    .where(Question.status.in_(OPEN_STATUSES), Question.answer_due_at < now)
                    .group_by(Question.department_key)):
                overdue.add_metric([department or ""], count)
            broadcasts = GaugeMetricFamily("youthbot_broadcast_copies", "Copies of broadcasts being sent",
                                           labels=["broadcast", "kind"])
            for broadcast in session.scalars(select(Broadcast).where(
                    Broadcast.status.in_((BroadcastStatus.SENDING, BroadcastStatus.PAUSED)))):
                sent = session.scalar(select(func.count()).where(OutboxMessage.broadcast_id == broadcast.id,
                                                                 OutboxMessage.status == OutboxStatus.SENT))
                for kind, value in (("planned", broadcast.planned), ("enqueued", broadcast.enqueued), ("sent", sent)):
                    broadcasts.add_metric([str(broadcast.id), kind], value or 0)
        return [lag, outbox, questions, overdue, broadcasts]
