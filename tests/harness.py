"""A test channel: drives the real inbox, handlers, outbox and sender with plain messages.

It plays the platform: each `say`, `press` or `reply` becomes an `Incoming` recorded in
the inbox; everything the bot sends arrives in `RecordingTransport` with a message id,
so tests can reply to it, press its buttons and read what each chat received.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field, replace
from typing import Any

from bot.app import App, build_app
from bot.channels.console import PLATFORM, console_settings
from bot.transport import RateLimits, SendError
from core.clock import FakeClock
from core.config import Settings
from core.messages import Attachment, ChatKind, Incoming, Outgoing
from scheduler.broadcasts import BroadcastPump

_ids = itertools.count(1)


@dataclass
class Delivered:
    message_id: str
    message: Outgoing

    @property
    def text(self) -> str:
        return self.message.html

    @property
    def buttons(self) -> list[str]:
        return [b.label for b in self.message.choices]


class RecordingTransport:
    """A platform that accepts every message, unless told to fail the next sends or a chat's."""

    platform = PLATFORM
    max_text_length = 4096
    limits = RateLimits(per_second=float("inf"), private_interval=0.0, group_interval=0.0)

    def __init__(self) -> None:
        self.delivered: list[Delivered] = []
        self.failures: list[SendError] = []
        self.refusing: dict[str, SendError] = {}

    def is_group(self, chat_id: str) -> bool:
        return not chat_id.startswith("user-")

    async def send(self, message: Outgoing) -> list[str]:
        if message.chat.chat_id in self.refusing:
            raise self.refusing[message.chat.chat_id]
        if self.failures:
            raise self.failures.pop(0)
        delivered = Delivered(f"m{next(_ids)}", message)
        self.delivered.append(delivered)
        return [delivered.message_id]


@dataclass
class Participant:
    """A person in one chat: a young person in their private chat, or an officer in a group."""

    harness: Harness
    user_id: str
    chat_id: str
    kind: ChatKind
    name: str = ""
    sent: list[str] = field(default_factory=list)

    def _incoming(self, **values: Any) -> Incoming:
        values.setdefault("message_id", f"u{next(_ids)}")
        return Incoming.received(platform=PLATFORM, chat_id=self.chat_id, chat_kind=self.kind, user_id=self.user_id,
                        user_name=self.name or self.user_id, **values)

    def say(self, text: str = "", attachments: tuple[Attachment, ...] = (), html: str = "") -> list[Delivered]:
        incoming = self._incoming(text=text, attachments=attachments, html=html)
        self.sent.append(incoming.message_id)
        return self.harness.deliver(incoming)

    def reply(self, to: Delivered, text: str) -> list[Delivered]:
        incoming = self._incoming(text=text, reply_to_message_id=to.message_id)
        self.sent.append(incoming.message_id)
        return self.harness.deliver(incoming)

    def edit(self, message_id: str, text: str) -> list[Delivered]:
        return self.harness.deliver(self._incoming(message_id=message_id, text=text, edited=True))

    def press(self, message: Delivered, label: str) -> list[Delivered]:
        """Press the button whose label contains `label`."""
        matches = [b for b in message.message.choices if label in b.label]
        assert matches, f"no button {label!r} in {message.buttons}"
        return self.harness.deliver(self._incoming(button_data=matches[0].data))

    def inbox(self) -> list[Delivered]:
        return self.harness.messages_to(self.chat_id)

    def last(self) -> Delivered:
        return self.inbox()[-1]


class Harness:
    def __init__(self, settings: Settings, database_url: str, clock: FakeClock) -> None:
        self.settings = console_settings(replace(settings, database_url=database_url))
        self.clock = clock
        self.app: App = build_app(self.settings, clock)
        self.transport = RecordingTransport()
        self.sender = self.app.sender(self.transport)
        self.pump = BroadcastPump(self.app.sessions, self.app.services, clock)

    def deliver(self, incoming: Incoming) -> list[Delivered]:
        """Record, process and send; returns what the bot sent in response."""
        before = len(self.transport.delivered)
        self.app.processor.record(f"update-{next(_ids)}", incoming)
        self.app.processor.process_all()
        self.flush()
        return self.transport.delivered[before:]

    def flush(self) -> None:
        asyncio.run(self.sender.drain())

    def run_broadcasts(self) -> None:
        """Pump and send until no broadcast has anything left to do now."""
        while True:
            result = self.pump.tick()
            self.flush()
            if not (result.started or result.enqueued or result.finished):
                return

    def messages_to(self, chat_id: str) -> list[Delivered]:
        return [d for d in self.transport.delivered if d.message.chat.chat_id == chat_id]

    def youth(self, name: str = "an") -> Participant:
        return Participant(self, name, f"user-{name}", ChatKind.PRIVATE, name)

    def officer(self, department: str, name: str = "") -> Participant:
        return Participant(self, name or f"officer-{department}", f"dept-{department}", ChatKind.GROUP)

    def admin(self) -> Participant:
        return Participant(self, "admin", "user-admin", ChatKind.PRIVATE, "admin")

    def registered_youth(self, name: str = "an", district: str = "Văn Giang") -> Participant:
        """A young person who has consented and chosen a district."""
        person = self.youth(name)
        person.press(person.say("xin chào")[-1], "Đồng ý")
        person.press(person.last(), district)
        return person

    def ask(self, person: Participant, question: str, category: str | None = None) -> Delivered:
        """Ask and confirm (the suggested category, or the one whose name contains `category`)."""
        suggestion = person.say(question)[-1]
        if category is None:
            person.press(suggestion, "Đúng")
        else:
            person.press(person.press(suggestion, "lĩnh vực khác")[-1], category)
        return person.last()

    def dispose(self) -> None:
        self.app.engine.dispose()
