"""The bot through its real Telegram adapter, killing itself at a chosen point, for tests/test_telegram_crash.py.

Usage: python -m tests.telegramworker DATABASE_URL BOT_API_BASE_URL TOKEN KILL_AT MARKER

It long-polls the local Bot API server, records, handles and sends, as `youthbot run` does,
until Telegram has nothing new and nothing is left to handle or send (exit 0). Every commit
and every send Telegram accepted (before it is recorded) is a kill point; at the KILL_AT-th
(0: never) the process SIGKILLs itself, after appending to MARKER the kind of point and how
many requests were in flight: the sends a restart may repeat.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, func, select

from bot.app import App, build_app
from bot.channels.registry import load_settings
from bot.channels.telegram.adapter import TelegramReceiver, TelegramTransport, make_bot
from bot.transport import RateLimits
from core.messages import Outgoing
from storage import inbox
from storage.db import transaction
from storage.models import OutboxMessage, OutboxStatus
from tests.crashworker import COMMIT, KillSwitch

ROOT = Path(__file__).resolve().parents[1]
AFTER_SEND = "after-send"


class KillingTransport(TelegramTransport):
    """The real transport without our own rate limits (this test is about crashes, not rates)."""

    limits = RateLimits(per_second=float("inf"), private_interval=0.0, group_interval=0.0)

    def __init__(self, bot: object, kills: KillSwitch) -> None:
        super().__init__(bot)  # type: ignore[arg-type]
        self._kills = kills

    async def send(self, message: Outgoing) -> list[str]:
        ids = await super().send(message)
        self._kills.point(AFTER_SEND)
        return ids


def work_left(app: App) -> bool:
    with transaction(app.sessions) as session:
        unsent = session.scalar(select(func.count()).where(
            OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING))))
        return inbox.pending_count(session) > 0 or bool(unsent)


async def run(database_url: str, base_url: str, token: str, kill_at: int, marker: Path) -> int:
    settings = load_settings(ROOT / "config.example.toml")
    settings = replace(settings, database_url=database_url).with_channel("telegram", token=token, base_url=base_url)
    app = build_app(settings)
    kills = KillSwitch(kill_at, marker)
    event.listen(app.sessions, "after_commit", lambda _session: kills.point(COMMIT))
    async with make_bot(token, base_url) as bot:
        receiver = TelegramReceiver(bot, app.processor)
        sender = app.sender(KillingTransport(bot, kills), lease=timedelta(0))  # the only sender
        kills.sender = sender
        while True:
            received = await receiver.poll_once(timeout=0)
            await asyncio.to_thread(app.processor.process_all)
            await sender.drain()
            if not received and not await asyncio.to_thread(work_left, app):
                break
    app.engine.dispose()
    return 0


if __name__ == "__main__":
    url, base, token, kill_at, marker = sys.argv[1:6]
    sys.exit(asyncio.run(run(url, base, token, int(kill_at), Path(marker))))
