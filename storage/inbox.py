"""The inbox: updates are committed here before the platform is acknowledged.

Recording is idempotent on (platform, update_key), so a platform that delivers the
same update twice gets it processed once. Processing marks the row in the same
transaction as its effects, so a crash mid-way leaves it to be processed again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy import update as sa_update
from sqlalchemy.orm import Session, aliased

from core.messages import Incoming
from storage.db import insert
from storage.models import InboxUpdate

MAX_ATTEMPTS = 5
FIRST_RETRY_SECONDS = 2  # then 4, 8, 16: a passing fault (a lock, a restart) has time to clear
RECORD_CHUNK = 100  # rows per INSERT: a getUpdates page, well under SQLite's limit of bound values


def record(session: Session, update_key: str, incoming: Incoming, now: datetime) -> bool:
    """Store an update unless it is already stored; True when it is new."""
    return bool(record_many(session, [(update_key, incoming)], now))


def record_many(session: Session, updates: Sequence[tuple[str, Incoming]], now: datetime) -> int:
    """Store updates (a page of getUpdates, a burst of webhook posts) in one statement, skipping those
    already stored; how many were new. Their ids follow the given order, which keeps each chat's."""
    new = 0
    for start in range(0, len(updates), RECORD_CHUNK):
        rows = [dict(platform=incoming.platform, update_key=key, chat_key=str(incoming.chat),
                     payload=incoming.to_json(), received_at=now, attempts=0)
                for key, incoming in updates[start:start + RECORD_CHUNK]]
        statement = (
            insert(session, InboxUpdate)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["platform", "update_key"])
            .returning(InboxUpdate.id)
        )
        new += len(session.execute(statement).all())
    return new


def claim_next(session: Session, now: datetime) -> InboxUpdate | None:
    """The oldest unprocessed update that is first in its chat and due, locked for this transaction."""
    return next(iter(claim_batch(session, now, 1)), None)


def claim_batch(session: Session, now: datetime, size: int) -> list[InboxUpdate]:
    """The oldest unprocessed updates that are first in their chat and due, at most `size`, locked for
    this transaction: at most one per chat.

    Workers sharing a database skip rows another one holds; since only the first waiting
    update of each chat can be claimed, a chat's updates are handled one at a time, in order.
    An update that failed waits its backoff, and its chat's later updates wait behind it.
    """
    earlier = aliased(InboxUpdate)
    first_in_chat = ~(
        select(earlier.id)
        .where(earlier.chat_key == InboxUpdate.chat_key, earlier.processed_at.is_(None), earlier.id < InboxUpdate.id)
        .exists()
    )
    statement = (
        select(InboxUpdate)
        .where(InboxUpdate.processed_at.is_(None), first_in_chat,
               or_(InboxUpdate.retry_at.is_(None), InboxUpdate.retry_at <= now))
        .order_by(InboxUpdate.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(statement))


def mark_processed(session: Session, update_ids: Sequence[int], now: datetime) -> None:
    """In the transaction that applied them: a batch's updates in one statement, not one row each in the
    session's flushes."""
    if update_ids:
        session.execute(sa_update(InboxUpdate).where(InboxUpdate.id.in_(update_ids)).values(processed_at=now)
                        .execution_options(synchronize_session=False))


def record_failure(session: Session, update_id: int, error: str, now: datetime) -> bool:
    """Count a failed attempt and make the next wait longer; after MAX_ATTEMPTS the update is set
    aside. True when set aside."""
    update = session.get(InboxUpdate, update_id)
    assert update is not None
    update.attempts += 1
    update.error = error[-2000:]
    if update.attempts >= MAX_ATTEMPTS:
        update.processed_at = now
        update.retry_at = None
        return True
    update.retry_at = now + timedelta(seconds=FIRST_RETRY_SECONDS * 2 ** (update.attempts - 1))
    return False


def set_aside(session: Session, limit: int = 20) -> list[InboxUpdate]:
    """The updates given up on, newest first, for the coordinator to read and retry."""
    statement = (
        select(InboxUpdate)
        .where(InboxUpdate.attempts >= MAX_ATTEMPTS, InboxUpdate.error.is_not(None))
        .order_by(InboxUpdate.id.desc())
        .limit(limit)
    )
    return list(session.scalars(statement))


def retry(session: Session, update_id: int) -> bool:
    """Put a set-aside update back in the queue with fresh attempts; False when there is no such update."""
    update = session.get(InboxUpdate, update_id)
    if update is None or update.attempts < MAX_ATTEMPTS:
        return False
    update.processed_at = None
    update.attempts = 0
    update.retry_at = None
    return True


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).where(InboxUpdate.processed_at.is_(None))) or 0
