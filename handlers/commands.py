"""The command menus platforms show (Telegram's setMyCommands), described in each language."""

from __future__ import annotations

from dataclasses import dataclass

from core.config import Settings
from core.texts import Texts

YOUTH_COMMANDS = ("my", "faq", "district", "lang", "cancel", "stop", "subscribe", "link", "nominate", "mydata",
                  "forget", "help")
OFFICER_COMMANDS = ("pending", "reassign", "reject")
OFFICER_MENU = (*OFFICER_COMMANDS, "transmittal", "commitments")  # transmittal: handlers.reports; commitments: theirs
ADMIN_MENU = ("broadcast", "review", "suggest", "agenda", "reminders", "queue", "failed", "transmittal", "learned",
              "commitments", "nominations", "programme", "help")


@dataclass(frozen=True)
class CommandMenu:
    scope: str  # "private", "group", or "chats": the admins' private chats and the coordinator chat
    language: str
    commands: tuple[tuple[str, str], ...]  # (command without slash, description)
    chats: tuple[str, ...] = ()  # the chat ids of a "chats" menu


def command_menus(texts: Texts, settings: Settings, platform: str) -> list[CommandMenu]:
    """Each audience's menu in each language; admins see theirs in the chats where they work."""
    staff_chats = staff_chats_on(settings, platform)
    audiences = [("private", YOUTH_COMMANDS), ("group", OFFICER_MENU)]
    if staff_chats:
        audiences.append(("chats", ADMIN_MENU))
    return [
        CommandMenu(scope, language, tuple((name, texts.plain(language, f"command_{name}")) for name in names),
                    chats=staff_chats if scope == "chats" else ())
        for scope, names in audiences
        for language in texts.languages
    ]


def staff_chats_on(settings: Settings, platform: str) -> tuple[str, ...]:
    """Admins' private chats (a private chat's id is the user's on Telegram) and the coordinator chat."""
    admins = [key.partition(":")[2] for key in sorted(settings.admins) if key.startswith(f"{platform}:")]
    coordinator = [settings.coordinator_chat.chat_id] if settings.coordinator_chat.platform == platform else []
    return tuple(admins + coordinator)
