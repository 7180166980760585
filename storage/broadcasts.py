"""Broadcasts in the database: who receives one, turning recipients into outbox rows, tallies.

A broadcast is never expanded in memory: `enqueue_batch` turns the next few hundred
recipients into outbox rows and moves the broadcast's cursor with a compare-and-set in
the same transaction, so a crash or a second process can neither skip nor repeat one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from core.messages import Action, Attachment, Button, ChatRef, MediaKind, Outgoing
from storage.models import (
    Account,
    Broadcast,
    BroadcastKind,
    BroadcastStatus,
    OutboxMessage,
    OutboxStatus,
    Person,
)
from storage.outbox import Outbox

UNFINISHED = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.HELD)
LIVE = (BroadcastStatus.SENDING, BroadcastStatus.PAUSED, BroadcastStatus.SCHEDULED)


@dataclass(frozen=True)
class Tally:
    """Where a broadcast's copies stand."""

    delivered: int = 0
    waiting: int = 0
    cancelled: int = 0
    failed: dict[str, int] = field(default_factory=dict)  # by reason

    @property
    def blocked(self) -> int:
        return self.failed.get("blocked", 0)

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())

    def to_json(self) -> dict[str, object]:
        return {"delivered": self.delivered, "waiting": self.waiting, "cancelled": self.cancelled,
                "failed": dict(self.failed)}


def audience(broadcast: Broadcast) -> Select[tuple[Account]]:
    """Subscribed accounts that have not blocked the bot, of people who consented and are not banned."""
    statement = (
        select(Account).join(Person, Account.person_id == Person.id)
        .where(Account.subscribed.is_(True), Account.blocked_at.is_(None),
               Person.consent_at.is_not(None), Person.banned_at.is_(None))
    )
    if broadcast.districts:
        statement = statement.where(Person.district_key.in_(broadcast.districts))
    if broadcast.language:
        statement = statement.where(Person.language == broadcast.language)
    return statement


def count_audience(session: Session, broadcast: Broadcast) -> int:
    return session.scalar(select(func.count()).select_from(audience(broadcast).subquery())) or 0


def message_for(broadcast: Broadcast, chat: ChatRef) -> Outgoing:
    """The copy one chat receives. A file is sent only on the platform it was uploaded to (file
    references do not travel between platforms); elsewhere the text goes alone."""
    buttons = ((Button(broadcast.link_label, url=broadcast.link_url),),) if broadcast.link_url else ()
    attachments: tuple[Attachment, ...] = ()
    if broadcast.attachment and broadcast.attachment.get("platform") == chat.platform:
        stored = broadcast.attachment
        attachments = (Attachment(MediaKind(stored["kind"]), stored["file_ref"], stored.get("file_name", "")),)
    return Outgoing(chat=chat, html=broadcast.html, buttons=buttons, attachments=attachments)


def enqueue_batch(session: Session, outbox: Outbox, broadcast: Broadcast, now: datetime, size: int) -> int:
    """Enqueue the next `size` copies (or edits, or deletions); 0 when none are left or when
    another process took this batch first."""
    if broadcast.kind == BroadcastKind.MESSAGE:
        targets = _next_recipients(session, broadcast, size)
    else:
        targets = _next_copies(session, broadcast, size)
    if not _advance(session, broadcast, targets[-1][0] if targets else broadcast.cursor, len(targets)):
        return 0
    for _, message in targets:
        outbox.enqueue(session, message, now, broadcast_id=broadcast.id)
    return len(targets)


def _next_recipients(session: Session, broadcast: Broadcast, size: int) -> list[tuple[int, Outgoing]]:
    accounts = session.scalars(
        audience(broadcast).where(Account.id > broadcast.cursor).order_by(Account.id).limit(size)
    ).all()
    return [(account.id, message_for(broadcast, ChatRef(account.platform, account.chat_id)))
            for account in accounts]


def _next_copies(session: Session, broadcast: Broadcast, size: int) -> list[tuple[int, Outgoing]]:
    """For a correction: the delivered copies of the broadcast it corrects."""
    if broadcast.corrects_id is None:
        raise ValueError(f"broadcast {broadcast.id} is a correction of nothing")
    copies = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.broadcast_id == broadcast.corrects_id, OutboxMessage.status == OutboxStatus.SENT,
               OutboxMessage.id > broadcast.cursor)
        .order_by(OutboxMessage.id).limit(size)
    ).all()
    targets = []
    for copy in copies:
        chat = ChatRef(copy.platform, copy.chat_id)
        if broadcast.kind == BroadcastKind.EDIT:
            edited = message_for(broadcast, chat)
            message = Outgoing(chat, broadcast.html, buttons=edited.buttons, action=Action.EDIT,
                               targets=tuple(copy.message_ids[-1:]))
        else:
            message = Outgoing(chat, "", action=Action.DELETE, targets=tuple(copy.message_ids))
        targets.append((copy.id, message))
    return targets


def _advance(session: Session, broadcast: Broadcast, cursor: int, enqueued: int) -> bool:
    """Move the cursor from where this process read it; False if another process moved it first.
    An empty batch means every recipient has its row."""
    moved = session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast.id, Broadcast.cursor == broadcast.cursor,
               Broadcast.fanned_out.is_(False))
        .values(cursor=cursor, fanned_out=enqueued == 0, enqueued=Broadcast.enqueued + enqueued)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(broadcast)
    return moved == 1


def backlog(session: Session, broadcast_id: int) -> int:
    """Copies enqueued and not yet sent or given up."""
    return session.scalar(
        select(func.count()).where(OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.status.in_(UNFINISHED))
    ) or 0


def tally(session: Session, broadcast_id: int) -> Tally:
    rows = session.execute(
        select(OutboxMessage.status, OutboxMessage.failure_reason, func.count())
        .where(OutboxMessage.broadcast_id == broadcast_id)
        .group_by(OutboxMessage.status, OutboxMessage.failure_reason)
    ).all()
    by_status: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for status, reason, count in rows:
        by_status[status] += count
        if status == OutboxStatus.FAILED:
            failed[reason or "refused"] += count
    waiting = sum(by_status[status] for status in UNFINISHED)
    return Tally(by_status[OutboxStatus.SENT], waiting, by_status[OutboxStatus.CANCELLED], dict(failed))


def set_status(session: Session, broadcast: Broadcast, new: BroadcastStatus, *, only_from: tuple[str, ...],
               now: datetime) -> bool:
    """Change the status if it is still one of `only_from` (so two admins pressing at once act once)."""
    values: dict[str, object] = {"status": new}
    if new == BroadcastStatus.SENDING and broadcast.started_at is None:
        values["started_at"] = now
    if new in (BroadcastStatus.DONE, BroadcastStatus.CANCELLED):
        values["finished_at"] = now
    changed = session.execute(
        update(Broadcast).where(Broadcast.id == broadcast.id, Broadcast.status.in_(only_from)).values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(broadcast)
    return changed == 1


def hold_copies(session: Session, broadcast_id: int, held: bool, now: datetime) -> None:
    """Pausing holds the copies not yet sent; resuming releases them."""
    old, new = (OutboxStatus.PENDING, OutboxStatus.HELD) if held else (OutboxStatus.HELD, OutboxStatus.PENDING)
    session.execute(
        update(OutboxMessage).where(OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.status == old)
        .values(status=new, not_before=now).execution_options(synchronize_session=False)
    )


def cancel_copies(session: Session, broadcast_id: int) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.broadcast_id == broadcast_id,
               OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.HELD)))
        .values(status=OutboxStatus.CANCELLED).execution_options(synchronize_session=False)
    )


def draft_of(session: Session, author: str) -> Broadcast | None:
    """The broadcast an admin is composing, if any."""
    return session.scalar(
        select(Broadcast).where(Broadcast.author == author, Broadcast.status == BroadcastStatus.DRAFT)
        .order_by(Broadcast.id.desc()).limit(1)
    )


def due_to_start(session: Session, now: datetime) -> list[Broadcast]:
    return list(session.scalars(
        select(Broadcast).where(Broadcast.status == BroadcastStatus.SCHEDULED, Broadcast.send_at <= now)
        .order_by(Broadcast.id)
    ))


def sending(session: Session) -> list[int]:
    return list(session.scalars(
        select(Broadcast.id).where(Broadcast.status == BroadcastStatus.SENDING).order_by(Broadcast.id)
    ))


def recent(session: Session, limit: int = 10) -> list[Broadcast]:
    return list(session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)))
