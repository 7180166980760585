"""From inbox to effects: each recorded update is handled once, inside one transaction.

The update row is marked processed in the transaction that applies its effects and
enqueues its replies, so a crash at any point either leaves everything undone (and it
is handled again after restart) or everything done (and it is never handled again).
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import replace

from sqlalchemy.orm import Session, sessionmaker

from bot.metrics import UPDATES_PROCESSED, UPDATES_RECEIVED
from core.clock import Clock
from core.messages import Incoming
from handlers.context import Context, Services
from handlers.dispatch import handle
from storage import inbox
from storage.db import transaction
from storage.models import Campaign, InboxUpdate
from storage.questions import find_account

log = logging.getLogger(__name__)


class InboxProcessor:
    def __init__(self, sessions: sessionmaker[Session], services: Services, campaign_id: int, clock: Clock) -> None:
        self._sessions = sessions
        self._services = services
        self.campaign_id = campaign_id
        self._clock = clock

    def record(self, update_key: str, incoming: Incoming) -> bool:
        """Commit an update; only after this returns may the platform be told it arrived."""
        with transaction(self._sessions) as session:
            recorded = inbox.record(session, update_key, incoming, self._clock.now())
        if recorded:
            UPDATES_RECEIVED.labels(incoming.platform).inc()
        return recorded

    def process_all(self) -> int:
        count = 0
        while self.process_one():
            count += 1
        return count

    def process_one(self) -> bool:
        """Handle the oldest waiting update; False when there is none."""
        with transaction(self._sessions) as session:
            update = inbox.claim_next(session, self._clock.now())
            if update is None:
                return False
            try:
                with session.begin_nested():
                    self._apply(session, update)
            except Exception:  # a bug or bad data must not stop the queue: retried later, then set aside
                error = traceback.format_exc()
                log.exception("update %s failed", update.id, extra={"update_id": update.id})
                UPDATES_PROCESSED.labels("failed").inc()
                if inbox.record_failure(session, update.id, error, self._clock.now()):
                    log.error("update %s set aside after %s attempts", update.id, update.attempts,
                              extra={"update_id": update.id})
            else:
                UPDATES_PROCESSED.labels("ok").inc()
        return True

    def _apply(self, session: Session, update: InboxUpdate) -> None:
        now = self._clock.now()
        incoming = Incoming.from_json(update.payload)
        campaign = session.get_one(Campaign, self.campaign_id)
        handle(Context(self._services, session, now, campaign=campaign, incoming=incoming))
        inbox.mark_processed(update, now)
        if incoming.is_private and find_account(session, incoming.platform, incoming.user_id) is None:
            update.payload = _without_content(incoming).to_json()  # no consent: keep nothing personal


def _without_content(incoming: Incoming) -> Incoming:
    return replace(incoming, text="", html="", user_name="", attachments=())
