"""The database schema as SQLAlchemy 2 typed ORM classes.

Times are stored in UTC and come back timezone-aware on every backend. Keys of
districts, categories and departments are stored as text: they come from the
configuration, which may change between campaigns without rewriting history.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from core.messages import Attachment, MediaKind
from core.normalize import fold


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on SQLite too, which keeps no offset."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class QuestionStatus(StrEnum):
    DRAFT = "draft"          # text kept while the asker picks a category; not yet accepted
    RECEIVED = "received"    # accepted, code given, waiting to be forwarded
    FORWARDED = "forwarded"  # in a department's chat, waiting for an answer
    ANSWERED = "answered"
    REJECTED = "rejected"
    MERGED = "merged"
    IN_REVIEW = "in_review"  # accepted, waiting for the Youth Union's approval ([curation] approval_required)


OPEN_STATUSES = (QuestionStatus.RECEIVED, QuestionStatus.FORWARDED)


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(32))
    code_prefix: Mapped[str] = mapped_column(String(16))
    last_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    reminders_paused_at: Mapped[datetime | None]


class AccountState(StrEnum):
    """What an account's next typed message is taken as (`Account.state`)."""

    IDLE = ""              # a question, or a command
    DISTRICT = "district"  # the name of their unit: the unit buttons are on screen
    FOLLOWUP = "followup"  # a follow-up to a question, stored with its id: "followup:12" (handlers.followups)
    NOMINATE = "nominate"  # the next field of a nomination being written (handlers.nominations)


class Person(Base):
    """A young person (or an officer) who gave consent; several accounts may belong to one."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    consent_at: Mapped[datetime | None]
    district_key: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    banned_at: Mapped[datetime | None]
    ban_reason: Mapped[str | None] = mapped_column(Text)
    forgotten_at: Mapped[datetime | None]  # personal data erased (/forget or retention); questions stay

    accounts: Mapped[list[Account]] = relationship(back_populates="person")


class Account(Base):
    """One person on one platform, with where the conversation with them stands."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(32), default=AccountState.IDLE)  # an AccountState, with its argument
    window_started_at: Mapped[datetime | None]
    window_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    subscribed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())  # to broadcasts
    unsubscribed_at: Mapped[datetime | None]
    blocked_at: Mapped[datetime | None]  # the platform refused a message: the person blocked the bot

    person: Mapped[Person] = relationship(back_populates="accounts")

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.user_id}"


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("campaign_id", "number"),
        UniqueConstraint("campaign_id", "code"),
        Index("ix_questions_open", "status", "department_key"),
        Index("ix_questions_account", "account_id", "created_at"),
        Index("ix_questions_board_due", "campaign_id", "answer_due_at", "number"),  # the board by deadline
        # The board's counts read these without touching the rows: by status (and overdue), and an officer's
        Index("ix_questions_board_status", "campaign_id", "status", "answer_due_at"),
        Index("ix_questions_board_department", "campaign_id", "department_key", "status", "answer_due_at"),
        Index("ix_questions_changed", "campaign_id", "changed_at"),  # storage.board.change_mark
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    number: Mapped[int | None]
    code: Mapped[str | None] = mapped_column(String(32), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    source_message_id: Mapped[str] = mapped_column(String(64), default="")
    district_key: Mapped[str] = mapped_column(String(64))
    category_key: Mapped[str | None] = mapped_column(String(64))
    suggested_category_key: Mapped[str | None] = mapped_column(String(64))
    department_key: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[QuestionStatus] = mapped_column(String(16))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    created_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    forwarded_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    answer_due_at: Mapped[datetime | None]
    overdue_at: Mapped[datetime | None]
    very_overdue_at: Mapped[datetime | None]
    late_notice_at: Mapped[datetime | None]  # the asker was told, once, that the answer is late
    useful: Mapped[bool | None] = mapped_column(Boolean)  # the asker's verdict on the answer
    useful_at: Mapped[datetime | None]
    original_text: Mapped[str | None] = mapped_column(Text)  # the asker's words when an admin clarified `text`
    event_rank: Mapped[int | None]  # position in the event's list of questions; None when not picked
    signature: Mapped[str | None] = mapped_column(Text)  # Understanding.signature(text): its terms, to find duplicates
    published_at: Mapped[datetime | None]  # an admin put it in the public FAQ (/publish)
    search_text: Mapped[str] = mapped_column(Text, default=lambda context: search_text_of(
        **{key: context.get_current_parameters().get(key) for key in SEARCHED}), server_default="")
    """The code and words folded (core.normalize.fold), so that the board's search for "thue" finds "thuế";
    kept by `search_text_of` on every insert and update (the default here, `_refold` below)."""
    changed_at: Mapped[datetime | None] = mapped_column(default=lambda: datetime.now(UTC),
                                                        onupdate=lambda: datetime.now(UTC))
    """The wall clock at the last insert or update of the row (ORM or not): only compared, to tell the
    console's pages that something changed, so it is not the app's clock."""
    source_id: Mapped[int | None] = mapped_column(ForeignKey("question_sources.id"))  # None: asked in a chat
    asker_name: Mapped[str | None] = mapped_column(Text)  # an offline question's optional asker; never shown to staff

    campaign: Mapped[Campaign] = relationship()
    account: Mapped[Account] = relationship(foreign_keys=[account_id])
    source: Mapped[QuestionSource | None] = relationship()
    attachments: Mapped[list[QuestionAttachment]] = relationship(order_by="QuestionAttachment.id")
    events: Mapped[list[QuestionEvent]] = relationship(order_by="QuestionEvent.id")
    answers: Mapped[list[Answer]] = relationship(order_by="Answer.id")


SEARCHED = ("code", "text", "original_text")


def search_text_of(code: str | None, text: str | None, original_text: str | None) -> str:
    return fold(" ".join(filter(None, (code, text, original_text))))


@event.listens_for(Question, "before_update")
def _refold(_mapper: Any, _connection: Any, question: Question) -> None:
    question.search_text = search_text_of(*(getattr(question, key) for key in SEARCHED))


class QuestionAttachment(Base):
    __tablename__ = "question_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    file_ref: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(Text, default="")
    mime_type: Mapped[str] = mapped_column(String(128), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)

    def to_message(self) -> Attachment:
        return Attachment(MediaKind(self.kind), self.file_ref, self.file_name, self.mime_type, self.size)


class QuestionEvent(Base):
    """The status history: who did what to a question, and when."""

    __tablename__ = "question_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(96), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AnswerSource(StrEnum):
    DEPARTMENT = "department"  # an officer's reply in the department's chat
    LIVE = "live"              # the secretariat's summary of a leader's answer at the event (handlers.event_day)


class Answer(Base):
    """An officer's reply in a department chat; its edits are kept as revisions."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    department_key: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    officer: Mapped[str] = mapped_column(String(96))
    officer_name: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    source: Mapped[AnswerSource] = mapped_column(String(16), default=AnswerSource.DEPARTMENT,
                                                 server_default=AnswerSource.DEPARTMENT.value)
    speaker: Mapped[str] = mapped_column(Text, default="", server_default="")
    """A live answer's leader, name and office from `campaign.hosts`; `officer` is who typed it."""

    revisions: Mapped[list[AnswerRevision]] = relationship(order_by="AnswerRevision.id")


class AnswerRevision(Base):
    __tablename__ = "answer_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class LinkRole(StrEnum):
    """What a bot message about a question was, so that a reply to it is understood
    (`MessageLink.role`, `OutboxMessage.link_role`)."""

    CARD = "card"                        # the question's card in its department's chat
    DIGEST = "digest"                    # several cards in one message (handlers.digests)
    FOLLOWUP = "followup"                # the asker's follow-up, posted in the department's chat
    REJECT = "reject"                    # the prompt for a rejection's reason
    ANSWER_RECORDED = "answer_recorded"  # the department told its answer reached the asker
    NOTICES = "notices"                  # several such outcomes in one message
    RECEIPT = "receipt"                  # the asker told the question's code
    ANSWER = "answer"                    # the answer, to the asker and the supporters
    NOTICE = "notice"                    # anything else the asker is told: reassigned, rejected, late ...
    REVIEW = "review"                    # the review card in the Youth Union's review chat
    CLARIFY = "clarify"                  # the prompt for an admin's clarified text
    DECLINE = "decline"                  # the prompt for the reason of a decline
    REASSIGN = "reassign"                # the choice of the department to pass a question to


class MessageLink(Base):
    """A message the bot sent about a question, so that a reply to it finds the question."""

    __tablename__ = "message_links"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    role: Mapped[LinkRole] = mapped_column(String(16))


class ChatMenu(Base):
    """The choices last offered in a chat, so that a typed number can stand for a button."""

    __tablename__ = "chat_menus"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    options: Mapped[list[Any]] = mapped_column(default=list)


class InboxUpdate(Base):
    """An update as received, committed before the platform is told it arrived."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("platform", "update_key"),
        # Partial indexes: the worker reads waiting updates only, however long the history grows.
        Index("ix_inbox_waiting", "id", sqlite_where=text("processed_at IS NULL"),
              postgresql_where=text("processed_at IS NULL")),
        Index("ix_inbox_waiting_by_chat", "chat_key", "id", sqlite_where=text("processed_at IS NULL"),
              postgresql_where=text("processed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    update_key: Mapped[str] = mapped_column(String(128))
    chat_key: Mapped[str] = mapped_column(String(96))
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    retry_at: Mapped[datetime | None]  # after a failure, not claimed before this


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed; a crash leaves it here and it is retried once on restart
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"            # part of a paused broadcast
    CANCELLED = "cancelled"  # part of a cancelled broadcast


class OutboxMessage(Base):
    """A message waiting to be sent, written in the same transaction as the change it reports."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "not_before", "id"),
        Index("ix_outbox_chat_heads", "platform", "status", "chat_id", "id"),  # due_heads reads unsent rows only
        Index("ix_outbox_broadcast", "broadcast_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    status: Mapped[OutboxStatus] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime]
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    message_ids: Mapped[list[Any]] = mapped_column(default=list)
    error: Mapped[str | None] = mapped_column(Text)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    link_role: Mapped[LinkRole | None] = mapped_column(String(16))
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"))
    failure_reason: Mapped[str | None] = mapped_column(String(32))  # blocked, chat_gone, formatting, ...


class ReminderStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"  # taken by a sweep; stays here only if turning it into messages failed
    SENT = "sent"
    SKIPPED = "skipped"  # stale, or nothing left to say when it came due
    PAUSED = "paused"


class ReminderKind(StrEnum):
    NUDGE = "nudge"                  # a department's questions left to answer, before their deadline
    OVERDUE = "overdue"              # a question's deadline passed: the coordinator alerted, the asker told
    VERY_OVERDUE = "very_overdue"    # still unanswered days later: the coordinator alerted again
    DIGEST = "digest"                # the coordinator's daily summary
    EVENT_EVE = "event_eve"          # young people reminded of the event, the day before
    EVENT_MORNING = "event_morning"  # and on its morning
    USEFUL = "useful"                # the asker asked whether the answer helped


class Reminder(Base):
    """A message planned for later: nudges, escalations, event reminders are rows, not jobs.

    The dedupe key makes planning idempotent; the sweep claims due rows and writes their
    outbox rows in the same transaction as marking them sent, so none is sent twice.
    """

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReminderKind] = mapped_column(String(32))
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    department_key: Mapped[str | None] = mapped_column(String(64))
    chat: Mapped[str | None] = mapped_column(String(96))  # platform:chat_id for chats named in the config
    due_at: Mapped[datetime]
    status: Mapped[ReminderStatus] = mapped_column(String(16), default=ReminderStatus.PENDING)
    created_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class BroadcastStatus(StrEnum):
    DRAFT = "draft"          # being composed; `awaiting` says what the admin is asked for
    SCHEDULED = "scheduled"  # confirmed, waits for `send_at`
    SENDING = "sending"
    PAUSED = "paused"
    DONE = "done"
    CANCELLED = "cancelled"


class BroadcastKind(StrEnum):
    MESSAGE = "message"
    EDIT = "edit"      # replaces the text of every copy of `corrects_id`
    DELETE = "delete"  # withdraws every copy of `corrects_id`


class BroadcastAwaiting(StrEnum):
    """What a draft waits for its admin to type (`Broadcast.awaiting`)."""

    NOTHING = ""   # buttons only
    TEXT = "text"  # the announcement itself (or an edit's new text)
    LINK = "link"  # the link button's label and address
    TIME = "time"  # when to send it


class Broadcast(Base):
    """A message from the Youth Union to many people, sent in batches through the outbox.

    `cursor` is the last recipient account id (or, for corrections, the last outbox id of the
    corrected broadcast) turned into outbox rows; it only moves forward, with a compare-and-set,
    so that processes sharing the database never enqueue a recipient twice.
    """

    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_status", "status", "send_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    kind: Mapped[BroadcastKind] = mapped_column(String(16), default=BroadcastKind.MESSAGE)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"))
    author: Mapped[str] = mapped_column(String(96))       # platform:user_id of the admin
    author_chat: Mapped[str] = mapped_column(String(96))  # platform:chat_id where progress and the report go
    status: Mapped[BroadcastStatus] = mapped_column(String(16), default=BroadcastStatus.DRAFT)
    awaiting: Mapped[BroadcastAwaiting] = mapped_column(String(16), default=BroadcastAwaiting.NOTHING)
    html: Mapped[str] = mapped_column(Text, default="")
    attachment: Mapped[dict[str, Any] | None]
    link_label: Mapped[str | None] = mapped_column(Text)
    link_url: Mapped[str | None] = mapped_column(Text)
    districts: Mapped[list[Any]] = mapped_column(default=list)  # empty: every district
    language: Mapped[str | None] = mapped_column(String(8))     # None: every language
    created_at: Mapped[datetime]
    send_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    fanned_out: Mapped[bool] = mapped_column(Boolean, default=False)  # every recipient has its outbox row
    planned: Mapped[int] = mapped_column(Integer, default=0)          # recipients counted at confirmation
    enqueued: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # outbox rows made so far
    progress_step: Mapped[int] = mapped_column(Integer, default=0)    # quarters already reported
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ZaloOaToken(Base):
    """The Official Account's OAuth tokens. The refresh token is single-use: a refresh stores
    the new pair (compare-and-swap on the old refresh token) before the new access token is used."""

    __tablename__ = "zalo_oa_tokens"

    app_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Contact(Base):
    """When a person last wrote on a channel with a reply window, and which message, and whether they
    unfollowed: the channel decides from it how (and whether) it may still write to them."""

    __tablename__ = "contacts"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_message_id: Mapped[str] = mapped_column(String(64), default="")
    last_message_at: Mapped[datetime | None]
    unfollowed_at: Mapped[datetime | None]


class LinkCode(Base):
    """A one-time code that joins an account on another platform to this account's person."""

    __tablename__ = "link_codes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


class QuestionSupport(Base):
    """A person backing a question: a "+1" instead of asking again, or the asker of a duplicate merged into it.

    Supporters receive the question's answer too; one row per person and question.
    """

    __tablename__ = "question_supports"
    __table_args__ = (UniqueConstraint("question_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))  # where the answer goes
    merged_question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))  # None for a "+1"
    created_at: Mapped[datetime]

    account: Mapped[Account] = relationship()


class SenderHeartbeat(Base):
    """A process draining one platform's outbox, seen recently: processes sharing a database
    split the platform's overall rate between those alive."""

    __tablename__ = "sender_heartbeats"

    worker: Mapped[str] = mapped_column(String(96), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    seen_at: Mapped[datetime]


class NoticeStatus(StrEnum):
    WATCHING = "watching"  # the asker's message is still in the outbox
    READY = "ready"        # its outcome is known; waits to be gathered into the department's chat


class DeliveryNotice(Base):
    """What a department is told about one answer (or correction) sent to its asker: once, when
    the asker's outbox rows `first_row_id..last_row_id` reach a final state. Ready notices of a
    chat are gathered into one message (and deleted) when that chat has nothing else to send, so
    they never hold back a card. No platform id of the asker is kept here."""

    __tablename__ = "delivery_notices"
    __table_args__ = (
        Index("ix_delivery_notices_watch", "question_id", "status"),
        Index("ix_delivery_notices_ready", "status", "notify_platform", "notify_chat_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    kind: Mapped[str] = mapped_column(String(16))  # answer, correction
    first_row_id: Mapped[int | None]
    last_row_id: Mapped[int | None]
    notify_platform: Mapped[str] = mapped_column(String(16))
    notify_chat_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[NoticeStatus] = mapped_column(String(16), default=NoticeStatus.WATCHING)
    outcome: Mapped[str | None] = mapped_column(String(16))  # delivered, failed, erased
    reason: Mapped[str | None] = mapped_column(String(32))  # the row's failure_reason: blocked, window_closed ...
    error: Mapped[str | None] = mapped_column(Text)  # the platform's refusal, to tell why in words
    created_at: Mapped[datetime]
    queued_told: Mapped[bool] = mapped_column(Boolean, default=False)


class LearnedExample(Base):
    """A labelled example from a campaign (docs/understanding.md): the category a question ended in
    (`confirmed` by its asker, `reassigned` by a department) or, for `merged`, the question it repeats.

    The text is the question's own (joined when read), so nothing is copied; an admin's reset deletes rows.
    """

    __tablename__ = "learned_examples"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))  # confirmed, reassigned, merged
    category_key: Mapped[str | None] = mapped_column(String(64))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    created_at: Mapped[datetime]


class QuestionTerm(Base):
    """The term index of signatures (storage/question_terms.py): a question by each of its content terms,
    `heavy` when a duplicate search for a question sharing only its lighter terms must still find it."""

    __tablename__ = "question_terms"
    __table_args__ = (Index("ix_question_terms_term", "term", "heavy", "question_id"),)

    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    term: Mapped[str] = mapped_column(Text, primary_key=True)
    heavy: Mapped[bool] = mapped_column(Boolean)


class QuestionTermsState(Base):
    """One row: the version of the understanding the term index was built by (`Understanding.index_version`)."""

    __tablename__ = "question_terms_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64))


class StaffRole(StrEnum):
    """Who a staff member is in the web console."""

    ADMIN = "admin"              # Youth Union: everything, including the staff list
    COORDINATOR = "coordinator"  # Home Affairs: every question, every department
    OFFICER = "officer"          # one department's questions only
    VIEWER = "viewer"            # reads everything, changes nothing (leaders)


class StaffMember(Base):
    """A person allowed into the web console, by their chat account (`platform:user_id`).

    Seeded from the configuration (admins, coordinators, viewers, departments' officers) once per
    account; from then on admins manage them in the console. A removed member keeps the row
    (`removed_at`), so that the next start does not add them again from the configuration."""

    __tablename__ = "staff_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(96), unique=True)
    role: Mapped[StaffRole] = mapped_column(String(16))
    department_key: Mapped[str | None] = mapped_column(String(64))  # an officer's department
    created_at: Mapped[datetime]
    added_by: Mapped[str] = mapped_column(String(96), default="")  # "config", or the admin's account
    removed_at: Mapped[datetime | None]


class WebLoginToken(Base):
    """A one-time sign-in link sent by /login; only its SHA-256 is stored."""

    __tablename__ = "web_login_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class WebSession(Base):
    """A signed-in browser. The cookie carries the (signed) session id; only its SHA-256 is stored,
    so reading the database gives no one a live session."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]  # signed out, or ended by an admin

    staff: Mapped[StaffMember] = relationship()

class QuestionSource(Base):
    """Where questions gathered outside the chat came from ("offline, Văn Giang district union"): one
    row per confirmed import. Its `account` is a placeholder without a chat that stands as the asker,
    so imported questions route, card and report like any other and nothing is ever sent to it."""

    __tablename__ = "question_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    kind: Mapped[str] = mapped_column(String(16), default="offline")
    label: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(Text, default="")
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    imported_by: Mapped[str] = mapped_column(String(96), default="")
    imported_at: Mapped[datetime]

    account: Mapped[Account] = relationship()


class CommitmentStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    # "overdue" is not stored: it is a pending or in-progress commitment past its date (handlers/commitments.py)


class Commitment(Base):
    """A promise made in an answer (a department's or a leader's at the dialogue): what, who, by when.
    Followed up in the next campaigns: the responsible department updates its status."""

    __tablename__ = "commitments"
    __table_args__ = (Index("ix_commitments_department", "department_key", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answers.id"))
    what: Mapped[str] = mapped_column(Text)
    department_key: Mapped[str] = mapped_column(String(64))  # responsible for it, and for its status
    due_on: Mapped[date]
    status: Mapped[CommitmentStatus] = mapped_column(String(16), default=CommitmentStatus.PENDING)
    note: Mapped[str] = mapped_column(Text, default="")  # the department's latest word on its progress
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(96), default="")
    updated_at: Mapped[datetime | None]
    updated_by: Mapped[str] = mapped_column(String(96), default="")

    campaign: Mapped[Campaign] = relationship()
    question: Mapped[Question] = relationship()
    answer: Mapped[Answer | None] = relationship()


class NominationStatus(StrEnum):
    DRAFT = "draft"              # a young person is still filling it in the chat
    PROPOSED = "proposed"        # complete, waiting for the Youth Union
    SHORTLISTED = "shortlisted"  # to be honoured at the dialogue, in `rank` order


class Nomination(Base):
    """A young person or group proposed for honouring at the dialogue (plan, section IV.2).

    Nothing about the nominee is stored before their consent is recorded: the chat asks for it first."""

    __tablename__ = "nominations"
    __table_args__ = (Index("ix_nominations_campaign", "campaign_id", "status", "rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    nominee_name: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(Text, default="")
    achievement: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list[Any]] = mapped_column(default=list)  # attachments by platform file id: [{kind, file_ref}]
    consent_at: Mapped[datetime]
    consent_note: Mapped[str] = mapped_column(Text, default="")  # how it was given: declared by the proposer, …
    # Shortlisted only once confirmed: by the nominee in the chat (with `consent_code`, one-time, handed on by
    # the proposer), or at once when a unit entered it on the console declaring the nominee's consent.
    consent_confirmed_at: Mapped[datetime | None]
    consent_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    proposer: Mapped[str] = mapped_column(String(96), default="")  # platform:user_id, or surface:user
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))  # the proposer's, from the chat
    # The nominee's own, once they confirmed from it: their /mydata lists the nomination, their /forget erases it.
    nominee_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    status: Mapped[NominationStatus] = mapped_column(String(16), default=NominationStatus.DRAFT)
    rank: Mapped[int | None]  # place in the programme once shortlisted
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str] = mapped_column(String(96), default="")


class NominationFile(Base):
    """Evidence uploaded on the console, kept in the database (the chat's stay on their platform, by id).

    Its bytes were checked to be a JPEG, PNG or PDF (handlers/evidence.py), and are only ever served as a
    download (webconsole/nominations.py)."""

    __tablename__ = "nomination_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), index=True)
    file_name: Mapped[str] = mapped_column(Text)
    mime_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class Secret(Base):
    """A value made once for the database and shared by every process using it: the key that signs button
    data (actions/codec.py) is made by migration 0017, the web console's cookie key by 0022."""

    __tablename__ = "secrets"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


class AuditEntry(Base):
    """One staff action through actions.perform, from any surface: who (an opaque staff identity, and the
    label staff read), what, on which question, where from and what came of it. Never a young person's id."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_question", "question_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    action: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    who: Mapped[str] = mapped_column(String(96))
    label: Mapped[str] = mapped_column(Text, default="")
    surface: Mapped[str] = mapped_column(String(16))
    place: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    question_id: Mapped[int | None]
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class EventCurrent(Base):
    """The question the hall is looking at on the event day (the projector view), one row per campaign;
    the secretariat moves it along the agenda (handlers/event_day.present)."""

    __tablename__ = "event_current"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    changed_at: Mapped[datetime]
