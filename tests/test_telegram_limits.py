"""Telegram's limits come from `[telegram]`: a lifted limit is used, and still kept, against the strict fake."""

from __future__ import annotations

import asyncio
import tomllib
from dataclasses import replace

import pytest
import telegram

from bot.app import build_app
from bot.channels.registry import parse_settings
from bot.channels.telegram.adapter import TelegramTransport
from core.clock import FakeClock
from core.messages import ChatRef, Outgoing
from storage.db import transaction
from storage.outbox import Outbox
from tests.conftest import EXAMPLE_CONFIG
from tests.fakes.telegram_api import FakeTelegram, RateLimitRules

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PTB 22's RetryAfter.retry_after

PEOPLE = range(501, 601)  # 100 young people
GROUP = -1000000000003
STEP = 0.01  # seconds of the fake clock between two rounds of the sender


def lifted_settings(database_url: str, fake: FakeTelegram):
    data = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["telegram"].update(token=fake.token, base_url=fake.base_url, messages_per_second=100.0, group_interval=1.0)
    return replace(parse_settings(data, EXAMPLE_CONFIG.parent), database_url=database_url)


def test_limits_lifted_in_the_config_are_used_and_kept(database_url: str, clock: FakeClock) -> None:
    """100 people and 3 group messages: at 100/s and 1 s per group everything goes in about 2 s
    (30/s and 3 s, the defaults, would take 3.3 s and 6 s), and the server refuses nothing."""
    server_rules = RateLimitRules(per_second=100, per_group_per_minute=60)
    with FakeTelegram(limits=server_rules, clock=lambda: clock.now().timestamp()) as fake:
        for person in PEOPLE:
            fake.add_user(person, f"Bạn {person}")
        fake.add_group(GROUP, "Sở Công Thương - hỏi đáp thanh niên")
        settings = lifted_settings(database_url, fake)
        limits = settings.channel("telegram").limits
        assert (limits.per_second, limits.group_interval) == (100.0, 1.0)
        app = build_app(settings, clock)
        outbox = Outbox()
        with transaction(app.sessions) as session:
            for n in range(3):
                outbox.enqueue(session, Outgoing(ChatRef("telegram", str(GROUP)), f"HY-000{n + 1}"), clock.now())
            for person in PEOPLE:
                outbox.enqueue(session, Outgoing(ChatRef("telegram", str(person)), "Xin chào"), clock.now())

        async def main() -> tuple[int, int]:
            async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
                sender = app.sender(TelegramTransport(bot, limits))
                for _ in range(int(1.1 / STEP)):
                    await sender.drain()
                    clock.advance(STEP)
                people_by_1s = sum(len(fake.bot_messages(person)) for person in PEOPLE)
                for _ in range(int(1.1 / STEP)):
                    await sender.drain()
                    clock.advance(STEP)
                return people_by_1s, len(fake.bot_messages(GROUP))

        people_by_1s, group_by_2s = asyncio.run(main())
        app.engine.dispose()
        assert people_by_1s == len(PEOPLE)
        assert group_by_2s == 3
        assert fake.stats.too_many_requests == 0
