"""Delivery notices: what a department is told about each answer sent to its asker.

A notice watches the asker's outbox rows of one message. When the sender records the last of
them sent, or one of them failed for good, the notice gets its outcome in that same
transaction. Ready notices of a chat wait until that chat has nothing else to send, and are
then taken together (deleted), so one message tells many outcomes and no card waits behind them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from core.messages import ChatRef
from storage.models import DeliveryNotice, LinkRole, NoticeStatus, OutboxMessage, OutboxStatus, Question

DELIVERED, FAILED, ERASED, QUEUED = "delivered", "failed", "erased", "queued"
OFFLINE = "offline"  # asked offline (an imported question): nobody to send to, the answer is stored
UNSENT = (OutboxStatus.PENDING, OutboxStatus.SENDING)


@dataclass(frozen=True)
class Told:
    """One line's worth of a notice, as it is told."""

    code: str
    kind: str  # answer, correction
    outcome: str  # delivered, failed, erased, queued (still in the outbox after a while)
    reason: str | None
    error: str | None
    question_id: int


def watch(session: Session, question_id: int, kind: str, rows: list[OutboxMessage], notify: ChatRef,
          now: datetime, without_rows: str = ERASED) -> None:
    """Follow the asker's rows of one message; with no rows it is ready at once, as `without_rows` (the
    asker erased their data, or the question was asked offline)."""
    if rows:
        session.flush()
    ids = [row.id for row in rows]
    session.add(DeliveryNotice(
        question_id=question_id, kind=kind, first_row_id=min(ids, default=None), last_row_id=max(ids, default=None),
        notify_platform=notify.platform, notify_chat_id=notify.chat_id,
        status=NoticeStatus.WATCHING if ids else NoticeStatus.READY, outcome=None if ids else without_rows,
        created_at=now, queued_told=False,
    ))


def settle(session: Session, row: OutboxMessage) -> None:
    """The sender recorded `row` sent, or failed for good: complete the notice watching it, if any.

    A part refused for good fails its message: the parts after it are failed with it, unsent
    (they would meet the same refusal and be reported once each); held parts are released together.
    """
    if row.question_id is None or row.link_role != LinkRole.ANSWER or row.status not in (OutboxStatus.SENT,
                                                                                  OutboxStatus.FAILED):
        return
    notice = session.scalars(select(DeliveryNotice).where(
        DeliveryNotice.question_id == row.question_id, DeliveryNotice.status == NoticeStatus.WATCHING,
        DeliveryNotice.first_row_id <= row.id, DeliveryNotice.last_row_id >= row.id,
    ).limit(1)).first()
    if notice is None:
        return
    parts = (OutboxMessage.id.between(notice.first_row_id, notice.last_row_id),
             OutboxMessage.platform == row.platform, OutboxMessage.chat_id == row.chat_id,
             OutboxMessage.question_id == row.question_id, OutboxMessage.link_role == LinkRole.ANSWER)
    if row.status == OutboxStatus.FAILED:
        session.execute(
            update(OutboxMessage).where(*parts, OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.FAILED, error=row.error, failure_reason=row.failure_reason)
            .execution_options(synchronize_session=False)
        )
        notice.outcome, notice.reason, notice.error = FAILED, row.failure_reason, row.error
    elif session.scalar(select(exists().where(*parts, OutboxMessage.status.in_(UNSENT)))):
        return
    else:
        notice.outcome = DELIVERED
    notice.status = NoticeStatus.READY


def take_ready(session: Session, platform: str, now: datetime,
               queued_after: timedelta) -> dict[ChatRef, list[Told]]:
    """What each chat of `platform` is to be told now, for chats with nothing else to send.

    Ready notices are taken (deleted); a notice still watching after `queued_after` is told
    once as queued, and again when its outcome is known (or as erased, if its rows were deleted
    with their person). Two senders never take one notice:
    only the rows each one's DELETE or UPDATE returns are told by it.
    """
    ready = session.execute(
        select(DeliveryNotice, Question.code).join(Question, Question.id == DeliveryNotice.question_id)
        .where(DeliveryNotice.notify_platform == platform,
               (DeliveryNotice.status == NoticeStatus.READY)
               | ((DeliveryNotice.status == NoticeStatus.WATCHING) & (DeliveryNotice.created_at <= now - queued_after)))
        .order_by(DeliveryNotice.id)
    ).all()
    by_chat: dict[ChatRef, list[tuple[DeliveryNotice, str]]] = defaultdict(list)
    for notice, code in ready:
        if notice.status == NoticeStatus.WATCHING and not _rows_left(session, notice):
            notice.status, notice.outcome = NoticeStatus.READY, ERASED  # erased with their person meanwhile
        elif notice.status == NoticeStatus.WATCHING and notice.queued_told:
            continue
        by_chat[ChatRef(notice.notify_platform, notice.notify_chat_id)].append((notice, code or ""))
    told: dict[ChatRef, list[Told]] = {}
    for chat, notices in by_chat.items():
        if not _busy(session, chat):
            lines = _take(session, notices)
            if lines:
                told[chat] = lines
    return told


def _rows_left(session: Session, notice: DeliveryNotice) -> bool:
    return bool(session.scalar(select(exists().where(
        OutboxMessage.id.between(notice.first_row_id, notice.last_row_id),
        OutboxMessage.question_id == notice.question_id))))


def _busy(session: Session, chat: ChatRef) -> bool:
    return bool(session.scalar(select(exists().where(
        OutboxMessage.platform == chat.platform, OutboxMessage.chat_id == chat.chat_id,
        OutboxMessage.status.in_(UNSENT)))))


def _take(session: Session, notices: list[tuple[DeliveryNotice, str]]) -> list[Told]:
    ready = [n.id for n, _ in notices if n.status == NoticeStatus.READY]
    queued = [n.id for n, _ in notices if n.status == NoticeStatus.WATCHING]
    taken = set(session.scalars(
        delete(DeliveryNotice).where(DeliveryNotice.id.in_(ready), DeliveryNotice.status == NoticeStatus.READY)
        .returning(DeliveryNotice.id).execution_options(synchronize_session=False)
    )) if ready else set()
    marked = set(session.scalars(
        update(DeliveryNotice).where(DeliveryNotice.id.in_(queued), DeliveryNotice.status == NoticeStatus.WATCHING,
                                     DeliveryNotice.queued_told.is_(False))
        .values(queued_told=True).returning(DeliveryNotice.id).execution_options(synchronize_session=False)
    )) if queued else set()
    lines = []
    for notice, code in notices:
        if notice.id in taken:
            lines.append(Told(code, notice.kind, notice.outcome or DELIVERED, notice.reason, notice.error,
                              notice.question_id))
        elif notice.id in marked:
            lines.append(Told(code, notice.kind, QUEUED, None, None, notice.question_id))
        session.expunge(notice)
    return lines
