"""Every command a platform's menu offers reaches a handler in the chats that menu is shown in:
a menu entry that answers "there is no such command", or nothing, is a broken promise."""

from __future__ import annotations

from core.messages import ChatKind
from handlers.commands import command_menus
from tests.harness import Harness, Participant


def menu_chats(harness: Harness, scope: str, chats: tuple[str, ...]) -> list[Participant]:
    """Someone in each chat the menu is shown in: a young person, an officer, an admin or the coordinator."""
    if scope == "private":
        return [harness.registered_youth("menu")]
    if scope == "group":
        return [harness.officer("so-ct")]
    admin = harness.registered_youth("admin")  # a private chat's id is its user's (as on Telegram)
    return [admin if chat == admin.user_id else Participant(harness, "staff", chat, ChatKind.GROUP) for chat in chats]


def test_every_menu_command_is_dispatched(harness: Harness) -> None:
    texts = harness.app.services.texts
    menus = [menu for menu in command_menus(texts, harness.settings, "console") if menu.language == "vi"]
    assert {menu.scope for menu in menus} == {"private", "group", "chats"}
    for menu in menus:
        for person in menu_chats(harness, menu.scope, menu.chats):
            for name, description in menu.commands:
                assert description, name
                replies = person.say(f"/{name}")
                unknown = str(texts.render("vi", "unknown_command", command=f"/{name}"))
                assert replies and all(r.text != unknown for r in replies), (menu.scope, person.chat_id, name)


def test_staff_menus_offer_the_transmittal_and_what_was_learned(harness: Harness) -> None:
    menus = {menu.scope: [name for name, _ in menu.commands]
             for menu in command_menus(harness.app.services.texts, harness.settings, "console")}
    assert "transmittal" in menus["group"] and "transmittal" not in menus["private"]
    assert {"transmittal", "learned"} <= set(menus["chats"])
