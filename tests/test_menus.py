"""Every command a platform's menu offers reaches its action in the chats that menu is shown in: a menu
entry that answers "there is no such command", "not here", or nothing, is a broken promise. And /help
lists, for each audience, exactly the actions it may use where it is."""

from __future__ import annotations

import pytest

from actions.model import Place, Role
from actions.table import ACTIONS
from core.messages import ChatKind
from handlers.commands import command_menus
from tests.harness import Harness, Participant

NOT_DISPATCHED = ("unknown_command", "not_here", "staff_only", "youth_only", "not_admin", "not_an_officer")


def menu_chats(harness: Harness, scope: str, chats: tuple[str, ...]) -> list[Participant]:
    """Someone in each chat the menu is shown in: a young person, an officer, an admin or the coordinator."""
    if scope == "private":
        return [harness.registered_youth("menu")]
    if scope == "group":
        return [harness.officer("so-ct")]
    admin = harness.admin()  # a private chat's id is its user's (as on Telegram)
    return [admin if chat == admin.user_id else Participant(harness, "staff", chat, ChatKind.GROUP)
            for chat in chats]


def test_every_menu_command_is_dispatched(harness: Harness) -> None:
    texts = harness.app.services.texts
    menus = [menu for menu in command_menus(texts, harness.settings, "console") if menu.language == "vi"]
    assert {menu.scope for menu in menus} == {"private", "group", "chats"}
    for menu in menus:
        for person in menu_chats(harness, menu.scope, menu.chats):
            for name, description in menu.commands:
                assert description, name
                replies = person.say(f"/{name}")
                if name == "broadcast":
                    person.say("/cancel")  # the draft it starts would take the next command as its text
                refusals = {str(texts.render("vi", key, command=f"/{name}", department="Sở Công Thương"))
                            for key in NOT_DISPATCHED}
                assert replies and all(r.text not in refusals for r in replies), (menu.scope, person.chat_id, name)


def test_staff_menus_offer_the_transmittal_and_what_was_learned(harness: Harness) -> None:
    menus: dict[str, list[str]] = {}
    for menu in command_menus(harness.app.services.texts, harness.settings, "console"):
        menus.setdefault(menu.scope, []).extend(name for name, _ in menu.commands)
    assert "transmittal" in menus["group"] and "transmittal" not in menus["private"]
    assert {"transmittal", "learned", "audit"} <= set(menus["chats"])


AUDIENCES = {  # who reads /help where, as the harness plays them
    "youth": (Role.YOUTH, Place.PRIVATE),
    "officer": (Role.OFFICER, Place.DEPARTMENT),
    "admin": (Role.ADMIN, Place.PRIVATE),
    "coordinator": (Role.COORDINATOR, Place.COORDINATOR),
}


def reader(harness: Harness, audience: str) -> Participant:
    if audience == "youth":
        return harness.registered_youth("helpme")
    if audience == "officer":
        return harness.officer("so-ct")
    if audience == "admin":
        return harness.admin()
    return Participant(harness, "staff", harness.settings.coordinator_chat.chat_id, ChatKind.GROUP)


@pytest.mark.parametrize("audience", list(AUDIENCES))
def test_help_lists_exactly_what_the_audience_may_use(harness: Harness, audience: str) -> None:
    role, place = AUDIENCES[audience]
    shown = reader(harness, audience).say("/help")[-1].text
    for action in ACTIONS:
        if not action.commands:
            continue
        command = f"/{action.commands['vi'][0]} — "
        expected = role in action.roles and place in action.places
        assert (command in shown) == expected, (audience, action.name)
