"""A process that sends the broadcasts in the database through the real Telegram adapter.

Usage: python tests/broadcastworker.py DATABASE_URL BOT_API_BASE_URL TOKEN KILL_AFTER PER_SECOND MARKER [LEASE]

It runs the pump and the outbox sender, as `youthbot run` does, against a local Bot API
server, until no broadcast is left sending (exit 0). With KILL_AFTER > 0 it SIGKILLs itself
right after Telegram has accepted that many sends, before recording the last one, noting
in the MARKER file how many requests were in flight: the copies a restart may repeat.
On a clean exit it prints, as JSON, how many sends Telegram accepted from it, the seconds
from the first request to the last answer, and its resident memory (now, and the high-water
mark) every 1,000 sends and at the end. LEASE (seconds)
is how long a row claimed by another sender is left to it: 0 when this is the only sender
(the default), so that a restart takes over at once what the killed one left.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.app import build_app
from bot.channels.registry import load_settings
from bot.channels.telegram.adapter import TelegramTransport, make_bot
from bot.sender import OutboxSender
from bot.transport import RateLimits
from core.messages import Outgoing
from scheduler.broadcasts import BroadcastPump
from storage.db import transaction
from storage.models import Broadcast, BroadcastStatus

ROOT = Path(__file__).resolve().parents[1]
PUMP_SECONDS = 0.2  # as bot/runtime.py's loop, a little more often
RSS_EVERY = 1_000  # sends between two readings of the resident memory (the bench shows how it moves)


def memory_mb() -> tuple[float, float]:
    """The resident size now and its high-water mark so far."""
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return tuple(round(int(fields[key].split()[0]) / 1024, 1) for key in ("VmRSS", "VmHWM"))  # type: ignore[return-value]


class KillingTransport(TelegramTransport):
    """The real transport, which dies after its n-th accepted send."""

    def __init__(self, bot: object, kill_after: int, marker: Path, per_second: float) -> None:
        super().__init__(bot)  # type: ignore[arg-type]
        self.limits = RateLimits(per_second=per_second, private_interval=1.0, group_interval=3.0)
        self._kill_after = kill_after
        self._marker = marker
        self.accepted = 0
        self.first_start = 0.0
        self.last_answer = 0.0
        self.memory_mb: list[tuple[float, float]] = []
        self.sender: OutboxSender | None = None

    async def send(self, message: Outgoing) -> list[str]:
        self.first_start = self.first_start or time.monotonic()
        ids = await super().send(message)
        self.last_answer = time.monotonic()
        self.accepted += 1
        if self.accepted % RSS_EVERY == 0:
            self.memory_mb.append(memory_mb())
        if self.accepted == self._kill_after and self.sender is not None:
            self._marker.write_text(json.dumps({"in_flight": self.sender.in_flight}))
            os.kill(os.getpid(), signal.SIGKILL)
        return ids


def sending_left(sessions: object) -> int:
    with transaction(sessions) as session:  # type: ignore[arg-type]
        return session.scalar(select(func.count()).where(
            Broadcast.status.in_((BroadcastStatus.SENDING, BroadcastStatus.SCHEDULED)))) or 0


async def run(database_url: str, base_url: str, token: str, kill_after: int, per_second: float, marker: Path,
              lease: timedelta) -> int:
    settings = replace(load_settings(ROOT / "config.example.toml"), database_url=database_url)
    app = build_app(settings)
    pump = BroadcastPump(app.sessions, app.services, app.clock)
    async with make_bot(token, base_url) as bot:
        transport = KillingTransport(bot, kill_after, marker, per_second)
        sender = app.sender(transport, lease=lease)
        transport.sender = sender
        pumped_at = 0.0
        while True:
            if time.monotonic() - pumped_at >= PUMP_SECONDS:
                pumped_at = time.monotonic()
                if not await asyncio.to_thread(sending_left, app.sessions):
                    break
                if (await asyncio.to_thread(pump.tick)).enqueued:
                    sender.notify()
            next_at = await sender.send_due()
            wait = (next_at - app.clock.now()).total_seconds() if next_at else PUMP_SECONDS
            await asyncio.sleep(min(max(wait, 0.0), PUMP_SECONDS))
        await sender.drain()  # the final report, and anything else still queued
    app.engine.dispose()
    sending_seconds = transport.last_answer - transport.first_start
    print(json.dumps({"accepted": transport.accepted, "sending_seconds": sending_seconds,
                      "memory_mb": [*transport.memory_mb, memory_mb()]}))
    return 0


if __name__ == "__main__":
    url, base, token, kill, rate, marker = sys.argv[1:7]
    lease = timedelta(seconds=float(sys.argv[7]) if len(sys.argv) > 7 else 0)
    sys.exit(asyncio.run(run(url, base, token, int(kill), float(rate), Path(marker), lease)))
