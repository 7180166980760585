"""Which processes are draining a platform's outbox, so that they share its rate."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.models import SenderHeartbeat


def beat(session: Session, worker: str, platform: str, now: datetime) -> None:
    row = session.get(SenderHeartbeat, (worker, platform))
    if row is None:
        session.add(SenderHeartbeat(worker=worker, platform=platform, seen_at=now))
    else:
        row.seen_at = now


def alive(session: Session, platform: str, now: datetime, within: timedelta) -> int:
    """Senders of the platform seen within `within` (this one included, once it has beaten)."""
    return session.scalar(select(func.count()).where(
        SenderHeartbeat.platform == platform, SenderHeartbeat.seen_at > now - within)) or 0


def forget(session: Session, worker: str, platform: str) -> None:
    session.execute(delete(SenderHeartbeat).where(SenderHeartbeat.worker == worker,
                                                  SenderHeartbeat.platform == platform))
