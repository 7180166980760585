"""Reminders as rows: planned idempotently, claimed atomically, listed and paused by admins.

Planning the same reminder twice hits the unique dedupe key and does nothing. The sweep
finds due rows through the (status, due_at) index, so its cost follows what is due,
not what is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from storage.db import insert
from storage.models import Campaign, Reminder, ReminderKind, ReminderStatus


@dataclass(frozen=True)
class Plan:
    """One reminder to exist; `dedupe_key` says what makes it the same reminder."""

    kind: ReminderKind
    dedupe_key: str
    due_at: datetime
    campaign_id: int | None = None
    question_id: int | None = None
    account_id: int | None = None
    department_key: str | None = None
    chat: str | None = None


def plan(session: Session, plans: list[Plan], now: datetime, paused: bool = False) -> int:
    """Insert the reminders that do not exist yet; returns how many were new."""
    if not plans:
        return 0
    status = ReminderStatus.PAUSED if paused else ReminderStatus.PENDING
    rows = [{**p.__dict__, "status": status, "created_at": now} for p in plans]
    # The rows go as parameters, not in the statement: one compiled statement for any plans (a
    # multi-row VALUES is compiled again for every call: a new question's was 1 ms of CPU).
    # The table's, not the ORM's bulk insert: that splits the rows by which values are None.
    statement = insert(session, Reminder.__table__).on_conflict_do_nothing(index_elements=["dedupe_key"])
    with session.no_autoflush:  # plans name stored rows only (their ids): pending changes wait for the next flush
        return len(session.execute(statement.returning(Reminder.__table__.c.id), rows).all())


def existing_keys(session: Session, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    return set(session.scalars(select(Reminder.dedupe_key).where(Reminder.dedupe_key.in_(keys))))


def claim_due(session: Session, now: datetime, worker: str, limit: int) -> list[Reminder]:
    """Take up to `limit` due rows for this transaction; another sweep skips rows locked here.

    On PostgreSQL `FOR UPDATE SKIP LOCKED` lets two schedulers share the queue; SQLite's
    write lock (BEGIN IMMEDIATE) serialises them instead.
    """
    due = (
        select(Reminder.id)
        .where(Reminder.status == ReminderStatus.PENDING, Reminder.due_at <= now)
        .order_by(Reminder.due_at, Reminder.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.scalars(
        update(Reminder)
        .where(Reminder.id.in_(due.scalar_subquery()), Reminder.status == ReminderStatus.PENDING)
        .values(status=ReminderStatus.CLAIMED, claimed_by=worker, claimed_at=now)
        .returning(Reminder.id)
    ))
    if not ids:
        return []
    rows = session.scalars(
        select(Reminder).where(Reminder.id.in_(ids)).order_by(Reminder.due_at, Reminder.id)
        .execution_options(populate_existing=True)
    )
    return list(rows)


WAITING = (ReminderStatus.PENDING, ReminderStatus.PAUSED)


def upcoming(session: Session, limit: int = 20) -> list[Reminder]:
    """Waiting reminders, and those set aside because turning them into messages failed."""
    return list(session.scalars(
        select(Reminder).where(or_(Reminder.status.in_(WAITING), set_aside()))
        .order_by(Reminder.due_at, Reminder.id).limit(limit)))


def set_aside() -> ColumnElement[bool]:
    return and_(Reminder.status == ReminderStatus.CLAIMED, Reminder.error.is_not(None))


def set_paused(session: Session, campaign: Campaign, paused: bool, now: datetime) -> int:
    """Pause or resume every waiting reminder; the campaign remembers it for reminders planned later."""
    campaign.reminders_paused_at = now if paused else None
    source, target = ((ReminderStatus.PENDING, ReminderStatus.PAUSED) if paused
                      else (ReminderStatus.PAUSED, ReminderStatus.PENDING))
    result = session.execute(update(Reminder).where(Reminder.status == source).values(status=target))
    return result.rowcount
