"""The digest pass: in one transaction, withdraw a crowded group's waiting cards and post a digest."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock
from core.messages import ChatRef
from handlers.context import Services, Writer
from handlers.digests import post_digest
from storage.db import transaction
from storage.digests import crowded_chats, take_waiting_cards
from storage.models import Question


class DigestPass:
    def __init__(self, sessions: sessionmaker[Session], services: Services, clock: Clock) -> None:
        self.sessions = sessions
        self.services = services
        self.clock = clock

    def tick(self) -> int:
        """Digests posted."""
        settings = self.services.settings
        with transaction(self.sessions) as session:
            crowded = crowded_chats(session, settings.limits.digest_after)
        posted = 0
        for platform, chat_id in crowded:
            department = settings.department_for_chat(ChatRef(platform, chat_id))
            if department is None:
                continue
            with transaction(self.sessions) as session:
                questions = [session.get_one(Question, id_) for id_ in take_waiting_cards(session, platform, chat_id)]
                if questions:
                    post_digest(Writer(self.services, session, self.clock.now()), department, questions)
                    posted += 1
        return posted
