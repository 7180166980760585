"""The inbox: recorded once, processed once, and a bad update never stops the queue."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from sqlalchemy import event, select

from bot import processing
from bot.cli import main
from bot.processing import BurstRecorder
from core.clock import FakeClock
from core.config import Settings
from core.messages import ChatKind, Incoming
from storage import inbox
from storage.db import PATIENCE_SECONDS, WriterQueue, transaction
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


def add_broken_update(harness: Harness) -> None:
    with transaction(harness.app.sessions) as session:
        session.add(InboxUpdate(platform="console", update_key="broken", chat_key="console:x",
                                payload={"nonsense": True}, received_at=harness.clock.now(), attempts=0))


def broken_update(harness: Harness) -> InboxUpdate:
    with harness.app.sessions() as session:
        return session.scalars(select(InboxUpdate).where(InboxUpdate.update_key == "broken")).one()


def fail_until_set_aside(harness: Harness) -> list[int]:
    """Drive the broken update through all its attempts; the seconds waited before each retry."""
    waits = []
    harness.app.processor.process_all()
    while broken_update(harness).processed_at is None:
        wait = (broken_update(harness).retry_at - harness.clock.now()).total_seconds()
        waits.append(round(wait))
        harness.clock.advance(wait - 0.001)
        harness.app.processor.process_all()
        assert broken_update(harness).attempts == len(waits), "not retried before its backoff ends"
        harness.clock.advance(0.001)
        harness.app.processor.process_all()
    return waits


def test_a_broken_update_is_retried_then_set_aside_without_blocking(harness: Harness) -> None:
    add_broken_update(harness)
    harness.app.processor.record("good", hello("binh"))
    harness.app.processor.process_all()
    harness.flush()
    assert harness.messages_to("user-binh"), "the update behind the broken one was handled"
    fail_until_set_aside(harness)
    broken = broken_update(harness)
    assert broken.attempts == inbox.MAX_ATTEMPTS and broken.processed_at is not None
    assert "KeyError: 'chat_kind'" in (broken.error or "")


def test_a_failing_update_backs_off_longer_each_time(harness: Harness) -> None:
    add_broken_update(harness)
    assert fail_until_set_aside(harness) == [2, 4, 8, 16]


def test_a_set_aside_update_is_listed_and_can_be_retried(harness: Harness) -> None:
    add_broken_update(harness)
    fail_until_set_aside(harness)
    with transaction(harness.app.sessions) as session:
        listed = inbox.set_aside(session)
        assert [update.update_key for update in listed] == ["broken"]
        assert inbox.retry(session, listed[0].id)
    assert broken_update(harness).processed_at is None and broken_update(harness).attempts == 0
    harness.app.processor.process_all()
    assert broken_update(harness).attempts == 1, "the retried update was attempted again at once"


def test_workers_sharing_a_database_keep_each_chat_in_order(harness: Harness) -> None:
    """While one worker handles a chat's first update, another takes a different chat, not the next one."""
    if harness.app.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one worker: its write lock serialises transactions")
    processor = harness.app.processor
    processor.record("a1", hello("an"))
    processor.record("a2", hello("an"))
    processor.record("b1", hello("binh"))
    with harness.app.sessions() as first, first.begin():
        assert inbox.claim_next(first, harness.clock.now()).update_key == "a1"
        with harness.app.sessions() as second, second.begin():
            assert inbox.claim_next(second, harness.clock.now()).update_key == "b1"
            with harness.app.sessions() as third, third.begin():
                assert inbox.claim_next(third, harness.clock.now()) is None


def test_the_command_line_lists_set_aside_updates_and_retries_one(
        example_settings: Settings, clock: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "bot.sqlite3"
    harness = Harness(example_settings, f"sqlite:///{database}", clock)
    add_broken_update(harness)
    fail_until_set_aside(harness)
    broken_id = broken_update(harness).id
    harness.app.engine.dispose()
    config = tmp_path / "config.toml"
    example = (Path(__file__).resolve().parents[1] / "config.example.toml").read_text(encoding="utf-8")
    config.write_text(example.replace('url = "sqlite:///youthbot.sqlite3"', f'url = "sqlite:///{database}"'),
                      encoding="utf-8")
    assert main(["updates", "--config", str(config)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in listed] == [str(broken_id)]
    assert "KeyError: 'chat_kind'" in listed[0] and "console:x" not in listed[0], "the error, never the chat"
    assert main(["updates", "--retry", str(broken_id + 1), "--config", str(config)]) == 2
    assert main(["updates", "--retry", str(broken_id), "--config", str(config)]) == 0
    assert broken_update(harness).processed_at is None and broken_update(harness).attempts == 0


def commits_of(harness: Harness) -> list[int]:
    """A counter of the commits made through the app's sessions from now on."""
    commits = [0]
    event.listen(harness.app.sessions, "after_commit", lambda _session: commits.__setitem__(0, commits[0] + 1))
    return commits


def test_a_page_of_updates_is_recorded_in_one_commit_and_copies_are_dropped(harness: Harness) -> None:
    processor = harness.app.processor
    commits = commits_of(harness)
    page = [(f"page-{n}", hello(name)) for n, name in enumerate(["an", "binh", "chi"])]
    assert processor.record_many(page) == 3
    assert processor.record_many(page[1:] + [("page-3", hello("dung"))]) == 1, "only the new one"
    assert commits[0] == 2
    with harness.app.sessions() as session:
        keys = session.scalars(select(InboxUpdate.update_key).order_by(InboxUpdate.id)).all()
    assert keys == ["page-0", "page-1", "page-2", "page-3"], "stored in the page's order"


def test_updates_of_different_chats_are_handled_together_and_each_chat_in_order(
        harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    processor = harness.app.processor
    second = Incoming(platform="console", chat_id="user-an", chat_kind=ChatKind.PRIVATE, user_id="an",
                      message_id="2", text="1")
    processor.record_many([("a1", hello("an")), ("a2", second), ("b1", hello("binh")), ("c1", hello("chi"))])
    batches = []
    claim_batch = inbox.claim_batch

    def noted(*args):  # type: ignore[no-untyped-def]
        claimed = claim_batch(*args)
        batches.append([update.update_key for update in claimed])
        return claimed

    monkeypatch.setattr(inbox, "claim_batch", noted)
    assert processor.process_all() == 4
    assert batches == [["a1", "b1", "c1"], ["a2"], []], "a2 waits for a1, in the next transaction"
    harness.flush()
    an = harness.messages_to("user-an")
    assert len(an) == 2 and an[0].text == harness.messages_to("user-binh")[0].text, "the welcome first"


def test_a_failing_update_in_a_batch_leaves_its_neighbours_handled(harness: Harness) -> None:
    add_broken_update(harness)
    harness.app.processor.record_many([("good-1", hello("binh")), ("good-2", hello("chi"))])
    assert harness.app.processor.process_all() == 3
    harness.flush()
    assert harness.messages_to("user-binh") and harness.messages_to("user-chi"), "committed, one by one"
    assert broken_update(harness).attempts == 1 and broken_update(harness).retry_at is not None


def test_a_crash_in_the_middle_of_a_batch_loses_and_repeats_nothing(
        harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """The process dies (here: an exception no handler catches) after applying part of a batch: none
    of the batch is committed, and the next run handles each update once."""
    processor = harness.app.processor
    processor.record_many([(f"u{n}", hello(name)) for n, name in enumerate(["an", "binh", "chi"])])
    monkeypatch.setattr(processing, "BATCH_SECONDS", 60)  # one batch, however slow the machine
    applied = []
    apply = processor._apply

    def dies_at_the_third(session, update, *read):  # type: ignore[no-untyped-def]
        if len(applied) == 2:
            raise SystemExit("killed")
        applied.append(update.update_key)
        apply(session, update, *read)

    monkeypatch.setattr(processor, "_apply", dies_at_the_third)
    with pytest.raises(SystemExit):
        processor.process_all()
    monkeypatch.undo()
    with harness.app.sessions() as session:
        assert inbox.pending_count(session) == 3, "nothing of the batch was committed"
    assert processor.process_all() == 3
    harness.flush()
    assert [len(harness.messages_to(f"user-{name}")) for name in ("an", "binh", "chi")] == [1, 1, 1]


def test_webhook_posts_arriving_together_are_committed_together(harness: Harness) -> None:
    recorder = BurstRecorder(harness.app.processor)
    commits = commits_of(harness)

    async def burst() -> None:
        posts = enumerate(["an", "binh", "chi"])
        await asyncio.gather(*(recorder.record(f"post-{n}", hello(name)) for n, name in posts))

    asyncio.run(burst())
    with harness.app.sessions() as session:
        assert inbox.pending_count(session) == 3
    assert commits[0] <= 2, "the first post alone at most, the others together"


def test_a_failed_commit_fails_every_post_of_its_burst(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each waiting request then answers 5xx, and the platform posts it again."""
    recorder = BurstRecorder(harness.app.processor)

    def fails(_updates: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(harness.app.processor, "record_many", fails)

    async def burst() -> list[object]:
        posts = enumerate(["an", "binh"])
        return await asyncio.gather(*(recorder.record(f"post-{n}", hello(name)) for n, name in posts),
                                    return_exceptions=True)

    assert [type(result) for result in asyncio.run(burst())] == [RuntimeError, RuntimeError]


def turns(waited: float) -> list[str]:
    """Who goes first when the processor, holding SQLite's lock, commits and begins again at once
    while the sender has been waiting `waited` seconds (on the queue's clock)."""
    now = [0.0]
    writers = WriterQueue(clock=lambda: now[0])
    order: list[str] = []
    writers.enter()  # the processor's transaction
    sender = threading.Thread(target=lambda: (writers.enter(), order.append("sender"), writers.leave()))
    sender.start()
    while not writers._waiting:  # the sender is queued
        threading.Event().wait(0.001)
    now[0] += waited
    writers.leave()
    writers.enter()  # the processor's next transaction
    order.append("processor")
    writers.leave()
    sender.join()
    return order


def test_a_thread_that_waited_long_enough_for_sqlite_goes_before_the_one_committing_in_a_loop() -> None:
    """The inbox, committing batch after batch during a burst, must not keep the sender out."""
    assert turns(waited=PATIENCE_SECONDS) == ["sender", "processor"]


def test_a_free_lock_goes_to_whoever_asks_while_no_one_has_waited_long() -> None:
    """Handing it over at every commit would leave it idle until the next thread is scheduled."""
    assert turns(waited=0.0) == ["processor", "sender"]
