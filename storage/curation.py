"""Queries for curation and the event: open questions to compare, supporters, the event's list."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import SelectBase, func, select, update
from sqlalchemy.orm import Session

from storage.models import (
    Account,
    Answer,
    AnswerSource,
    Campaign,
    EventCurrent,
    Question,
    QuestionStatus,
    QuestionSupport,
)

REVIEWABLE = (QuestionStatus.IN_REVIEW, QuestionStatus.FORWARDED)  # open, as far as admins are concerned
CLOSED = (QuestionStatus.DRAFT, QuestionStatus.REJECTED, QuestionStatus.MERGED)


def open_signatures(session: Session, campaign_id: int, statuses: Sequence[QuestionStatus] = REVIEWABLE,
                    excluding_person: int | None = None, among: SelectBase | None = None) -> dict[int, str]:
    """The signatures of the campaign's open questions by id, in id order: the candidates for duplicates (of
    the ids `among` selects, e.g. found by the term index)."""
    statement = select(Question.id, Question.signature, Question.campaign_id, Question.status).where(
        Question.signature.is_not(None))
    if excluding_person is not None:
        statement = statement.join(Account, Question.account_id == Account.id).where(
            Account.person_id != excluding_person)
    if among is None:
        statement = statement.where(Question.campaign_id == campaign_id, Question.status.in_(statuses))
    else:
        # By id alone, the campaign and status checked here: told them, SQLite (without statistics) read the
        # campaign's every open question by their index to keep the few `among`, at 100,000 a third of a search.
        statement = statement.where(Question.id.in_(among))
    wanted = set(statuses)
    return {row.id: row.signature for row in session.execute(statement.order_by(Question.id))
            if row.campaign_id == campaign_id and row.status in wanted}


def in_review(session: Session, campaign_id: int) -> Sequence[Question]:
    return session.scalars(select(Question).where(
        Question.campaign_id == campaign_id, Question.status == QuestionStatus.IN_REVIEW,
    ).order_by(Question.id)).all()


def supporters(session: Session, question_id: int) -> Sequence[QuestionSupport]:
    return session.scalars(select(QuestionSupport).where(
        QuestionSupport.question_id == question_id).order_by(QuestionSupport.id)).all()


def add_support(session: Session, question: Question, account: Account, now: datetime,
                merged: Question | None = None) -> bool:
    """Record a person's backing once; False when they asked it themselves or back it already."""
    person_id = account.person_id
    if question.account.person_id == person_id or session.scalar(select(QuestionSupport.id).where(
            QuestionSupport.question_id == question.id, QuestionSupport.person_id == person_id)):
        return False
    session.add(QuestionSupport(question_id=question.id, person_id=person_id, account_id=account.id,
                                merged_question_id=merged.id if merged else None, created_at=now))
    session.flush()
    return True


def move_followers(session: Session, source: Question, target: Question, now: datetime) -> None:
    """The supporters of a merged question back the question it was merged into; so do its merged duplicates."""
    for support in supporters(session, source.id):
        merged = session.get(Question, support.merged_question_id) if support.merged_question_id else source
        add_support(session, target, support.account, now, merged=merged)
        session.delete(support)
    session.execute(update(Question).where(Question.merged_into_id == source.id).values(merged_into_id=target.id))


def supported_by(session: Session, person_id: int, limit: int = 20) -> Sequence[Question]:
    """The questions a person backs, newest support first."""
    return session.scalars(select(Question).join(QuestionSupport, QuestionSupport.question_id == Question.id).where(
        QuestionSupport.person_id == person_id).order_by(QuestionSupport.id.desc()).limit(limit)).all()


def support_counts(session: Session, question_ids: Iterable[int]) -> dict[int, int]:
    ids = list(question_ids)
    rows = session.execute(select(QuestionSupport.question_id, func.count()).where(
        QuestionSupport.question_id.in_(ids)).group_by(QuestionSupport.question_id))
    return {question_id: count for question_id, count in rows}


def event_candidates(session: Session, campaign_id: int) -> Sequence[Question]:
    """Questions let through to a department (answered or not) and not picked yet."""
    return session.scalars(select(Question).where(
        Question.campaign_id == campaign_id, Question.event_rank.is_(None),
        Question.status.in_((QuestionStatus.FORWARDED, QuestionStatus.ANSWERED)),
    ).order_by(Question.id)).all()


def lock_agenda(session: Session, campaign_id: int) -> None:
    """Serialise changes to the event's list: two admins picking at once would draw the same rank.

    The campaign row is locked until the transaction ends (PostgreSQL); SQLite has one writer anyway.
    """
    session.execute(select(Campaign.id).where(Campaign.id == campaign_id).with_for_update())


def agenda(session: Session, campaign_id: int) -> Sequence[Question]:
    """The questions picked for the event, in the order they will be asked."""
    return session.scalars(select(Question).where(
        Question.campaign_id == campaign_id, Question.event_rank.is_not(None),
    ).order_by(Question.event_rank)).all()


def live_answer(session: Session, question_id: int) -> Answer | None:
    return session.scalar(select(Answer).where(Answer.question_id == question_id, Answer.source == AnswerSource.LIVE))


def latest_answer(session: Session, question_id: int) -> Answer | None:
    return session.scalar(select(Answer).where(Answer.question_id == question_id).order_by(Answer.id.desc()).limit(1))


def current_question(session: Session, campaign_id: int) -> Question | None:
    """The question the hall is looking at: the one set last, while it is still on the agenda."""
    row = session.get(EventCurrent, campaign_id)
    question = session.get(Question, row.question_id) if row is not None and row.question_id else None
    return question if question is not None and question.event_rank is not None else None


def set_current(session: Session, campaign_id: int, question: Question, now: datetime) -> None:
    row = session.get(EventCurrent, campaign_id)
    if row is None:
        session.add(EventCurrent(campaign_id=campaign_id, question_id=question.id, changed_at=now))
    else:
        row.question_id, row.changed_at = question.id, now
    session.flush()
