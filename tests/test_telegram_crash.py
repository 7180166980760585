"""Kill the bot at random points while young people ask through Telegram; nothing is lost.

Thirty young people each send their whole flow (hello, consent, district, question, confirm)
to the local Bot API server up front. tests/telegramworker.py then long-polls, handles and
sends through the real python-telegram-bot adapter, SIGKILLing itself at a random commit or
right after a send Telegram accepted, again and again until it finishes. Telegram re-delivers
what was not confirmed; the inbox drops the copies. Every question must be stored once, every
receipt and card delivered, and the copies sent twice no more than the requests in flight at
the kills.
"""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import Settings
from storage.db import make_engine
from storage.models import Question
from tests.fakes.telegram_api import FakeTelegram
from tests.test_crash import QUESTIONS

ROOT = Path(__file__).resolve().parents[1]
WORKER = "tests.telegramworker"  # run as a module, so that it can import from tests/
PEOPLE = 30
FIRST_USER = 5_000
SEED = 11
KILL_SPAN = 60  # kill points drawn from 1..KILL_SPAN: batched recording and handling left about 250 in a whole run
MIN_KILLS = 4
MAX_RUNS = 100
# A card starts with its code (the coordinator's chat also gets review cards), after the note of a resend if any.
CARD = re.compile(r"^(?:🔁 Gửi lại sau sự cố[^\n]*\n)?(HY-\d{4}) · ")


def push_flows(fake: FakeTelegram, settings: Settings) -> list[int]:
    users = list(range(FIRST_USER, FIRST_USER + PEOPLE))
    for department in settings.departments:
        fake.add_group(int(department.primary_chat.chat_id), department.name)
    fake.add_group(int(settings.coordinator_chat.chat_id), "Sở Nội vụ")
    for user in users:
        fake.add_user(user, f"Thanh niên {user}")
    for step in range(5):
        for index, user in enumerate(users):
            district = 1 + index % len(settings.districts)
            text = ["xin chào", "1", str(district), f"{QUESTIONS[index % len(QUESTIONS)]} (số {index})", "1"][step]
            fake.user_sends(user, text=text)
    return users


@pytest.mark.slow
def test_random_kills_through_telegram_lose_no_question_receipt_or_card(
    database_url: str, example_settings: Settings, tmp_path: Path
) -> None:
    marker = tmp_path / "kills.jsonl"
    rng = random.Random(SEED)
    with FakeTelegram() as fake:
        users = push_flows(fake, example_settings)
        for _ in range(MAX_RUNS):
            command = [sys.executable, "-m", WORKER, database_url, fake.base_url, fake.token,
                       str(rng.randint(1, KILL_SPAN)), str(marker)]
            result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
            if result.returncode == 0:
                break
            assert result.returncode == -signal.SIGKILL, result.stderr
        else:
            pytest.fail(f"the worker did not finish in {MAX_RUNS} runs")
        receipts = {user: [t for t in texts_to(fake, user) if "Đã nhận câu hỏi" in t] for user in users}
        cards = Counter(card[1] for department in example_settings.departments
                        for text in texts_to(fake, int(department.primary_chat.chat_id))
                        if (card := CARD.match(text)))

    notes = [json.loads(line) for line in marker.read_text().splitlines()]
    kills = len(notes)
    in_flight = sum(note["in_flight"] for note in notes)
    repeats = sum(len(found) - 1 for found in receipts.values()) + sum(count - 1 for count in cards.values())
    print(f"\n{kills} kills {dict(Counter(note['kind'] for note in notes))}, {in_flight} in flight, {repeats} repeats")
    assert kills >= MIN_KILLS
    assert all(found for found in receipts.values())
    assert repeats <= in_flight
    engine = make_engine(database_url)
    with Session(engine) as session:
        codes = sorted(session.scalars(select(Question.code).where(Question.code.is_not(None))))
    engine.dispose()
    assert codes == [f"HY-{n:04d}" for n in range(1, PEOPLE + 1)]
    assert set(cards) == set(codes), set(cards) ^ set(codes)


def texts_to(fake: FakeTelegram, chat_id: int) -> list[str]:
    return [message.get("text", "") for message in fake.bot_messages(chat_id)]
