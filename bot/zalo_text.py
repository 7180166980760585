"""Zalo shows plain text and has no inline buttons: messages lose their tags and list their choices
as numbers, which `handlers.dispatch.resolve_menu` reads back as button presses."""

from __future__ import annotations

from core.messages import Outgoing
from core.texts import plain_text


def render(message: Outgoing, choose_hint: str, limit: int) -> list[str]:
    """The texts to send for one message: usually one; two when the choices would not fit with it.

    The outbox has already split long texts to `limit`, counting tags that are dropped here, so
    the text alone always fits.
    """
    text = plain_text(message.html).strip()
    choices = [f"{number}. {button.label}" for number, button in enumerate(message.flat_buttons, 1)]
    if not choices:
        return [text] if text else []
    menu = "\n".join([*choices, choose_hint])
    together = f"{text}\n\n{menu}" if text else menu
    return [together] if len(together) <= limit else [text, menu]
