"""The command menus platforms show (Telegram's setMyCommands), described in each language."""

from __future__ import annotations

from dataclasses import dataclass

from core.texts import Texts

YOUTH_COMMANDS = ("my", "district", "lang", "cancel", "stop", "subscribe", "link", "help")
OFFICER_COMMANDS = ("pending", "reassign", "reject")


@dataclass(frozen=True)
class CommandMenu:
    scope: str  # "private" or "group"
    language: str
    commands: tuple[tuple[str, str], ...]  # (command without slash, description)


def command_menus(texts: Texts) -> list[CommandMenu]:
    return [
        CommandMenu(scope, language, tuple((name, texts.plain(language, f"command_{name}")) for name in names))
        for scope, names in (("private", YOUTH_COMMANDS), ("group", OFFICER_COMMANDS))
        for language in texts.languages
    ]
