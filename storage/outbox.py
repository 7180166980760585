"""The outbox: every message the bot sends is first a row here.

A row is written in the same transaction as the change it reports, so a message is
never sent about something that did not happen, nor lost when the process dies
before sending it. Long texts become several rows, each one platform request, so a
crash can repeat at most the one request that was in flight.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, case, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from core.messages import Outgoing
from core.textsplit import split_html
from storage.db import insert
from storage.models import ChatMenu, LinkRole, MessageLink, OutboxMessage, OutboxStatus

DEFAULT_TEXT_LIMIT = 4096


class Outbox:
    """Enqueues messages; knows each platform's text limit so that nothing is cut silently."""

    def __init__(self, text_limits: Mapping[str, int] | None = None) -> None:
        self._text_limits = dict(text_limits or {})

    def text_limit(self, platform: str) -> int:
        """The longest message the platform takes, in UTF-16 code units."""
        return self._text_limits.get(platform, DEFAULT_TEXT_LIMIT)

    def enqueue(
        self,
        session: Session,
        message: Outgoing,
        now: datetime,
        question_id: int | None = None,
        link_role: LinkRole | None = None,
        broadcast_id: int | None = None,
    ) -> list[OutboxMessage]:
        limit = self.text_limit(message.chat.platform)
        parts = split_html(message.html, limit)
        rows = []
        for index, html in enumerate(parts):
            last = index == len(parts) - 1
            part = replace(
                message,
                html=html,
                buttons=message.buttons if last else (),
                expects_reply=message.expects_reply and last,
                attachments=message.attachments if index == 0 else (),
                reply_to_message_id=message.reply_to_message_id if index == 0 else "",
            )
            rows.append(OutboxMessage(
                platform=message.chat.platform,
                chat_id=message.chat.chat_id,
                payload=part.to_json(),
                status=OutboxStatus.PENDING,
                attempts=0,
                not_before=now,
                created_at=now,
                message_ids=[],
                question_id=question_id,
                link_role=link_role,
                broadcast_id=broadcast_id,
            ))
        session.add_all(rows)
        if message.choices:
            remember_menu(session, message)
        return rows


def remember_menu(session: Session, message: Outgoing) -> None:
    """The choices of the newest message with buttons in a chat: a typed number picks one. Written
    without reading it first, unless it was read in this session (it is then changed in place)."""
    key = (message.chat.platform, message.chat.chat_id)
    options = [button.data for button in message.choices]
    menu = session.identity_map.get(identity_key(ChatMenu, key))
    if menu is not None:
        menu.options = options
        return
    statement = insert(session, ChatMenu).values(platform=key[0], chat_id=key[1], options=options)
    with session.no_autoflush:  # it depends on no pending change: those wait for the next flush
        session.execute(statement.on_conflict_do_update(index_elements=["platform", "chat_id"],
                                                        set_={"options": statement.excluded.options}))


def read_menus_ahead(session: Session, chats: list[tuple[str, str]]) -> list[ChatMenu]:
    """Read a batch's chat menus in one query per platform: `session.get` then finds them in the
    identity map (the list returned keeps them there) without a round trip of its own."""
    by_platform: dict[str, set[str]] = defaultdict(set)
    for platform, chat_id in chats:
        by_platform[platform].add(chat_id)
    return [menu for platform, chat_ids in by_platform.items() for menu in session.scalars(
        select(ChatMenu).where(ChatMenu.platform == platform, ChatMenu.chat_id.in_(chat_ids)))]


QUESTION_CARRIERS = (LinkRole.CARD, LinkRole.DIGEST)


def carries_questions(row: OutboxMessage) -> bool:
    """A card or a digest: questions for a department's group, which may receive one message every few
    seconds; so these go first in the overall rate (a digest missing its slot delays all it carries)."""
    return row.link_role in QUESTION_CARRIERS


def due_heads(session: Session, platform: str, now: datetime, limit: int = 200) -> list[OutboxMessage]:
    """For each chat, its oldest unsent row if that row is due: per-chat order is kept.

    Conversation comes before broadcasts, so a receipt never waits behind a big broadcast; cards and
    digests first among conversation (`carries_questions`), so the limit never leaves them out.
    """
    unsent = (OutboxStatus.PENDING, OutboxStatus.SENDING)
    heads = (
        select(func.min(OutboxMessage.id))
        .where(OutboxMessage.platform == platform, OutboxMessage.status.in_(unsent))
        .group_by(OutboxMessage.chat_id)
    )
    statement = (
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(heads), OutboxMessage.not_before <= now)
        .order_by(OutboxMessage.broadcast_id.is_not(None),
                  case((OutboxMessage.link_role.in_(QUESTION_CARRIERS), 0), else_=1), OutboxMessage.id)
        .limit(limit)
    )
    return list(session.scalars(statement))


def next_due_at(session: Session, platform: str, after: datetime) -> datetime | None:
    """When the earliest row that is not yet due becomes due (retries wait like this)."""
    unsent = (OutboxStatus.PENDING, OutboxStatus.SENDING)
    return session.scalar(
        select(func.min(OutboxMessage.not_before))
        .where(OutboxMessage.platform == platform, OutboxMessage.status.in_(unsent),
               OutboxMessage.not_before > after)
    )


def claim(session: Session, row_ids: list[int], now: datetime, lease: timedelta) -> set[int]:
    """Mark rows as being sent; those sent meanwhile, held by another sender, or made to wait
    meanwhile (another process just sent to their chat) are left out.

    A row left `sending` by a sender that died is taken over once its lease has run out. Rows read in
    this session keep the status they were read with: the sender tells a taken-over row by it.
    """
    takeable = or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at <= now - lease),
    )
    claimed = session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(row_ids), takeable)
        .values(status=OutboxStatus.SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    return set(claimed)


@dataclass(frozen=True)
class Sent:
    """A row's send: the row as claimed, the platform's ids, when the platform answered, the chat's interval."""

    row: OutboxMessage
    message_ids: list[str]
    at: datetime
    chat_interval: timedelta = timedelta(0)


def mark_sent(session: Session, sends: list[Sent]) -> None:
    """Record a batch of sends in three statements, whatever its size: the rows sent, each chat's next
    row made to wait its interval from the answer (whichever process sends it, and a digest's slot is
    counted from there: `scheduler/digests.py`), and the links of question messages.

    Core statements (executemany), not the ORM's unit of work: at hundreds of sends a second,
    loading, changing and flushing each row cost more than sending it.
    """
    if not sends:
        return
    table = OutboxMessage.__table__
    session.execute(
        update(table).where(table.c.id == bindparam("row_id"))
        .values(status=OutboxStatus.SENT, sent_at=bindparam("at"), message_ids=bindparam("ids"), error=None),
        [{"row_id": send.row.id, "at": send.at, "ids": send.message_ids} for send in sends],
    )
    until = bindparam("until", type_=table.c.not_before.type)
    waits = [{"chat": send.row.chat_id, "where": send.row.platform, "until": send.at + send.chat_interval}
             for send in sends if send.chat_interval]
    if waits:
        session.execute(
            update(table)
            .where(table.c.platform == bindparam("where"), table.c.status == OutboxStatus.PENDING,
                   table.c.chat_id == bindparam("chat"), table.c.not_before < until)
            .values(not_before=until),
            waits,
        )
    links = [{"platform": send.row.platform, "chat_id": send.row.chat_id, "message_id": message_id,
              "question_id": send.row.question_id, "role": send.row.link_role}
             for send in sends if send.row.question_id is not None and send.row.link_role
             for message_id in send.message_ids]
    if links:
        session.execute(MessageLink.__table__.insert(), links)


def rows(session: Session, row_ids: list[int]) -> dict[int, OutboxMessage]:
    """Rows by id, read in one query (the sender records a batch of answers at once)."""
    return {row.id: row for row in session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(row_ids)))}


def retry_later(row: OutboxMessage, error: str, at: datetime) -> None:
    row.status = OutboxStatus.PENDING
    row.not_before = at
    row.error = error


def mark_failed(row: OutboxMessage, error: str, reason: str) -> None:
    row.status = OutboxStatus.FAILED
    row.error = error
    row.failure_reason = reason


def backoff(attempts: int) -> timedelta:
    """Wait before retrying after a network error: 2, 4, 8 ... up to 5 minutes."""
    return timedelta(seconds=min(2 ** attempts, 300))
