"""What an action is, who performs it, and what came of it: plain data, no platform, no database."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from core.messages import Attachment
from core.texts import Html

if TYPE_CHECKING:
    from handlers.context import Context, Job


class Role(StrEnum):
    YOUTH = "youth"              # a young person in their private chat
    OFFICER = "officer"          # in a department's chat (one of its listed officers, if it lists them)
    COORDINATOR = "coordinator"  # Home Affairs, in the coordinator chat; the Youth Union's reviewers in the review chat
    ADMIN = "admin"              # a Youth Union admin (`bot.admins`), wherever they write
    VIEWER = "viewer"            # reads only: the web console's read-only accounts


class Place(StrEnum):
    PRIVATE = "private"
    DEPARTMENT = "department"
    COORDINATOR = "coordinator"
    REVIEW = "review"
    WEB = "web"
    CLI = "cli"
    GROUP = "group"  # a group that is no department's, nor the coordinator's or review chat: the bot keeps silent


class Surface(StrEnum):
    COMMAND = "command"
    BUTTON = "button"
    NUMBER = "number"  # a typed number standing for a button (platforms without buttons)
    REPLY = "reply"    # a reply to one of the bot's messages (an answer to a card)
    WEB = "web"
    CLI = "cli"


class Status(StrEnum):
    DONE = "done"
    REFUSED = "refused"  # not allowed, or not now (the question is closed)
    INVALID = "invalid"  # a missing or wrong argument
    IGNORED = "ignored"  # silence is the right answer (a stranger's command in a group)


@dataclass(frozen=True)
class Actor:
    """Who acts, where. `who` is an opaque staff identity for the audit ("telegram:123", "web:7"), never
    shown to officers; `label` is what staff read of them (a name, a department); `name` the person's own
    name alone, which an answer is signed with (the report adds the department itself)."""

    roles: frozenset[Role]
    place: Place
    department: str | None
    who: str
    surface: Surface
    label: str = ""
    name: str = ""

    @property
    def staff(self) -> bool:
        return bool(self.roles - {Role.YOUTH})

    @property
    def role(self) -> Role | None:
        """The highest role, for the audit and for help."""
        for role in (Role.ADMIN, Role.COORDINATOR, Role.OFFICER, Role.VIEWER, Role.YOUTH):
            if role in self.roles:
                return role
        return None


class Kind(StrEnum):
    QUESTION = "question"      # a code of this campaign ("HY-0004"), or a question's id on buttons, web and CLI
    DEPARTMENT = "department"  # a department's key
    TEXT = "text"              # the rest of the words
    WORD = "word"              # one word, as typed
    NUMBER = "number"          # a whole number
    CHOICE = "choice"          # one of `choices`


@dataclass(frozen=True)
class Argument:
    name: str
    kind: Kind
    required: bool = True
    error_key: str = ""  # the catalogue key a missing or wrong value gets (else the action's usage)
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Choice:
    """A button an outcome offers: its label, and the action (with arguments) it performs."""

    label: str
    action: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What happened. The chat renders `key` with `values` as the reply (`html` when the result is a
    listing), the web as a flash message. `awaits` asks for typed text: the reply comes back linked
    to the question with that link role."""

    status: Status
    key: str = ""
    values: Mapping[str, object] = field(default_factory=dict)
    question_id: int | None = None
    html: Html | None = None
    choices: tuple[tuple[Choice, ...], ...] = ()
    awaits: str = ""
    attachments: tuple[Attachment, ...] = ()
    quiet: bool = False  # chats show nothing (what the action sent says it: a card, a delivery notice)
    detail: Mapping[str, Any] = field(default_factory=dict)  # kept in the audit row

    @property
    def ok(self) -> bool:
        return self.status == Status.DONE


def done(key: str = "", question_id: int | None = None, **values: object) -> Outcome:
    return Outcome(Status.DONE, key, values, question_id)


def refused(key: str, question_id: int | None = None, **values: object) -> Outcome:
    return Outcome(Status.REFUSED, key, values, question_id)


def invalid(key: str, **values: object) -> Outcome:
    return Outcome(Status.INVALID, key, values)


IGNORED = Outcome(Status.IGNORED)

Args = Mapping[str, Any]
StaffHandler = Callable[["Job", Actor, Args], Outcome]
ChatHandler = Callable[["Context", Actor, Args], Outcome | None]


@dataclass(frozen=True)
class Action:
    """One thing a person can do, declared once in actions/table.py.

    `handler` works on plain inputs and may be called from any surface; `chat` handlers (young people's
    conversation, broadcast composing) need the chat they answer in. `code` names the action in button
    data (short: Telegram allows 64 bytes); `menu` puts its command in the platforms' command menus.
    """

    name: str
    roles: frozenset[Role]
    places: frozenset[Place]
    commands: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # language -> names without "/"
    arguments: tuple[Argument, ...] = ()
    handler: StaffHandler | None = None
    chat: ChatHandler | None = None
    help_key: str = ""
    usage_key: str = ""
    elsewhere_key: str = ""  # what someone of the right role is told in the wrong place (else "not_here")
    code: str = ""
    menu: bool = False
    audited: bool = True  # staff actions that change something, or hand out data
    open_only: bool = False  # its question must still wait for its answer (not answered, rejected or merged)

    @property
    def buttons(self) -> bool:
        return bool(self.code)

    @property
    def description_key(self) -> str:
        """Its line in menus and /help."""
        return self.help_key or f"command_{self.name}"

    def names(self) -> tuple[str, ...]:
        return tuple(name for names in self.commands.values() for name in names)
