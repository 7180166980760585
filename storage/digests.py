"""Cards waiting for a department's group, gathered into one digest when the group's budget is short."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, distinct, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from storage.models import LinkRole, OutboxMessage, OutboxStatus, QuestionAttachment

GATHERED = "gathered into a digest"
MOVED = "moved behind a digest"


@dataclass(frozen=True)
class WaitingCard:
    row_id: int
    question_id: int
    not_before: datetime


def crowded_chats(session: Session, platform: str, at_least: int) -> list[tuple[str, datetime]]:
    """Chats of `platform` with cards of at least `at_least` questions waiting, nothing in flight and no digest
    already waiting; each with the time its oldest waiting row is due (a retry after a refusal waits)."""
    def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.sum(case((condition, 1), else_=0))

    def questions(condition: ColumnElement[bool]) -> ColumnElement[int]:  # a long card is several rows
        return func.count(distinct(case((condition, OutboxMessage.question_id))))

    pending = OutboxMessage.status == OutboxStatus.PENDING
    return [(chat_id, due) for chat_id, due in session.execute(
        select(OutboxMessage.chat_id, func.min(OutboxMessage.not_before))
        .where(OutboxMessage.platform == platform,
               OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)))
        .group_by(OutboxMessage.chat_id)
        .having(questions(pending & (OutboxMessage.link_role == LinkRole.CARD)) >= at_least,
                count(OutboxMessage.status == OutboxStatus.SENDING) == 0,
                count(OutboxMessage.link_role == LinkRole.DIGEST) == 0)
    )]


def last_sent_at(session: Session, platform: str, chat_id: str) -> datetime | None:
    return session.scalar(select(func.max(OutboxMessage.sent_at)).where(
        OutboxMessage.platform == platform, OutboxMessage.chat_id == chat_id,
        OutboxMessage.status == OutboxStatus.SENT))


def take_waiting_cards(session: Session, platform: str, chat_id: str) -> list[WaitingCard]:
    """Withdraw the chat's waiting cards of questions without files (files need their card), oldest
    first. A card a sender claimed meanwhile is left to it, and so are the parts of one begun."""
    has_files = exists().where(QuestionAttachment.question_id == OutboxMessage.question_id)
    begun = aliased(OutboxMessage)  # a long card whose first part went: its other parts follow it
    under_way = exists().where(begun.question_id == OutboxMessage.question_id, begun.chat_id == chat_id,
                               begun.link_role == LinkRole.CARD,
                               begun.status.in_((OutboxStatus.SENT, OutboxStatus.SENDING)))
    taken = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.platform == platform, OutboxMessage.chat_id == chat_id,
               OutboxMessage.link_role == LinkRole.CARD, OutboxMessage.status == OutboxStatus.PENDING, ~has_files,
               ~under_way)
        .values(status=OutboxStatus.CANCELLED, error=GATHERED)
        .returning(OutboxMessage.id, OutboxMessage.question_id, OutboxMessage.not_before)
        .execution_options(synchronize_session=False)
    ).all()
    return [WaitingCard(*row) for row in sorted(taken) if row[1] is not None]


def put_back_behind(session: Session, cards: list[WaitingCard]) -> None:
    """Cards that did not fit in the digest wait again, behind it (a chat's rows go in id order),
    for the group's next slot: each is enqueued anew as it was, its withdrawn row marked so."""
    for card in cards:
        row = session.get_one(OutboxMessage, card.row_id)
        row.error = MOVED
        session.add(OutboxMessage(
            platform=row.platform, chat_id=row.chat_id, payload=row.payload, status=OutboxStatus.PENDING,
            attempts=0, not_before=row.not_before, created_at=row.created_at, message_ids=[],
            question_id=row.question_id, link_role=row.link_role, broadcast_id=row.broadcast_id,
        ))
