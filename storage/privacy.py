"""Erasing a young person's personal data while their questions and answers stay, anonymised,
for the report (Decree 13/2023/NĐ-CP: the right to delete; storage no longer than needed).

Erased: names, platform account and chat ids, district, consent, the updates they sent
(inbox), the messages sent to them (outbox), links and menus of their chat, their questions'
message ids and attachments, their name as the actor of question events, reminders still
planned for them, account-linking codes and their reply window's contact, the nominations they were
still writing (and their name on the ones they sent), the nominations about them that they confirmed
(with their evidence files); they leave every broadcast audience. Kept: question texts, answers, dates,
statuses, districts and categories of the questions, and the person row (so a ban is not lifted by
forgetting).

The retention sweep forgets people inactive for the retention period, and deletes nominations (with their
evidence files) made, confirmed and decided on before it: a nomination is nothing but what it says about
its nominee, so nothing of it is kept for a report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from storage.models import (
    Account,
    AccountState,
    ChatMenu,
    Contact,
    InboxUpdate,
    LinkCode,
    MessageLink,
    Nomination,
    NominationStatus,
    OutboxMessage,
    OutboxStatus,
    Person,
    Question,
    QuestionAttachment,
    QuestionEvent,
    Reminder,
    ReminderStatus,
)
from storage.nominations import about, erase, untouched_since

FORGOTTEN_PREFIX = "forgotten-"
SWEEP_BATCH = 500


@dataclass(frozen=True)
class Swept:
    people: int  # forgotten
    nominations: int  # deleted with their files


def forget_person(session: Session, person: Person, now: datetime) -> None:
    erase(session, about(session, [account.id for account in person.accounts]))
    for account in person.accounts:
        _forget_account(session, account, now)
    person.district_key = None
    person.consent_at = None
    person.forgotten_at = now


def _forget_account(session: Session, account: Account, now: datetime) -> None:
    platform, chat_id, key = account.platform, account.chat_id, account.key
    questions = select(Question.id).where(Question.account_id == account.id)
    session.execute(delete(InboxUpdate).where(
        InboxUpdate.chat_key == f"{platform}:{chat_id}", InboxUpdate.processed_at.is_not(None)))
    # A row being sent is left to its sender; the retention sweep removes it later.
    session.execute(delete(OutboxMessage).where(
        OutboxMessage.platform == platform, OutboxMessage.chat_id == chat_id,
        OutboxMessage.status != OutboxStatus.SENDING))
    session.execute(delete(MessageLink).where(MessageLink.platform == platform, MessageLink.chat_id == chat_id))
    session.execute(delete(ChatMenu).where(ChatMenu.platform == platform, ChatMenu.chat_id == chat_id))
    session.execute(update(Question).where(Question.account_id == account.id).values(source_message_id="",
                                                                              asker_name=None))
    session.execute(update(QuestionAttachment).where(QuestionAttachment.question_id.in_(questions))
                    .values(file_ref="", file_name=""))
    session.execute(update(QuestionEvent).where(QuestionEvent.actor == key).values(actor=""))
    session.execute(update(Reminder).where(Reminder.account_id == account.id, Reminder.status.in_(
        (ReminderStatus.PENDING, ReminderStatus.PAUSED))).values(status=ReminderStatus.SKIPPED))
    session.execute(delete(LinkCode).where(
        (LinkCode.account_id == account.id) | (LinkCode.used_by_account_id == account.id)))
    session.execute(delete(Contact).where(Contact.platform == platform, Contact.user_id == account.user_id))
    # Their nominations stay (the nominee consented to them) without naming who proposed; half-done ones go.
    session.execute(delete(Nomination).where(Nomination.account_id == account.id,
                                             Nomination.status == NominationStatus.DRAFT))
    session.execute(update(Nomination).where(Nomination.account_id == account.id).values(proposer=""))
    account.subscribed = False
    account.unsubscribed_at = now
    account.user_id = f"{FORGOTTEN_PREFIX}{account.id}"
    account.chat_id = ""
    account.display_name = ""
    account.state = AccountState.IDLE


def expired_people(session: Session, cutoff: datetime, limit: int = SWEEP_BATCH) -> Sequence[Person]:
    """People not yet forgotten with no account and no question since `cutoff`."""
    recent_account = select(Account.id).where(Account.person_id == Person.id, Account.created_at >= cutoff)
    recent_question = (select(Question.id).join(Account, Account.id == Question.account_id)
                       .where(Account.person_id == Person.id, Question.created_at >= cutoff))
    return session.scalars(
        select(Person)
        .where(Person.forgotten_at.is_(None), Person.created_at < cutoff,
               ~exists(recent_account), ~exists(recent_question))
        .order_by(Person.id).limit(limit)
    ).all()


def sweep_expired(session: Session, now: datetime, retention: timedelta) -> Swept:
    """Anonymise people inactive for `retention`, delete nominations as old, and drop handled updates and sent
    messages as old.

    Idempotent, so two processes running it at once do no harm.
    """
    cutoff = now - retention
    people = expired_people(session, cutoff)
    for person in people:
        forget_person(session, person, now)
    nominations = untouched_since(session, cutoff, SWEEP_BATCH)
    erase(session, nominations)
    session.execute(delete(InboxUpdate).where(InboxUpdate.processed_at < cutoff))
    session.execute(delete(OutboxMessage).where(
        OutboxMessage.created_at < cutoff,
        OutboxMessage.status.in_((OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.SENDING))))
    return Swept(len(people), len(nominations))
