"""Digests: at a crowded group's slot, withdraw its waiting cards and post one packed digest.

The sender runs the pass before it reads the chats' next rows (`bot/app.py`), in that transaction, and
reads them when a group's slot comes (the group's rows become due, or its chat free). So a digest is built
at the slot, not ahead of it by a timer: it carries every card that came meanwhile, and no lone card can take
the slot first because a timer ran late on a loaded machine. The slot is the group's interval after the
platform's answer to its last message, which is when the sender's limiter frees the group too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.config import Department
from core.messages import ChatRef
from handlers.context import Services, Writer
from handlers.digests import post_digest
from storage.digests import crowded_chats, last_sent_at, put_back_behind, take_waiting_cards
from storage.models import Question


class DigestPass:
    def __init__(self, services: Services, group_interval: timedelta) -> None:
        """`group_interval`: the least time between two messages to one group, as the sender keeps it."""
        self.services = services
        self.group_interval = group_interval

    def pack(self, session: Session, platform: str, now: datetime) -> int:
        """Post a digest for each group of `platform` whose slot has come with several cards waiting;
        returns how many."""
        settings = self.services.settings
        if not self.group_interval:  # a group without a limit gets every card as it comes
            return 0
        posted = 0
        for chat_id, due in crowded_chats(session, platform, settings.limits.digest_after):
            slot = self._slot(session, platform, chat_id, due)
            department = settings.department_for_chat(ChatRef(platform, chat_id))
            if slot <= now and department is not None:
                posted += self._post(session, department, platform, chat_id, slot, now)
        return posted

    def _slot(self, session: Session, platform: str, chat_id: str, due: datetime) -> datetime:
        """The group's next slot: its interval after its last message, and not before its oldest row is due."""
        sent_at = last_sent_at(session, platform, chat_id)
        return max(due, sent_at + self.group_interval) if sent_at else due

    def _post(self, session: Session, department: Department, platform: str, chat_id: str, slot: datetime,
              now: datetime) -> int:
        cards = take_waiting_cards(session, platform, chat_id)
        if not cards:
            return 0
        writer = Writer(self.services, session, now)
        # A card too long for one message is several rows of one question: it goes in the digest once.
        questions = [session.get_one(Question, key) for key in dict.fromkeys(card.question_id for card in cards)]
        posted = {question.id for question in post_digest(writer, department, questions)}
        for row in writer.enqueued:
            row.not_before = max(row.not_before, slot)  # not before the group's slot, whichever process sends
        session.flush()  # the digest's row first: the cards left over go behind it
        put_back_behind(session, [card for card in cards if card.question_id not in posted])
        return 1
