"""The command menus platforms show (Telegram's setMyCommands), from the table of actions: each
audience's menu lists the menu actions it may use where the menu is shown, described in each language."""

from __future__ import annotations

from dataclasses import dataclass

from actions.model import Action, Actor, Place, Role, Surface
from actions.permissions import allowed
from actions.table import menu_actions
from core.config import Settings
from core.texts import Texts


@dataclass(frozen=True)
class CommandMenu:
    scope: str  # "private", "group", or "chats": the admins' private chats, or the coordinator chat
    language: str
    commands: tuple[tuple[str, str], ...]  # (command without slash, description)
    chats: tuple[str, ...] = ()  # the chat ids of a "chats" menu


def audience(role: Role, place: Place) -> Actor:
    """A stand-in for whoever reads a menu: its role, where it is shown."""
    return Actor(frozenset({role}), place, None, "", Surface.COMMAND)


AUDIENCES = {
    "private": audience(Role.YOUTH, Place.PRIVATE),
    "group": audience(Role.OFFICER, Place.DEPARTMENT),
    "admins": audience(Role.ADMIN, Place.PRIVATE),
    "coordinator": audience(Role.COORDINATOR, Place.COORDINATOR),
}


def menu_for(actor: Actor) -> list[Action]:
    """The menu actions `actor` may use, /help last."""
    chosen = [action for action in menu_actions() if allowed(action, actor)]
    return sorted(chosen, key=lambda action: action.name == "help")


def command_menus(texts: Texts, settings: Settings, platform: str) -> list[CommandMenu]:
    """Each audience's menu in each language; admins and the coordinator see theirs in the chats where they work."""
    chats = {"private": (), "group": (), "admins": admin_chats_on(settings, platform),
             "coordinator": coordinator_chat_on(settings, platform)}
    return [
        CommandMenu("chats" if chats[name] else name, language,
                    tuple((action.commands[language][0], texts.plain(language, action.description_key))
                          for action in menu_for(actor)), chats=chats[name])
        for name, actor in AUDIENCES.items() if name in ("private", "group") or chats[name]
        for language in texts.languages
    ]


def admin_chats_on(settings: Settings, platform: str) -> tuple[str, ...]:
    """Admins' private chats (a private chat's id is the user's on Telegram)."""
    return tuple(key.partition(":")[2] for key in sorted(settings.admins) if key.startswith(f"{platform}:"))


def coordinator_chat_on(settings: Settings, platform: str) -> tuple[str, ...]:
    chat = settings.coordinator_chat
    return (chat.chat_id,) if chat.platform == platform else ()
