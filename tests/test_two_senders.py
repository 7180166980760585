"""Two processes drain one bot's outbox on PostgreSQL: each copy once, within the limits together.

Both run the broadcast pump and an outbox sender (tests/broadcastworker.py) against one local
Bot API server that answers 429 beyond its limits. Each process announces itself in the
database and keeps to its share of the overall rate, and a chat's next message waits for its
interval whichever process sends it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from core.config import Settings
from tests.fakes.telegram_api import FakeTelegram, RateLimitRules
from tests.test_broadcast_crash import FIRST_USER, ROOT, WORKER, prepare

SUBSCRIBERS = 1_500
PER_SECOND = 100  # the overall limit both processes share; per-chat limits are Telegram's
LEASE_SECONDS = 60  # the shared-database default: neither takes over what the other is sending


@pytest.mark.slow
def test_two_processes_split_a_broadcast_without_repeats_or_429(
    database_url: str, example_settings: Settings, tmp_path: Path
) -> None:
    if make_url(database_url).get_backend_name() == "sqlite":
        pytest.skip("SQLite is one process's database")
    users = range(FIRST_USER, FIRST_USER + SUBSCRIBERS)
    with FakeTelegram(limits=RateLimitRules(per_second=PER_SECOND)) as fake:
        prepare(database_url, example_settings, fake, users, blocked_every=0)
        command = [sys.executable, str(WORKER), database_url, fake.base_url, fake.token, "0", str(PER_SECOND)]
        workers = [subprocess.Popen([*command, str(tmp_path / f"unused-{i}"), str(LEASE_SECONDS)], cwd=ROOT,
                                    text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(2)]
        try:
            outputs = [worker.communicate(timeout=120) for worker in workers]
        finally:
            for worker in workers:
                worker.kill()
        assert [worker.returncode for worker in workers] == [0, 0], [error for _, error in outputs]
        copies = Counter(len(fake.bot_messages(user)) for user in users)
        too_many = fake.stats.too_many_requests
    sent_by = [json.loads(output)["accepted"] for output, _ in outputs]
    print(f"\nsent by each process: {sent_by}")
    assert copies == {1: SUBSCRIBERS}
    assert too_many == 0
    assert all(sent > SUBSCRIBERS / 10 for sent in sent_by)
