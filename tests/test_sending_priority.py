"""Under Telegram's real limits, a department's group gets its messages first and a full digest at each slot."""

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
from core.texts import Html
from handlers.context import Writer
from handlers.routing import post_card
from storage.db import transaction
from storage.models import Question
from tests.conftest import EXAMPLE_CONFIG
from tests.fakes.telegram_api import FakeTelegram, RateLimitRules
from tests.population import add_open_questions

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PTB 22's RetryAfter.retry_after

PEOPLE = range(701, 761)  # 60 young people, two messages each: 4 s of the overall rate
GROUP = -1000000000004  # so-gddt, the department add_open_questions forwards to
QUESTIONS = 40
STEP = 0.02  # seconds of the fake clock between two rounds of the sender, as its loop would wake
SECONDS = 10.0


def test_groups_go_first_and_each_slot_carries_a_full_digest(database_url: str, clock: FakeClock) -> None:
    """120 private messages enqueued before 40 cards for one group: the group's first message goes
    before any private one, and one digest goes at each 3 s slot, the first at once, each carrying as many
    cards as it can hold, so the 40 take the fewest messages the group's rate allows; the server refuses
    nothing."""
    with FakeTelegram(limits=RateLimitRules(), clock=lambda: clock.now().timestamp()) as fake:
        for person in PEOPLE:
            fake.add_user(person, f"Bạn {person}")
        fake.add_group(GROUP, "Sở Giáo dục - hỏi đáp thanh niên")
        data = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
        data["telegram"].update(token=fake.token, base_url=fake.base_url)  # Telegram's published limits
        settings = replace(parse_settings(data, EXAMPLE_CONFIG.parent), database_url=database_url)
        app = build_app(settings, clock)
        department = settings.department("so-gddt")
        assert department is not None and department.primary_chat == ChatRef("telegram", str(GROUP))
        with transaction(app.sessions) as session:
            for person in PEOPLE:
                for n in range(2):
                    app.services.outbox.enqueue(session, Outgoing(ChatRef("telegram", str(person)), f"Tin {n}"),
                                                clock.now())
            ids = add_open_questions(session, app.services.understanding, app.campaign(session),
                                     ["Trường em có học bổng cho học sinh nghèo vượt khó không ạ?"],
                                     QUESTIONS, clock.now())
            writer = Writer(app.services, session, clock.now())
            for question_id in ids:
                post_card(writer, session.get_one(Question, question_id), department, Html(""))

        async def main() -> tuple[list[float], float | None]:
            """Run the sender as its loop does (no drain: it reads the queue when it decides to); note
            when the group got each message and when the first private one went."""
            group_at: list[float] = []
            first_private = None
            started = clock.now()
            async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
                sender = app.sender(TelegramTransport(bot, settings.channel("telegram").limits))
                while (elapsed := (clock.now() - started).total_seconds()) < SECONDS:
                    await sender.send_due()
                    await sender.wait_in_flight()
                    group_at += [elapsed] * (len(fake.bot_messages(GROUP)) - len(group_at))
                    if first_private is None and any(fake.bot_messages(person) for person in PEOPLE):
                        first_private = elapsed
                    clock.advance(STEP)
            return group_at, first_private

        group_at, first_private = asyncio.run(main())
        app.engine.dispose()
        texts = [message["text"] for message in fake.bot_messages(GROUP)]
        assert fake.stats.too_many_requests == 0
        assert all(len(fake.bot_messages(person)) == 2 for person in PEOPLE)
        assert group_at[0] == 0.0 and first_private is not None and first_private > 0.0
        carried = [sum(f"HY-{n:04d}" in text for n in range(1, QUESTIONS + 1)) for text in texts]
        assert sum(carried) == QUESTIONS and min(carried) > 1  # each question once, no lone card
        assert len(texts) == -(-QUESTIONS // max(carried)) > 1  # the fewest the fullest allows
        for slot, at in enumerate(group_at):  # every slot used: 3 s after the answer to the last
            assert 3 * slot <= at <= 3 * slot + 3 * STEP
