"""The outbox and its sender: order per chat, limits, retries, and failures that never block."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.sender import SHARED_DATABASE_LEASE, OutboxSender
from bot.transport import PermanentFailure, RateLimits, RetryAfter, TemporaryFailure
from core.clock import FakeClock
from core.messages import Button, ChatRef, Outgoing
from storage import outbox, senders
from storage.db import make_session_factory, transaction
from storage.migrate import upgrade
from storage.models import ChatMenu, OutboxMessage, OutboxStatus
from storage.outbox import Outbox
from tests.harness import RecordingTransport

PRIVATE = ChatRef("console", "user-an")
GROUP = ChatRef("console", "dept-so-ct")


class LimitedTransport(RecordingTransport):
    limits = RateLimits(per_second=30.0, private_interval=1.0, group_interval=3.0)


@pytest.fixture
def sessions(engine: Engine) -> Iterator[sessionmaker[Session]]:
    upgrade(engine)
    yield make_session_factory(engine)


def enqueue(sessions: sessionmaker[Session], clock: FakeClock, *messages: Outgoing, limit: int = 4096) -> None:
    with transaction(sessions) as session:
        for message in messages:
            Outbox({"console": limit}).enqueue(session, message, clock.now())


def statuses(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def test_messages_to_one_chat_keep_their_order_and_the_chat_limit(
        sessions: sessionmaker[Session], clock: FakeClock) -> None:
    transport = LimitedTransport()
    sender = OutboxSender(sessions, transport, clock)
    enqueue(sessions, clock, *(Outgoing(PRIVATE, f"p{i}") for i in range(3)), Outgoing(GROUP, "g0"))
    asyncio.run(sender.drain())
    assert [d.text for d in transport.delivered] == ["p0"]  # the overall rate spaces sends 1/30 s apart
    clock.advance(0.05)
    asyncio.run(sender.drain())
    assert [d.text for d in transport.delivered] == ["p0", "g0"]
    assert asyncio.run(sender.send_due()) == clock.now() + timedelta(seconds=0.95)  # p1 waits for its chat
    clock.advance(0.95)
    asyncio.run(sender.drain())
    assert [d.text for d in transport.delivered] == ["p0", "g0", "p1"]
    clock.advance(1)
    asyncio.run(sender.drain())
    assert [d.text for d in transport.delivered][-1] == "p2"


def test_group_chats_get_at_most_twenty_a_minute(sessions: sessionmaker[Session], clock: FakeClock) -> None:
    transport = LimitedTransport()
    sender = OutboxSender(sessions, transport, clock)
    enqueue(sessions, clock, *(Outgoing(GROUP, f"g{i}") for i in range(40)))
    for _ in range(60):
        asyncio.run(sender.drain())
        clock.advance(1)
    assert len(transport.delivered) == 20


def test_retry_after_is_honoured(sessions: sessionmaker[Session], clock: FakeClock) -> None:
    transport = RecordingTransport()
    transport.failures.append(RetryAfter(7))
    sender = OutboxSender(sessions, transport, clock)
    enqueue(sessions, clock, Outgoing(PRIVATE, "hello"))
    asyncio.run(sender.drain())
    assert transport.delivered == []
    clock.advance(6)
    asyncio.run(sender.drain())
    assert transport.delivered == []
    clock.advance(1)
    asyncio.run(sender.drain())
    assert [d.text for d in transport.delivered] == ["hello"]


def test_network_errors_back_off_and_retry(sessions: sessionmaker[Session], clock: FakeClock) -> None:
    transport = RecordingTransport()
    transport.failures += [TemporaryFailure("timeout"), TemporaryFailure("timeout")]
    sender = OutboxSender(sessions, transport, clock)
    enqueue(sessions, clock, Outgoing(PRIVATE, "hello"))
    for _ in range(10):
        asyncio.run(sender.drain())
        clock.advance(2)
    assert [d.text for d in transport.delivered] == ["hello"]
    with sessions() as session:
        assert session.scalars(select(OutboxMessage.attempts)).one() == 3


def test_permanent_failure_is_recorded_and_does_not_block_the_chat(
        sessions: sessionmaker[Session], clock: FakeClock) -> None:
    transport = RecordingTransport()
    transport.failures.append(PermanentFailure("403: bot was blocked by the user"))
    sender = OutboxSender(sessions, transport, clock)
    enqueue(sessions, clock, Outgoing(PRIVATE, "first"), Outgoing(PRIVATE, "second"))
    asyncio.run(sender.drain())
    assert [d.text for d in transport.delivered] == ["second"]
    assert statuses(sessions) == [OutboxStatus.FAILED, OutboxStatus.SENT]
    with sessions() as session:
        assert "blocked" in (session.scalars(select(OutboxMessage.error)).first() or "")


def test_a_row_left_sending_by_a_crash_is_sent_again(sessions: sessionmaker[Session], clock: FakeClock) -> None:
    """On SQLite (one sender) at once; on a shared database once the dead sender's lease is over."""
    enqueue(sessions, clock, Outgoing(PRIVATE, "in flight"))
    with transaction(sessions) as session:
        assert outbox.claim(session, [1], clock.now(), lease=timedelta(0)) == {1}
    transport = RecordingTransport()
    sender = OutboxSender(sessions, transport, clock)
    asyncio.run(sender.drain())
    if sessions.kw["bind"].dialect.name != "sqlite":
        assert transport.delivered == []
        clock.advance(SHARED_DATABASE_LEASE)
        asyncio.run(sender.drain())
    assert [d.text for d in transport.delivered] == ["in flight"]
    assert statuses(sessions) == [OutboxStatus.SENT]


def test_long_text_becomes_several_rows_with_buttons_on_the_last(
        sessions: sessionmaker[Session], clock: FakeClock) -> None:
    text = "\n\n".join(f"<b>đoạn {i}</b> " + "chữ " * 60 for i in range(10))
    enqueue(sessions, clock, Outgoing(PRIVATE, text, buttons=((Button("OK", "ok"),),)), limit=500)
    transport = RecordingTransport()
    asyncio.run(OutboxSender(sessions, transport, clock).drain())
    parts = transport.delivered
    assert len(parts) > 1 and all(len(p.text) <= 500 for p in parts)
    assert [p.buttons for p in parts] == [[]] * (len(parts) - 1) + [["OK"]]
    assert all(f"đoạn {i}" in "".join(p.text for p in parts) for i in range(10))
    with sessions() as session:
        assert session.get(ChatMenu, ("console", "user-an")).options == ["ok"]


def test_a_sender_counts_itself_while_it_runs_and_gives_its_share_back_when_it_stops(
        sessions: sessionmaker[Session], clock: FakeClock) -> None:
    if sessions.kw["bind"].dialect.name == "sqlite":
        pytest.skip("SQLite has one sender, which shares with no one")

    def alive() -> int:
        with sessions() as session:
            return senders.alive(session, "console", clock.now(), within=timedelta(seconds=3))

    async def run_then_stop() -> None:
        running = asyncio.create_task(OutboxSender(sessions, LimitedTransport(), clock).run())
        while not alive():  # its first heartbeat is written in a thread
            await asyncio.sleep(0)
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running

    asyncio.run(run_then_stop())
    assert alive() == 0
