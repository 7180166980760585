"""Zalo shows plain text and has no inline buttons: messages lose their tags, links are written
out, and choices are listed as numbers, which `handlers.dispatch.resolve_menu` reads back as
button presses."""

from __future__ import annotations

from core.messages import Outgoing
from core.texts import plain_text


def render(message: Outgoing, choose_hint: str, limit: int) -> list[str]:
    """The texts to send for one message: usually one; two when links and choices would not fit
    with it. The outbox has already split long texts to `limit`, counting tags that are dropped
    here, so the text alone always fits."""
    text = plain_text(message.html).strip()
    extras = [f"{link.label}: {link.url}" for link in message.links]
    extras += [f"{number}. {button.label}" for number, button in enumerate(message.choices, 1)]
    extras += [choose_hint] if message.choices else []
    if not extras:
        return [text] if text else []
    menu = "\n".join(extras)
    together = f"{text}\n\n{menu}" if text else menu
    return [together] if len(together) <= limit else [text, menu]
