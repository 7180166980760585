"""Broadcast time at Telegram's default limit, as a fraction of the theoretical minimum.

For each size, N subscribers and one broadcast are stored; then a separate process
(tests/broadcastworker.py: the pump and the outbox sender, as `youthbot run` has them)
sends it through python-telegram-bot to the local Bot API server, which enforces 30/s
overall and 1/s per chat and answers 429 beyond. Reported per size: the time from the first
request to the last answer (the process's start-up is left out), the rate as a fraction of
the limit ((N - 1) / 30 s is the least possible: the first copy goes at once), the number of
429, and the sender process's memory (it must not grow with N), read by the process itself:
its resident size after the first 1,000 sends, the largest reading (one every 1,000 sends) and
at the end, and its high-water mark after the first 1,000 sends and at the end (the peak).
The peak is not the child's ru_maxrss: Linux carries into it the high-water mark of the
process that spawned it (the bench, holding 100,000 fake Telegram users: 200 MB).

    .venv/bin/python bench/broadcast_rate.py [--sizes 1000,10000] [--database sqlite|postgresql]

10,000 copies take about 6 minutes and 100,000 about an hour: the limit is the point.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import database  # noqa: E402  (bench/common.py)

from bot.channels.registry import load_settings  # noqa: E402
from bot.channels.telegram.adapter import TelegramTransport  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram, RateLimitRules  # noqa: E402
from tests.test_broadcast_crash import FIRST_USER, WORKER, prepare  # noqa: E402


def measure(size: int, kind: str) -> dict[str, float]:
    settings = load_settings(ROOT / "config.example.toml")
    limit = TelegramTransport.limits.per_second
    with database(kind) as url, FakeTelegram(limits=RateLimitRules()) as fake:
        prepare(url, settings, fake, range(FIRST_USER, FIRST_USER + size), blocked_every=0)
        command = [sys.executable, str(WORKER), url, fake.base_url, fake.token, "0", str(limit), os.devnull]
        worker = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
        report = json.loads(worker.stdout)
        elapsed, memory = report["sending_seconds"], report["memory_mb"]
        sent = sum(len(fake.bot_messages(user)) for user in range(FIRST_USER, FIRST_USER + size))
        too_many = fake.stats.too_many_requests
    return {"subscribers": size, "database": kind, "copies": sent, "sending_seconds": round(elapsed, 1),
            "fraction_of_limit": round((size - 1) / limit / elapsed, 3), "too_many_requests": too_many,
            "rss_first_mb": memory[0][0], "rss_max_mb": max(now for now, _ in memory), "rss_end_mb": memory[-1][0],
            "peak_after_first_mb": memory[0][1], "peak_mb": memory[-1][1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        result = measure(size, args.database)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
