"""The inbox: recorded once, processed once, and a bad update never stops the queue."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.messages import ChatKind, Incoming
from storage import inbox
from storage.db import transaction
from storage.models import InboxUpdate
from tests.harness import Harness


def hello(user: str = "an") -> Incoming:
    return Incoming(platform="console", chat_id=f"user-{user}", chat_kind=ChatKind.PRIVATE,
                    user_id=user, message_id="1", text="xin chào")


def test_an_update_delivered_twice_is_processed_once(harness: Harness) -> None:
    processor = harness.app.processor
    assert processor.record("update-7", hello()) is True
    assert processor.record("update-7", hello()) is False
    assert processor.process_all() == 1
    harness.flush()
    assert len(harness.messages_to("user-an")) == 1


def test_a_broken_update_is_retried_then_set_aside_without_blocking(harness: Harness) -> None:
    with transaction(harness.app.sessions) as session:
        session.add(InboxUpdate(platform="console", update_key="broken", chat_key="console:x",
                                payload={"nonsense": True}, received_at=harness.clock.now(), attempts=0))
    harness.app.processor.record("good", hello("binh"))
    for _ in range(inbox.MAX_ATTEMPTS):
        harness.app.processor.process_one()
    harness.app.processor.process_all()
    harness.flush()
    assert harness.messages_to("user-binh"), "the update behind the broken one was handled"
    with harness.app.sessions() as session:
        broken = session.scalars(select(InboxUpdate).where(InboxUpdate.update_key == "broken")).one()
    assert broken.attempts == inbox.MAX_ATTEMPTS and broken.processed_at is not None
    assert "KeyError: 'chat_kind'" in (broken.error or "")


def test_workers_sharing_a_database_keep_each_chat_in_order(harness: Harness) -> None:
    """While one worker handles a chat's first update, another takes a different chat, not the next one."""
    if harness.app.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one worker: its write lock serialises transactions")
    processor = harness.app.processor
    processor.record("a1", hello("an"))
    processor.record("a2", hello("an"))
    processor.record("b1", hello("binh"))
    with harness.app.sessions() as first, first.begin():
        assert inbox.claim_next(first).update_key == "a1"
        with harness.app.sessions() as second, second.begin():
            assert inbox.claim_next(second).update_key == "b1"
            with harness.app.sessions() as third, third.begin():
                assert inbox.claim_next(third) is None
