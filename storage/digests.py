"""Cards waiting for a department's group, gathered into one digest when the group's budget is short."""

from __future__ import annotations

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from storage.models import OutboxMessage, OutboxStatus, QuestionAttachment

GATHERED = "gathered into a digest"


def crowded_chats(session: Session, at_least: int) -> list[tuple[str, str]]:
    """Chats with at least `at_least` question cards waiting to be sent."""
    return [(platform, chat_id) for platform, chat_id in session.execute(
        select(OutboxMessage.platform, OutboxMessage.chat_id)
        .where(OutboxMessage.link_role == "card", OutboxMessage.status == OutboxStatus.PENDING)
        .group_by(OutboxMessage.platform, OutboxMessage.chat_id)
        .having(func.count() >= at_least)
    )]


def take_waiting_cards(session: Session, platform: str, chat_id: str) -> list[int]:
    """Withdraw the chat's waiting cards of questions without files (files need their card);
    returns their questions, oldest first. A card a sender claimed meanwhile is left to it."""
    has_files = exists().where(QuestionAttachment.question_id == OutboxMessage.question_id)
    taken = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.platform == platform, OutboxMessage.chat_id == chat_id,
               OutboxMessage.link_role == "card", OutboxMessage.status == OutboxStatus.PENDING, ~has_files)
        .values(status=OutboxStatus.CANCELLED, error=GATHERED)
        .returning(OutboxMessage.id, OutboxMessage.question_id)
        .execution_options(synchronize_session=False)
    ).all()
    return [question_id for _, question_id in sorted(taken) if question_id is not None]
