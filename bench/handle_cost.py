"""What handling one question costs, next to the least a durable bot must do per message.

Usage: .venv/bin/python bench/handle_cost.py [--n 2000] [--database sqlite|postgresql]

(a) real: a registered young person asks and confirms. Both updates are recorded in the
    inbox, processed by the real handlers (draft, suggestion, code, card to the
    department, receipt) and the three messages sent through an in-memory transport.
(b) echo: one update recorded in the inbox; one transaction marks it processed and
    enqueues one echo; the same outbox sender sends it through the same transport.
Both run in one process on one database, in alternating blocks so that drift (caches,
a growing WAL, a busy neighbour) falls on both alike. Results go to stdout and to
bench/results/handle_cost.json, one entry per database kind.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import itertools
import json
import os
import platform
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from common import database  # bench/common.py

from bot.app import App, build_app
from bot.channels.console import PLATFORM, console_settings
from bot.channels.registry import load_settings
from bot.sender import OutboxSender
from bot.transport import RateLimits
from core.messages import ChatKind, ChatRef, Incoming, Outgoing
from storage import inbox
from storage.db import transaction

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "handle_cost.json"
QUESTIONS = (
    "Tỉnh có lớp đào tạo kỹ năng số miễn phí cho thanh niên nông thôn không ạ?",
    "Làm thế nào để đưa sản phẩm OCOP của gia đình lên sàn thương mại điện tử?",
    "Thủ tục thành lập doanh nghiệp công nghệ số có được rút gọn không?",
    "Khi nào tất cả thủ tục hành chính của tỉnh được làm trực tuyến toàn trình?",
    "Mô hình nuôi cá ứng dụng cảm biến IoT có được hỗ trợ vốn không?",
    "Thanh niên từ đủ 16 đến dưới 18 tuổi được hưởng chính sách gì theo Nghị định 13?",
)
BLOCK = 100  # items per turn before switching between (a) and (b)


class MemoryTransport:
    """Accepts every send at once and keeps the newest message of each chat (for its buttons)."""

    platform = PLATFORM
    max_text_length = 4096
    limits = RateLimits(per_second=float("inf"), private_interval=0.0, group_interval=0.0)

    def __init__(self) -> None:
        self.sent = 0
        self.last: dict[str, Outgoing] = {}

    def is_group(self, chat_id: str) -> bool:
        return not chat_id.startswith("user-")

    async def send(self, message: Outgoing) -> list[str]:
        self.sent += 1
        self.last[message.chat.chat_id] = message
        return [f"m{self.sent}"]


class Bench:
    """One app and one sender on the database under test, and the two paths measured."""

    def __init__(self, database_url: str) -> None:
        settings = replace(load_settings(ROOT / "config.example.toml"), database_url=database_url)
        self.app: App = build_app(console_settings(settings))
        self.transport = MemoryTransport()
        self.sender: OutboxSender = self.app.sender(self.transport)
        self._ids = itertools.count(1)
        self.questions_per_user = self.app.settings.limits.questions_per_hour

    def incoming(self, user: str, text: str = "", button_data: str = "") -> Incoming:
        return Incoming(platform=PLATFORM, chat_id=f"user-{user}", chat_kind=ChatKind.PRIVATE, user_id=user,
                        user_name=user, message_id=f"b{next(self._ids)}", text=text, button_data=button_data)

    async def deliver(self, incoming: Incoming) -> None:
        """What the real bot does with one update: record, process, send."""
        self.app.processor.record(incoming.message_id, incoming)
        self.app.processor.process_all()
        await self.sender.drain()

    async def register(self, user: str) -> None:
        """Consent and a district, typed as menu numbers; not measured."""
        for typed in ("xin chào", "1", "1"):
            await self.deliver(self.incoming(user, typed))

    async def ask(self, item: int) -> None:
        """(a) A question and the press of its "confirm" button: 2 updates, 3 messages (4 for a repeat)."""
        user = f"u{item // self.questions_per_user}"
        sent_before = self.transport.sent
        await self.deliver(self.incoming(user, f"{QUESTIONS[item % len(QUESTIONS)]} (#{item})"))
        confirm = self.transport.last[f"user-{user}"].choices[0].data
        await self.deliver(self.incoming(user, button_data=confirm))
        # A repeated question (all but the first few here) also gets a merge card in the coordinator chat.
        sends = self.transport.sent - sent_before
        assert sends in (3, 4), "the flow went elsewhere"  # button data is signed now: no action name to check

    async def echo(self, item: int) -> None:
        """(b) The minimum: record, one transaction to mark it and enqueue the echo, send."""
        incoming = self.incoming(f"u{item // self.questions_per_user}", QUESTIONS[item % len(QUESTIONS)])
        self.app.processor.record(incoming.message_id, incoming)
        with transaction(self.app.sessions) as session:
            now = self.app.clock.now()
            update = inbox.claim_next(session, now)
            assert update is not None
            inbox.mark_processed(session, [update.id], now)
            echo = Outgoing(ChatRef(PLATFORM, incoming.chat_id), html.escape(incoming.text))
            self.app.services.outbox.enqueue(session, echo, now)
        await self.sender.drain()


async def timed(step: Callable[[int], Awaitable[None]], items: range) -> list[float]:
    durations = []
    for item in items:
        started = time.perf_counter()
        await step(item)
        durations.append(time.perf_counter() - started)
    return durations


async def measure(bench: Bench, n: int, warmup: int) -> dict[str, list[float]]:
    """Register the askers, warm both paths up, then alternate blocks of (a) and (b)."""
    for user in range((warmup + n + bench.questions_per_user - 1) // bench.questions_per_user):
        await bench.register(f"u{user}")
    await timed(bench.ask, range(warmup))
    await timed(bench.echo, range(warmup))
    results: dict[str, list[float]] = {"real": [], "echo": []}
    for start in range(warmup, warmup + n, BLOCK):
        block = range(start, min(start + BLOCK, warmup + n))
        results["real"] += await timed(bench.ask, block)
        results["echo"] += await timed(bench.echo, block)
    return results


def summary(durations: list[float]) -> dict[str, float]:
    """Mean, median and 95th percentile; the first and last blocks show whether cost grows with the tables."""
    cuts = statistics.quantiles(durations, n=20)
    return {"mean_ms": 1000 * statistics.fmean(durations), "p50_ms": 1000 * statistics.median(durations),
            "p95_ms": 1000 * cuts[18], "first_block_ms": 1000 * statistics.fmean(durations[:BLOCK]),
            "last_block_ms": 1000 * statistics.fmean(durations[-BLOCK:]), "total_s": sum(durations)}


def report(kind: str, n: int, results: dict[str, list[float]]) -> dict[str, object]:
    real, echo = summary(results["real"]), summary(results["echo"])
    ratio = real["mean_ms"] / echo["mean_ms"]
    print(f"handle_cost on {kind}: {n} items on each path, {os.cpu_count()} CPUs")
    print(f"{'path':34} {'updates':>7} {'sends':>5} {'mean ms':>8} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'first block':>11} {'last block':>10}")
    paths = (("(a) question + confirm, real code", 2, "3-4", real), ("(b) bare echo", 1, "1", echo))
    for label, updates, sends, row in paths:
        print(f"{label:34} {updates:7} {sends:>5} {row['mean_ms']:8.2f} {row['p50_ms']:8.2f} {row['p95_ms']:8.2f} "
              f"{row['first_block_ms']:11.2f} {row['last_block_ms']:10.2f}")
    print(f"ratio (a)/(b) of the means: {ratio:.1f}")
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"), "n": n, "cpus": os.cpu_count(),
            "load_average_1min": os.getloadavg()[0], "python": platform.python_version(),
            "real": real, "echo": echo, "ratio": ratio}


def save(kind: str, result: dict[str, object]) -> None:
    """Keep the other database's entry: run_all.sh runs both kinds one after the other."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    saved[kind] = result
    RESULTS.write_text(json.dumps(saved, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="questions measured on each path")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    warmup = max(20, args.n // 10)
    with database(args.database) as url:
        bench = Bench(url)
        results = asyncio.run(measure(bench, args.n, warmup))
        bench.app.engine.dispose()
    save(args.database, report(args.database, args.n, results))


if __name__ == "__main__":
    main()
