"""A broadcast composed in one form (the web console): the text, the audience, an optional link button.

The chat composes step by step (handlers/broadcasts.py); the web sends everything at once, so the
same checks are made here in one place, for the page's preview (which stores nothing) and for the
`broadcast_start` action (which stores the broadcast and lets the pump send it)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select

from actions.model import Actor, Args, Outcome, done, invalid, refused
from core.config import Settings
from handlers.broadcasts import LINK_URL, clean_html
from handlers.context import Job
from storage import broadcasts as store
from storage.models import Broadcast, BroadcastKind, BroadcastStatus

MAX_TEXT = 4000  # a Telegram message's length: a longer broadcast would be cut or refused
REPEAT_WINDOW = timedelta(minutes=10)  # the same text again this soon is a second press, or a reload


def draft_from(settings: Settings, values: Mapping[str, object], now: datetime) -> Broadcast | Outcome:
    """A broadcast not yet stored, from the form's values; or the INVALID outcome of the first wrong one.

    `districts` is a comma-separated list of district keys (none: every district), `readers` a
    language code (none: every language)."""
    text = str(values.get("text") or "").strip()
    if not text:
        return invalid("console_broadcast_empty")
    if len(text) > MAX_TEXT:
        return invalid("console_broadcast_too_long", limit=MAX_TEXT)
    districts = sorted({key for key in str(values.get("districts") or "").split(",") if key})
    unknown = [key for key in districts if settings.district(key) is None]
    if unknown:
        return invalid("console_broadcast_unknown_district", district=unknown[0])
    readers = str(values.get("readers") or "") or None
    if readers is not None and readers not in settings.languages:
        return invalid("console_broadcast_unknown_language", code=readers)
    label = str(values.get("link_label") or "").strip() or None
    url = str(values.get("link_url") or "").strip() or None
    if (label is None) != (url is None) or (url is not None and not LINK_URL.match(url)) or len(label or "") > 64:
        return invalid("console_broadcast_link_invalid")
    return Broadcast(html=clean_html(text), districts=districts, language=readers, link_label=label, link_url=url,
                     kind=BroadcastKind.MESSAGE, status=BroadcastStatus.DRAFT, created_at=now)


def start(job: Job, actor: Actor, args: Args) -> Outcome:
    """`broadcast_start`: store the broadcast as sending; the pump feeds the outbox from the next tick.
    It has no author chat: its progress and report are on the console's page, not sent to a chat the
    web does not know (a staff member's private chat id is the platform's to say)."""
    broadcast = draft_from(job.settings, args, job.now)
    if isinstance(broadcast, Outcome):
        return broadcast
    if (earlier := _just_sent(job, actor.who, broadcast.html)) is not None:
        return refused("console_broadcast_repeat", id=earlier)
    broadcast.campaign_id = job.campaign.id
    broadcast.author = actor.who
    broadcast.author_chat = ""
    broadcast.planned = store.count_audience(job.session, broadcast)
    job.session.add(broadcast)
    job.session.flush()
    store.set_status(job.session, broadcast, BroadcastStatus.SENDING, only_from=(BroadcastStatus.DRAFT,),
                     now=job.now)
    return done("console_broadcast_started", id=broadcast.id, count=broadcast.planned)



def _just_sent(job: Job, author: str, html: str) -> int | None:
    """The broadcast with this text the author started a moment ago, if any (a double click on "Send", the
    browser's reload of the answer): sending it twice would reach every recipient twice."""
    return job.session.scalar(
        select(Broadcast.id).where(Broadcast.author == author, Broadcast.html == html,
                                   Broadcast.created_at >= job.now - REPEAT_WINDOW,
                                   Broadcast.status != BroadcastStatus.CANCELLED)
        .order_by(Broadcast.id.desc()).limit(1))
