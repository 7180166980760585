"""A group message resent after a crash says it may be a repeat, so that officers do not answer twice.

The outcome of a send in flight at a crash is unknown: the platform may have posted it. Young
people's private chats get the message as it was; a department's group is told at the top.
"""

from __future__ import annotations

from dataclasses import replace

from core.messages import Action, Outgoing
from core.textsplit import utf16_length
from handlers.context import Services


def repeat_note(services: Services) -> str:
    return services.texts.render(services.settings.default_language, "possible_repeat")


def mark_possible_repeat(services: Services, message: Outgoing, max_length: int) -> Outgoing:
    """The message with the note on top, if it still fits the platform (digests leave room for it)."""
    if message.action is not Action.SEND or not message.html:
        return message
    html = f"{repeat_note(services)}\n{message.html}"
    return replace(message, html=html) if utf16_length(html) <= max_length else message
