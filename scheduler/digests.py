"""The digest pass: at a crowded group's next slot, withdraw its waiting cards and post one packed digest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock
from core.config import Department, Settings
from core.messages import ChatRef
from handlers.context import Services, Writer
from handlers.digests import post_digest
from storage.db import transaction
from storage.digests import crowded_chats, last_sent_at, put_back_behind, take_waiting_cards
from storage.models import Question

# How long before a group's next slot its digest is built: the pass runs about once a second and must
# come before the sender, which would otherwise spend the slot on one waiting card.
LEAD = timedelta(seconds=2)

GroupInterval = Callable[[str], timedelta]  # platform → the least time between two messages to one group


def configured_group_interval(settings: Settings) -> GroupInterval:
    """Each channel's configured group interval; a channel without groups has none to pace."""
    intervals = {name: section.group_interval for name, section in settings.channels.items()}
    return lambda platform: timedelta(seconds=intervals.get(platform, 0.0))


class DigestPass:
    def __init__(self, sessions: sessionmaker[Session], services: Services, clock: Clock,
                 group_interval: GroupInterval | None = None) -> None:
        self.sessions = sessions
        self.services = services
        self.clock = clock
        self.group_interval = group_interval or configured_group_interval(services.settings)

    def tick(self) -> int:
        """Digests posted."""
        settings = self.services.settings
        slot_by = self.clock.now() + LEAD
        with transaction(self.sessions) as session:
            slots = [(platform, chat_id, self._slot(session, platform, chat_id, due))
                     for platform, chat_id, due in crowded_chats(session, settings.limits.digest_after)]
        posted = 0
        for platform, chat_id, slot in slots:
            if slot > slot_by:
                continue
            department = settings.department_for_chat(ChatRef(platform, chat_id))
            if department is not None:
                with transaction(self.sessions) as session:
                    posted += self._post(session, department, platform, chat_id, slot)
        return posted

    def _slot(self, session: Session, platform: str, chat_id: str, due: datetime) -> datetime:
        """The group's next slot: its interval after its last message, and not before its oldest row is due.
        Built then rather than as soon as cards wait, a digest carries every card that came meanwhile."""
        sent_at = last_sent_at(session, platform, chat_id)
        return max(due, sent_at + self.group_interval(platform)) if sent_at else due

    def _post(self, session: Session, department: Department, platform: str, chat_id: str, slot: datetime) -> int:
        cards = take_waiting_cards(session, platform, chat_id)
        if not cards:
            return 0
        writer = Writer(self.services, session, self.clock.now())
        questions = [session.get_one(Question, card.question_id) for card in cards]
        posted = post_digest(writer, department, questions)
        for row in writer.enqueued:
            row.not_before = max(row.not_before, slot)  # not before the group's slot, whichever process sends
        session.flush()  # the digest's row first: the cards left over go behind it
        put_back_behind(session, cards[len(posted):])
        return 1
