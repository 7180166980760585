"""A broadcast to 10,000 subscribers through the real Telegram adapter, killed twice midway.

The local Bot API server enforces Telegram's limits (429 when exceeded) and answers 403 for
the people who blocked the bot. The worker (tests/broadcastworker.py) SIGKILLs itself
right after a send was accepted and before it was recorded, so that send is repeated after
the restart: the test checks every subscriber got exactly one copy, except at most the
requests in flight at each kill, which the worker notes.

The overall limit is raised from 30/s to 1,000/s here so that 10,000 copies take seconds;
per-chat limits stay Telegram's. bench/broadcast_rate.py measures at the real 30/s.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.config import Settings
from storage.db import make_engine, make_session_factory, transaction
from storage.migrate import upgrade
from storage.models import Account, Broadcast, BroadcastStatus, Campaign
from tests.fakes.telegram_api import FakeTelegram, RateLimitRules
from tests.population import add_subscribers

ROOT = Path(__file__).resolve().parents[1]
WORKER = ROOT / "tests" / "broadcastworker.py"
SUBSCRIBERS = 10_000
FIRST_USER = 100_000
PER_SECOND = 1_000
KILLS_AFTER = (2_500, 4_000)  # accepted sends of each run before it dies


def prepare(database_url: str, settings: Settings, fake: FakeTelegram, users: range, blocked_every: int) -> None:
    """The subscribers on both sides, every `blocked_every`-th having blocked the bot, and a broadcast
    confirmed for all of them (bench/broadcast_rate.py uses this too)."""
    for user in users:
        fake.add_user(user, f"Thanh niên {user}")
    for user in users[::blocked_every] if blocked_every else ():
        fake.block_user(user)
    engine = make_engine(database_url)
    upgrade(engine)
    now = datetime.now(UTC)
    with transaction(make_session_factory(engine)) as session:
        campaign = Campaign(key=settings.campaign.key, name="", level="", code_prefix="HY", created_at=now)
        session.add(campaign)
        session.flush()
        add_subscribers(session, settings, users, "telegram", now)
        session.add(Broadcast(campaign_id=campaign.id, author="telegram:100000001", author_chat="telegram:100000001",
                              status=BroadcastStatus.SENDING, html="<b>Thông báo</b> lịch đối thoại",
                              planned=len(users), created_at=now, started_at=now))
    fake.add_user(100000001, "Quản trị")
    engine.dispose()


def run_worker(database_url: str, fake: FakeTelegram, kill_after: int, marker: Path) -> int:
    command = [sys.executable, str(WORKER), database_url, fake.base_url, fake.token, str(kill_after),
               str(PER_SECOND), str(marker)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300).returncode


@pytest.mark.slow
def test_ten_thousand_copies_one_each_through_two_kills(
    database_url: str, example_settings: Settings, tmp_path: Path
) -> None:
    limits = RateLimitRules(per_second=PER_SECOND)
    with FakeTelegram(limits=limits) as fake:
        prepare(database_url, example_settings, fake, range(FIRST_USER, FIRST_USER + SUBSCRIBERS), blocked_every=100)
        in_flight = 0
        for run, kill_after in enumerate(KILLS_AFTER):
            marker = tmp_path / f"kill-{run}.json"
            assert run_worker(database_url, fake, kill_after, marker) == -signal.SIGKILL
            in_flight += json.loads(marker.read_text())["in_flight"]
        assert run_worker(database_url, fake, 0, tmp_path / "unused") == 0

        copies = [len(fake.bot_messages(user)) for user in range(FIRST_USER, FIRST_USER + SUBSCRIBERS)]
        report = fake.last_bot_message(100000001)["text"]
        too_many = fake.stats.too_many_requests

    blocked = copies[::100]
    reached = [count for index, count in enumerate(copies) if index % 100]
    repeats = sum(count - 1 for count in reached)
    print(f"\n{len(reached)} reached, {repeats} repeats, {in_flight} in flight at the kills, {too_many} × 429")
    assert blocked == [0] * 100
    assert all(count >= 1 for count in reached)
    assert len(KILLS_AFTER) <= repeats <= in_flight
    assert too_many == 0
    assert "Đã nhận: 9900" in report and "Đã chặn bot (lần sau bỏ qua): 100" in report
    engine = make_engine(database_url)
    with transaction(make_session_factory(engine)) as session:
        assert session.scalar(select(func.count()).where(Account.blocked_at.is_not(None))) == 100
        assert session.scalar(select(Broadcast.status)) == BroadcastStatus.DONE
    engine.dispose()
