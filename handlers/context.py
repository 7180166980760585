"""What every handler works with: one unit of work, the settings, and a way to reply."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from actions.model import Outcome, Status, done
from core.channels import EVERYTHING, Capabilities
from core.config import Settings
from core.language import LanguageDetector
from core.messages import Attachment, Button, ChatRef, Incoming, Outgoing
from core.texts import Html, Texts, preview
from reports.deadline_note import deadline_note
from storage.learning import LearningModel
from storage.models import OPEN_STATUSES, Account, Campaign, LinkRole, OutboxMessage, Question
from storage.outbox import Outbox


@dataclass(frozen=True)
class Services:
    """Long-lived, stateless collaborators, built once at start."""

    settings: Settings
    texts: Texts
    detector: LanguageDetector
    understanding: LearningModel  # categories and duplicates, with what the campaigns taught it
    outbox: Outbox
    channels: Mapping[str, Capabilities] = field(default_factory=dict)  # by platform, from bot/channels

    def channel(self, platform: str) -> Capabilities:
        return self.channels.get(platform, EVERYTHING)


@dataclass
class Writer:
    """Writes messages into the outbox within one transaction: for handlers and for reminders."""

    services: Services
    session: Session
    now: datetime
    enqueued: list[OutboxMessage] = field(default_factory=list, kw_only=True)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    def text(self, language: str, key: str, **values: object) -> Html:
        return self.services.texts.render(language, key, **values)

    def sendable(self, language: str, platform: str) -> Html:
        """"text, a photo, a voice note or a file", or less where the platform carries less."""
        return self.text(language, self.services.channel(platform).sendable)

    def platform_name(self, language: str, platform: str) -> str:
        """"Telegram", "Zalo": what people call a platform, not its key in the config."""
        key = self.services.channel(platform).name
        return self.services.texts.plain(language, key) if key else platform

    def local(self, moment: datetime) -> str:
        """A moment as people of the province read it."""
        return moment.astimezone(self.settings.timezone).strftime("%H:%M %d/%m/%Y")

    def local_today(self) -> date:
        """Today in the province: what a commitment's date is judged against."""
        return self.now.astimezone(self.settings.timezone).date()

    def deadline(self, language: str, question: Question) -> Html:
        """An open question's deadline and what is left of it ("hạn 23:59 06/03/2023, còn 2 ngày làm
        việc"); empty when it has none or is no longer open."""
        if question.answer_due_at is None or question.status not in OPEN_STATUSES:
            return Html("")
        return self.text(language, "deadline_with_left", due=self.local(question.answer_due_at),
                         left=self.time_left(language, question))

    def time_left(self, language: str, question: Question) -> str:
        """"còn 2 ngày làm việc", "quá hạn 3 ngày" (reports/deadline_note.py); empty without a deadline."""
        return deadline_note(self.settings, lambda key, **values: self.text(language, key, **values),
                             question.answer_due_at, self.now)

    def send(
        self,
        chat: ChatRef,
        html: str,
        buttons: tuple[tuple[Button, ...], ...] = (),
        *,
        reply_to: str = "",
        attachments: tuple[Attachment, ...] = (),
        question: Question | None = None,
        link_role: LinkRole | None = None,
        new_topic: str = "",
        expects_reply: bool = False,
    ) -> None:
        message = Outgoing(chat=chat, html=html, buttons=buttons, attachments=attachments,
                           reply_to_message_id=reply_to, new_topic=new_topic, expects_reply=expects_reply)
        self.enqueued += self.services.outbox.enqueue(
            self.session, message, self.now, question_id=question.id if question else None, link_role=link_role)

    def tell_account(self, account: Account, key: str, *, buttons: tuple[tuple[Button, ...], ...] = (),
                     question: Question | None = None, link_role: LinkRole | None = None, **values: object) -> None:
        """Write to a young person in their private chat; not to one who was forgotten. About their own
        question, in the language it is written in (an English question gets English replies)."""
        if not account.chat_id:
            return
        chat = ChatRef(account.platform, account.chat_id)
        language = question_language(self.settings, account, question)
        self.send(chat, self.text(language, key, **values), buttons, question=question, link_role=link_role)

    def label(self, prefix: str, value: str) -> str:
        """What staff read for an internal value, in the staff's language (`Texts.label`)."""
        return self.services.texts.label(self.staff_language, prefix, value)

    @property
    def staff_language(self) -> str:
        """Department and coordinator chats read the first configured language."""
        return self.settings.default_language


def question_language(settings: Settings, account: Account, question: Question | None) -> str:
    """The language to tell `account` about `question` in: the question's, if it is theirs and configured."""
    if question is not None and question.account_id == account.id and question.language in settings.languages:
        return question.language
    return account.person.language


@dataclass
class Job(Writer):
    """Work on one campaign in one transaction: what staff actions get, from a chat, the web or the CLI."""

    campaign: Campaign


@dataclass
class Context(Job):
    """One incoming update being handled inside one database transaction."""

    incoming: Incoming

    def reply(self, language: str, key: str, buttons: tuple[tuple[Button, ...], ...] = (), **values: object) -> None:
        """Answer in the chat the update came from, quoting it in groups."""
        quote = "" if self.incoming.is_private else self.incoming.message_id
        self.send(self.incoming.chat, self.text(language, key, **values), buttons, reply_to=quote)

    def prompt(self, html: str, buttons: tuple[tuple[Button, ...], ...] = (), *, question: Question | None = None,
               link_role: LinkRole | None = None) -> None:
        """Ask for typed text, which comes back as a reply to this message. A typed command is quoted,
        so that the client of the one who typed it (and only theirs) opens the reply; a button's is not
        (its message is the bot's own)."""
        quote = "" if self.incoming.is_private or self.incoming.button_data else self.incoming.message_id
        self.send(self.incoming.chat, html, buttons, reply_to=quote, question=question, link_role=link_role,
                  expects_reply=True)


def questions_listing(writer: Writer, questions: Sequence[Question], header: str, empty: str) -> Outcome:
    """The questions' codes and openings under a header (staff's language), as an action's outcome."""
    language = writer.staff_language
    if not questions:
        return done(empty)
    lines = [writer.text(language, header, count=len(questions))]
    lines += [with_deadline(writer.text(language, "pending_item", code=q.code, text=preview(q.text)),
                            writer.deadline(language, q)) for q in questions]
    return Outcome(Status.DONE, header, html=Html("\n".join(lines)))


def items_listing(writer: Writer, items: Sequence[Html], header: str, empty: str) -> Outcome:
    """A header counting `items`, then each in its own paragraph (staff's language), as an action's outcome."""
    if not items:
        return done(empty)
    html = Html("\n\n".join([writer.text(writer.staff_language, header, count=len(items)), *items]))
    return Outcome(Status.DONE, header, html=html)


def with_deadline(html: Html, deadline: Html) -> Html:
    """`html`, then the deadline on a line of its own when there is one."""
    return Html(f"{html}\n⏰ {deadline}") if deadline else html
