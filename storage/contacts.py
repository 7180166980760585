"""When each person last wrote on a channel with a reply window: the rows its transport decides by.

Shared by every process; a retried or replayed event never moves a contact back in time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage.models import Contact


def note_message(session: Session, platform: str, user_id: str, message_id: str, at: datetime) -> None:
    """The user wrote: the window reopens. Older events (retries, replays) never move it back."""
    contact = session.get(Contact, (platform, user_id), with_for_update=True)
    if contact is None:
        session.add(Contact(platform=platform, user_id=user_id, last_message_id=message_id, last_message_at=at))
        return
    if contact.last_message_at is None or at >= contact.last_message_at:
        contact.last_message_id = message_id
        contact.last_message_at = at
        contact.unfollowed_at = None


def note_follow(session: Session, platform: str, user_id: str) -> None:
    """Following again is noted, but opens no window: a window opens with a message only."""
    contact = session.get(Contact, (platform, user_id), with_for_update=True)
    if contact is not None:
        contact.unfollowed_at = None


def note_unfollow(session: Session, platform: str, user_id: str, at: datetime) -> None:
    contact = session.get(Contact, (platform, user_id), with_for_update=True)
    if contact is None:
        session.add(Contact(platform=platform, user_id=user_id, last_message_id="", unfollowed_at=at))
    elif contact.last_message_at is None or at >= contact.last_message_at:
        contact.unfollowed_at = at


def contact(session: Session, platform: str, user_id: str) -> Contact | None:
    return session.get(Contact, (platform, user_id))
