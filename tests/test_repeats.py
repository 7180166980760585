"""A message whose send was in flight at a crash is sent again; in a group it says it may be a repeat."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from storage.db import transaction
from storage.models import OutboxMessage, OutboxStatus
from tests.harness import Harness

GROUP = "dept-so-ct"
QUESTION = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"
NOTE = "có thể đã đến trước đó"


def crash_after_sending(harness: Harness, chat_id: str) -> None:
    """The chat's last message was sent, but the sender died before recording it: it stays `sending`."""
    with transaction(harness.app.sessions) as session:
        row_id = session.scalar(select(OutboxMessage.id).where(OutboxMessage.chat_id == chat_id)
                                .order_by(OutboxMessage.id.desc()).limit(1))
        session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(
            status=OutboxStatus.SENDING, sent_at=None, claimed_at=harness.clock.now()))


def test_a_group_message_resent_after_a_crash_says_it_may_be_a_repeat(harness: Harness) -> None:
    person = harness.registered_youth("an")
    harness.ask(person, QUESTION, "Thương mại")
    [card] = harness.messages_to(GROUP)
    receipts = len(person.inbox())
    crash_after_sending(harness, GROUP)
    crash_after_sending(harness, person.chat_id)
    harness.clock.advance(timedelta(minutes=2))  # past any sender's lease
    harness.flush()
    [_, again] = harness.messages_to(GROUP)
    assert NOTE not in card.text
    assert again.text.startswith("🔁") and NOTE in again.text and "HY-0001" in again.text
    assert len(person.inbox()) == receipts + 1
    assert NOTE not in person.last().text  # a young person's private chat gets it as it was
    harness.flush()
    assert len(harness.messages_to(GROUP)) == 2  # recorded this time: sent once more, not again
