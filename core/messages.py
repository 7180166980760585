"""The plain data that crosses between chat platforms and the product's logic.

Adapters translate a platform's update into an `Incoming` and an `Outgoing` into a
platform request; handlers see nothing else. Both serialise to JSON so that they can
wait in the inbox and the outbox across restarts.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum
from typing import Any

# C0 and C1 controls but tab and line feed, and lone surrogates: PostgreSQL refuses NUL in text,
# UTF-8 cannot hold a lone surrogate, and the rest only confuse display and search.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def without_controls(text: str) -> str:
    """Text from outside as it may be stored and shown: a carriage return becomes a line feed."""
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


@dataclass(frozen=True, order=True)
class ChatRef:
    """A chat on a platform, written `platform:chat_id` in config (e.g. `telegram:-100123`)."""

    platform: str
    chat_id: str

    @classmethod
    def parse(cls, text: str) -> ChatRef:
        platform, sep, chat_id = text.partition(":")
        if not sep or not platform or not chat_id:
            raise ValueError(f"'{text}' is not of the form platform:chat_id, e.g. \"telegram:-1001234567890\"")
        return cls(platform, chat_id)

    def __str__(self) -> str:
        return f"{self.platform}:{self.chat_id}"


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


class MediaKind(StrEnum):
    PHOTO = "photo"
    VOICE = "voice"
    DOCUMENT = "document"
    VIDEO = "video"
    STICKER = "sticker"
    UNSUPPORTED = "unsupported"
    HIDDEN = "hidden"  # the platform withheld the content (Zalo, from accounts with privacy protection)


ACCEPTED_MEDIA = frozenset({MediaKind.PHOTO, MediaKind.VOICE, MediaKind.DOCUMENT, MediaKind.VIDEO})


@dataclass(frozen=True)
class Attachment:
    """A file the user sent; `file_ref` is what the platform needs to send it again.

    A file the bot generated (a report, a chart) has no platform reference yet: `path` names
    it on this machine (under `reports.folder`) and the adapter uploads its content.
    """

    kind: MediaKind
    file_ref: str
    file_name: str = ""
    mime_type: str = ""
    size: int = 0
    path: str = ""


@dataclass(frozen=True)
class Incoming:
    """One thing a person did in a chat: a message, an edit of one, or a button press."""

    platform: str
    chat_id: str
    chat_kind: ChatKind
    user_id: str
    message_id: str = ""
    text: str = ""
    user_name: str = ""
    attachments: tuple[Attachment, ...] = ()
    reply_to_message_id: str = ""
    button_data: str = ""
    edited: bool = False
    thread_id: str = ""
    html: str = ""  # the text with the sender's formatting, where the platform gives it; else empty
    language_code: str = ""  # the person's app language as the platform reports it ("en-US"); else empty

    @classmethod
    def received(cls, **values: Any) -> Incoming:
        """What every adapter builds from a platform's update: every text field from outside (text,
        names, file names, button data, ids) without control characters, so that it is cleaned once,
        at the edge, and stores alike on SQLite and PostgreSQL."""
        incoming = cls(**values)
        return replace(incoming, attachments=tuple(_cleaned(a) for a in incoming.attachments), **{
            f.name: without_controls(getattr(incoming, f.name)) for f in fields(cls)
            if isinstance(getattr(incoming, f.name), str) and f.name != "chat_kind"})

    @property
    def chat(self) -> ChatRef:
        return ChatRef(self.platform, self.chat_id)

    @property
    def account_key(self) -> str:
        return f"{self.platform}:{self.user_id}"

    @property
    def is_private(self) -> bool:
        return self.chat_kind is ChatKind.PRIVATE

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Incoming:
        data = dict(data)
        data["chat_kind"] = ChatKind(data["chat_kind"])
        data["attachments"] = tuple(_attachment(a) for a in data.get("attachments", ()))
        return cls(**data)


@dataclass(frozen=True)
class Button:
    """A choice (its `data` comes back as `Incoming.button_data`) or, with `url`, a link."""

    label: str
    data: str = ""
    url: str = ""


class Action(StrEnum):
    SEND = "send"
    EDIT = "edit"      # replace the text of `targets[-1]`
    DELETE = "delete"  # delete every message in `targets`


@dataclass(frozen=True)
class Outgoing:
    """A message for one chat. `html` uses Telegram's small HTML subset (b, i, code, a);
    user text in it is always escaped. Platforms without buttons show them as numbered choices.
    An edit or a deletion of messages sent earlier names them in `targets`. `expects_reply` marks
    a prompt whose answer is typed as a reply to it: in a group Telegram's privacy mode delivers
    only such replies, so its adapter makes the client reply (ForceReply); others ignore it."""

    chat: ChatRef
    html: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachments: tuple[Attachment, ...] = ()
    reply_to_message_id: str = ""
    thread_id: str = ""
    action: Action = Action.SEND
    targets: tuple[str, ...] = ()
    new_topic: str = ""  # open a forum topic of this name and post in it (its first id is the topic's)
    expects_reply: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["chat"] = str(self.chat)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outgoing:
        return cls(
            chat=ChatRef.parse(data["chat"]),
            html=data["html"],
            buttons=tuple(tuple(Button(**b) for b in row) for row in data.get("buttons", ())),
            attachments=tuple(_attachment(a) for a in data.get("attachments", ())),
            reply_to_message_id=data.get("reply_to_message_id", ""),
            thread_id=data.get("thread_id", ""),
            action=Action(data.get("action", Action.SEND)),
            targets=tuple(data.get("targets", ())),
            new_topic=data.get("new_topic", ""),
            expects_reply=data.get("expects_reply", False),
        )

    @property
    def choices(self) -> list[Button]:
        """The buttons that answer back, in reading order: what a typed number stands for."""
        return [button for row in self.buttons for button in row if not button.url]

    @property
    def links(self) -> list[Button]:
        return [button for row in self.buttons for button in row if button.url]


def _cleaned(attachment: Attachment) -> Attachment:
    return replace(attachment, file_ref=without_controls(attachment.file_ref),
                   file_name=without_controls(attachment.file_name), mime_type=without_controls(attachment.mime_type))


def _attachment(data: dict[str, Any]) -> Attachment:
    return Attachment(**{**data, "kind": MediaKind(data["kind"])})

