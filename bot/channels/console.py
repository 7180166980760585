"""A local chat in the terminal: play a young person, an officer or an admin, in one window.

It is a platform adapter like Telegram's: lines become `Incoming` updates recorded in the
inbox, and the bot's replies come back through the outbox, so the whole loop (ask, route,
answer, follow up) can be tried on a fresh machine without any token.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.channels.base import Channel
from bot.sender import OutboxSender
from bot.transport import RateLimits
from core.channels import Capabilities
from core.config import ChannelSection, IdForm, Settings
from core.messages import ChatKind, ChatRef, Incoming, Outgoing
from core.texts import plain_text
from scheduler.broadcasts import BroadcastPump

if TYPE_CHECKING:
    from bot.app import App

PLATFORM = "console"
COORDINATOR_CHAT = "coordinator"
MAX_TEXT_LENGTH = 4096

HELP = """Console commands:
  /as youth NAME         play a young person (default: an)
  /as officer DEPT       play an officer of a department ({departments})
  /as admin              play a Youth Union admin
  /reply N TEXT          reply to message #N (officers answer this way; youth follow up)
  /edit N TEXT           edit your message #N
  /press N K             press button K of message #N (or just type K for the newest choices)
  /quit                  leave
Anything else is sent as a chat message from the role you play (/help, /my, /lang ... included)."""


def console_settings(settings: Settings) -> Settings:
    """Every department answers in its own console group, the coordinator in another."""
    chats = {d.key: ChatRef(PLATFORM, f"dept-{d.key}") for d in settings.departments}
    return settings.with_chats(chats, ChatRef(PLATFORM, COORDINATOR_CHAT))


@dataclass
class Role:
    user_id: str
    chat_id: str
    chat_kind: ChatKind
    label: str


class ConsoleChannel:
    """Both ends of the console: reads commands, and is the transport that shows the bot's messages."""

    platform = PLATFORM
    max_text_length = MAX_TEXT_LENGTH
    limits = RateLimits(per_second=float("inf"), private_interval=0.0, group_interval=0.0)

    def __init__(self, app: App, write: Callable[[str], None]) -> None:
        self._app = app
        self._write = write
        self._tag = secrets.token_hex(3)  # message ids stay unique across console sessions
        self._numbers = itertools.count(1)
        self._updates = itertools.count(1)
        self._shown: dict[int, Outgoing] = {}
        self._chat_of_number: dict[int, str] = {}
        self.sender: OutboxSender = app.sender(self)
        self._pump = BroadcastPump(app.sessions, app.services, app.clock)
        self.role = self._youth("an")

    # --- transport ---

    def is_group(self, chat_id: str) -> bool:
        return not chat_id.startswith("user-")

    async def send(self, message: Outgoing) -> list[str]:
        number = next(self._numbers)
        self._shown[number] = message
        self._chat_of_number[number] = message.chat.chat_id
        self._write(self._render(number, message))
        return [f"{self._tag}-{number}"]

    # --- input ---

    async def run(self, lines: Iterable[str]) -> None:
        self._write(HELP.format(departments=", ".join(d.key for d in self._app.settings.departments)))
        self._write(f"\nYou are {self.role.label}. Say hello:")
        for line in lines:
            if line.strip() in ("/quit", "/exit"):
                return
            await self.handle_line(line.strip())

    async def handle_line(self, line: str) -> None:
        if not line:
            return
        command, _, rest = line.partition(" ")
        if command == "/as":
            self._switch_role(rest.split())
            return
        incoming = self._incoming_for(command, rest)
        if incoming is None:
            return
        self._app.processor.record(f"{self._tag}-update-{next(self._updates)}", incoming)
        self._app.processor.process_all()
        await self._send_everything()

    async def _send_everything(self) -> None:
        """Replies, and a confirmed broadcast in full: the console runs no loops in the background."""
        while True:
            result = self._pump.tick()
            await self.sender.drain()
            if not (result.started or result.enqueued or result.finished):
                return

    def _incoming_for(self, command: str, rest: str) -> Incoming | None:
        number, _, text = rest.partition(" ")
        if command in ("/reply", "/edit", "/press") and not number.isdigit():
            self._write(f"{command} needs a message number, e.g. {command} 3 ...")
            return None
        if command == "/reply":
            return self._message(text, reply_to=f"{self._tag}-{number}")
        if command == "/edit":
            return self._message(text, message_id=f"{self._tag}-u{number}", edited=True)
        if command == "/press":
            return self._press(int(number), text)
        return self._message(f"{command} {rest}".strip())

    def _message(self, text: str, reply_to: str = "", message_id: str = "", edited: bool = False) -> Incoming:
        if not message_id:
            number = next(self._numbers)
            message_id = f"{self._tag}-u{number}"
            self._write(f"   (your message #{number})")
        return Incoming.received(
            platform=PLATFORM, chat_id=self.role.chat_id, chat_kind=self.role.chat_kind,
            user_id=self.role.user_id, user_name=self.role.label, message_id=message_id,
            text=text, reply_to_message_id=reply_to, edited=edited,
        )

    def _press(self, number: int, which: str) -> Incoming | None:
        message = self._shown.get(number)
        buttons = message.choices if message else []
        if not which.isdigit() or not 1 <= int(which) <= len(buttons):
            self._write(f"Message #{number} has no button {which}.")
            return None
        if self._chat_of_number[number] != self.role.chat_id:
            self._write(f"Message #{number} is not in your chat; switch role with /as first.")
            return None
        return Incoming.received(
            platform=PLATFORM, chat_id=self.role.chat_id, chat_kind=self.role.chat_kind,
            user_id=self.role.user_id, user_name=self.role.label, message_id=f"{self._tag}-p{number}-{which}",
            button_data=buttons[int(which) - 1].data,
        )

    def _switch_role(self, words: list[str]) -> None:
        kind = words[0] if words else ""
        departments = {d.key: d for d in self._app.settings.departments}
        if kind == "youth":
            self.role = self._youth(words[1] if len(words) > 1 else "an")
        elif kind == "admin":
            self.role = Role("admin", "user-admin", ChatKind.PRIVATE, "admin")
        elif kind == "officer" and len(words) > 1 and words[1] in departments:
            key = words[1]
            self.role = Role(f"officer-{key}", f"dept-{key}", ChatKind.GROUP,
                             f"an officer of {departments[key].name}")
        else:
            self._write("Usage: /as youth NAME | /as officer DEPT | /as admin. Departments: "
                        + ", ".join(departments))
            return
        self._write(f"You are now {self.role.label}.")

    @staticmethod
    def _youth(name: str) -> Role:
        return Role(name, f"user-{name}", ChatKind.PRIVATE, f"young person '{name}'")

    def _render(self, number: int, message: Outgoing) -> str:
        chat = message.chat.chat_id
        where = f"to {chat.removeprefix('user-')}" if not self.is_group(chat) else f"in group {chat}"
        lines = [f"\n── #{number} bot {where} ──", plain_text(message.html)]
        lines += [f"   [{index}] {button.label}" for index, button in enumerate(message.choices, 1)]
        if message.choices:
            lines.append(f"   (type the number, or /press {number} K)")
        lines += [f"   🔗 {link.label}: {link.url}" for link in message.links]
        lines += [f"   📎 {a.kind}: {a.file_name or a.file_ref}" for a in message.attachments]
        return "\n".join(lines)


CONSOLE_NAME = IdForm(r"\S+", "a console name (no spaces)")
CHANNEL = Channel(
    section=ChannelSection(PLATFORM, None, user_id=CONSOLE_NAME, group_id=CONSOLE_NAME),
    capabilities=Capabilities(),
    max_text_length=MAX_TEXT_LENGTH,
    start=None,  # the terminal drives it (`youthbot` without a configured platform, bot/cli.py)
)
