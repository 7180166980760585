"""Queries about questions, people and the links between messages and questions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, inspect, select, update
from sqlalchemy import insert as sa_insert
from sqlalchemy.orm import Session, joinedload, object_session

from core.config import Campaign as CampaignSettings
from storage.db import insert
from storage.models import (
    Account,
    Answer,
    Campaign,
    LinkRole,
    MessageLink,
    Question,
    QuestionEvent,
    QuestionStatus,
)


def ensure_campaign(session: Session, settings: CampaignSettings, now: datetime) -> Campaign:
    """The campaign the configuration names, created on first start; past ones stay as they are. Created with
    INSERT .. ON CONFLICT DO NOTHING: two processes starting at once on PostgreSQL would otherwise both insert it."""
    session.execute(insert(session, Campaign).values(
        key=settings.key, last_number=0, created_at=now, name=settings.name, level=settings.level,
        code_prefix=settings.code_prefix).on_conflict_do_nothing(index_elements=["key"]))
    campaign = session.scalars(select(Campaign).where(Campaign.key == settings.key)).one()
    campaign.name = settings.name
    campaign.level = settings.level
    campaign.code_prefix = settings.code_prefix
    session.flush()
    return campaign


def allocate_code(session: Session, campaign: Campaign) -> tuple[int, str]:
    """The next tracking number of the campaign; the row update serialises concurrent askers. It depends
    on no pending change, so it does not flush them: they go with the accepted question's own."""
    with session.no_autoflush:
        number = session.execute(
            update(Campaign)
            .where(Campaign.id == campaign.id)
            .values(last_number=Campaign.last_number + 1)
            .returning(Campaign.last_number)
        ).scalar_one()
    return number, f"{campaign.code_prefix}-{number:04d}"


KNOWN_ACCOUNTS = "known_accounts"  # session.info: (platform, user id) → Account, read ahead for a batch


def find_account(session: Session, platform: str, user_id: str) -> Account | None:
    known = session.info.get(KNOWN_ACCOUNTS, {}).get((platform, user_id))
    if known is not None and known in session and known not in session.deleted:
        return known
    return session.scalar(select(Account).where(Account.platform == platform, Account.user_id == user_id))


def read_accounts_ahead(session: Session, senders: Iterable[tuple[str, str]]) -> None:
    """Read the accounts (with their people) of a batch's senders in one query per platform, for
    `find_account` to answer from in this session: one round trip for the batch, not two per update."""
    by_platform: dict[str, set[str]] = defaultdict(set)
    for platform, user_id in senders:
        by_platform[platform].add(user_id)
    known = session.info.setdefault(KNOWN_ACCOUNTS, {})  # also keeps them in the identity map
    for platform, user_ids in by_platform.items():
        for account in session.scalars(select(Account).options(joinedload(Account.person))
                                       .where(Account.platform == platform, Account.user_id.in_(user_ids))):
            known[(platform, account.user_id)] = account


def find_by_code(session: Session, code: str, campaign_id: int) -> Question | None:
    """A question by tracking code, in the current campaign first, else the newest with that code."""
    statement = (
        select(Question)
        .where(func.upper(Question.code) == code.upper())
        .order_by((Question.campaign_id == campaign_id).desc(), Question.id.desc())
        .limit(1)
    )
    return session.scalar(statement)


def linked_question(session: Session, platform: str, chat_id: str, message_id: str) -> tuple[Question, LinkRole] | None:
    """The question a bot message was about, and the role of that message (card, answer, ...)."""
    link = session.scalar(select(MessageLink).where(
        MessageLink.platform == platform, MessageLink.chat_id == chat_id, MessageLink.message_id == message_id,
    ))
    if link is None:
        return None
    return session.get_one(Question, link.question_id), link.role


def draft_of(session: Session, account: Account) -> Question | None:
    """The account's earliest draft (a second one exists only while the person chooses what to do with it)."""
    drafts = drafts_of(session, account)
    return drafts[0] if drafts else None


def drafts_of(session: Session, account: Account) -> Sequence[Question]:
    return session.scalars(select(Question).where(
        Question.account_id == account.id, Question.status == QuestionStatus.DRAFT,
    ).order_by(Question.id)).all()


def question_from_message(session: Session, account: Account, message_id: str) -> Question | None:
    return session.scalar(select(Question).where(
        Question.account_id == account.id, Question.source_message_id == message_id,
    ).order_by(Question.id.desc()).limit(1))


def questions_of(session: Session, account: Account, limit: int = 20) -> Sequence[Question]:
    return session.scalars(
        select(Question)
        .where(Question.account_id == account.id, Question.status != QuestionStatus.DRAFT)
        .order_by(Question.id.desc())
        .limit(limit)
    ).all()


def accepted_since(session: Session, account: Account, since: datetime) -> int:
    return session.scalar(select(func.count()).where(
        Question.account_id == account.id, Question.accepted_at >= since,
    )) or 0


def open_for_department(session: Session, department_key: str, campaign_id: int) -> Sequence[Question]:
    return session.scalars(
        select(Question)
        .where(
            Question.department_key == department_key,
            Question.campaign_id == campaign_id,
            Question.status == QuestionStatus.FORWARDED,
        )
        .order_by(Question.id)
    ).all()


def answer_by_message(session: Session, platform: str, chat_id: str, message_id: str) -> Answer | None:
    return session.scalar(select(Answer).where(
        Answer.platform == platform, Answer.chat_id == chat_id, Answer.message_id == message_id,
    ))


def add_event(question: Question, kind: str, at: datetime, actor: str = "", **detail: object) -> None:
    """A stored question's history is neither read nor kept in the session to add to it: one INSERT, now
    (no unit of work for it at the next flush); a loaded one (or a new question's) is kept whole."""
    session = object_session(question)
    if session is None or question.id is None or "events" in inspect(question).dict:
        question.events.append(QuestionEvent(kind=kind, at=at, actor=actor, detail=dict(detail)))
    else:
        session.connection().execute(sa_insert(QuestionEvent.__table__).values(  # the connection's: no autoflush
            question_id=question.id, kind=kind, at=at, actor=actor, detail=dict(detail)))


def code_of(session: Session, question_id: int | None) -> str | None:
    """A question's tracking code for the `question` field of a log line; None when there is none."""
    question = session.get(Question, question_id) if question_id is not None else None
    return question.code if question is not None else None
