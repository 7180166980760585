"""What each chat platform can carry, so that handlers decide on capabilities, not on names.

Each channel module (`bot/channels/*`) declares its `Capabilities`; the app hands the table to the
handlers (`Services.channel`), so nothing below `bot/` names a platform.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Capabilities:
    """`replies`: its updates say which message a reply answers (Zalo's do not).
    `buttons`: inline buttons (else the typed numbers of the chat's menu stand for them).
    `edits`: a sent message can be edited in place (else a correction goes as a new message).
    `buttons`, `edits` and `html` are acted on by the channel's own transport today; handlers
    write the same messages everywhere. Whether it has groups is its config section's `group_id`.
    `html`: it shows Telegram's HTML subset (else the adapter strips the tags).
    `public_files`: its attachments are public https addresses, sendable on any platform.
    `reply_window`: it lets the bot write to a person only this long after their last message;
    messages outside it are held until they write again (handlers/reply_window.py).
    `sendable`: the catalogue key naming what a young person can send there.
    `name`: the catalogue key of what people call it ("" for the console and test channels)."""

    replies: bool = True
    buttons: bool = True
    edits: bool = True
    html: bool = True
    public_files: bool = False
    reply_window: timedelta | None = None
    sendable: str = "sendable_all"
    name: str = ""


EVERYTHING = Capabilities()
"""A platform no channel declares (a chat left in the database from an earlier configuration)."""
