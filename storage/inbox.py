"""The inbox: updates are committed here before the platform is acknowledged.

Recording is idempotent on (platform, update_key), so a platform that delivers the
same update twice gets it processed once. Processing marks the row in the same
transaction as its effects, so a crash mid-way leaves it to be processed again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from core.messages import Incoming
from storage.models import InboxUpdate

MAX_ATTEMPTS = 5


def record(session: Session, update_key: str, incoming: Incoming, now: datetime) -> bool:
    """Store an update unless it is already stored; True when it is new."""
    values = dict(
        platform=incoming.platform,
        update_key=update_key,
        chat_key=str(incoming.chat),
        payload=incoming.to_json(),
        received_at=now,
        attempts=0,
    )
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(InboxUpdate)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["platform", "update_key"])
        .returning(InboxUpdate.id)
    )
    return session.execute(statement).scalar() is not None


def claim_next(session: Session) -> InboxUpdate | None:
    """The oldest unprocessed update that is first in its chat, locked for this transaction.

    Workers sharing a database skip rows another one holds; since only the first waiting
    update of each chat can be claimed, a chat's updates are handled one at a time, in order.
    """
    earlier = aliased(InboxUpdate)
    first_in_chat = ~(
        select(earlier.id)
        .where(earlier.chat_key == InboxUpdate.chat_key, earlier.processed_at.is_(None), earlier.id < InboxUpdate.id)
        .exists()
    )
    statement = (
        select(InboxUpdate)
        .where(InboxUpdate.processed_at.is_(None), first_in_chat)
        .order_by(InboxUpdate.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return session.scalars(statement).first()


def mark_processed(update: InboxUpdate, now: datetime) -> None:
    update.processed_at = now


def record_failure(session: Session, update_id: int, error: str, now: datetime) -> bool:
    """Count a failed attempt; after MAX_ATTEMPTS the update is set aside. True when set aside."""
    update = session.get(InboxUpdate, update_id)
    assert update is not None
    update.attempts += 1
    update.error = error[-2000:]
    if update.attempts >= MAX_ATTEMPTS:
        update.processed_at = now
        return True
    return False


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).where(InboxUpdate.processed_at.is_(None))) or 0
