"""Telegram channel throughput against the local fake Bot API server, in one run.

(a) Intake: N young people each send a message; time until every update is recorded in the
    inbox, handled and its reply sent. Next to it, a bare python-telegram-bot echo bot
    (Application + MessageHandler, long polling) on the same fake server and the same N.
(b) Outbox rate: M messages to M private chats through the real sender, with the fake
    enforcing Telegram's limits; the achieved rate as a fraction of the configured 30/s, and
    the number of 429 answers (the goal: >= 0.95 and none).

    .venv/bin/python bench/telegram_throughput.py [--updates 300] [--sends 300] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import telegram
from telegram.ext import Application, MessageHandler, filters

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import database  # noqa: E402  (bench/common.py)

from bot.app import build_app  # noqa: E402
from bot.channels.registry import load_settings  # noqa: E402
from bot.channels.telegram.adapter import TelegramReceiver, TelegramTransport, make_bot  # noqa: E402
from core.messages import ChatRef, Outgoing  # noqa: E402
from storage.db import transaction  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram, RateLimitRules  # noqa: E402

FIRST_USER = 10_000


# Our own limits lifted through `[telegram]`: intake is compared with an echo bot that has none.
LIFTED = {"telegram": {"messages_per_second": float("inf"), "private_interval": 1e-6, "group_interval": 1e-6}}


def add_users(fake: FakeTelegram, count: int) -> list[int]:
    users = list(range(FIRST_USER, FIRST_USER + count))
    for user in users:
        fake.add_user(user, f"Thanh niên {user}")
    return users


async def youthbot_intake(updates: int, kind: str) -> float:
    settings = load_settings(ROOT / "config.example.toml", LIFTED)
    with database(kind) as url, FakeTelegram() as fake:
        users = add_users(fake, updates)
        app = build_app(replace(settings, database_url=url))
        async with make_bot(fake.token, fake.base_url) as bot:
            receiver = TelegramReceiver(bot, app.processor)
            sender = app.sender(TelegramTransport(bot, settings.channel("telegram").limits))
            for user in users:
                fake.user_sends(user, text="xin chào")
            started = time.perf_counter()
            while await receiver.poll_once(timeout=0):
                app.processor.process_all()
                await sender.drain()
            elapsed = time.perf_counter() - started
        assert all(fake.bot_messages(user) for user in users), "every update got its reply"
        app.engine.dispose()
        return elapsed


async def echo_bot_intake(updates: int) -> float:
    with FakeTelegram() as fake:
        users = add_users(fake, updates)
        answered = asyncio.Event()
        handled = 0

        async def echo(update: telegram.Update, _context: object) -> None:
            nonlocal handled
            await update.effective_message.reply_text(update.effective_message.text)
            handled += 1
            if handled == updates:
                answered.set()

        application = Application.builder().token(fake.token).base_url(fake.base_url).build()
        application.add_handler(MessageHandler(filters.TEXT, echo))
        for user in users:
            fake.user_sends(user, text="xin chào")
        async with application:
            started = time.perf_counter()
            await application.start()
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
            await asyncio.wait_for(answered.wait(), timeout=600)
            elapsed = time.perf_counter() - started
            await application.updater.stop()
            await application.stop()
        return elapsed


async def outbox_rate(sends: int, kind: str) -> dict[str, float]:
    settings = load_settings(ROOT / "config.example.toml")
    with database(kind) as url, FakeTelegram(limits=RateLimitRules()) as fake:
        users = add_users(fake, sends)
        app = build_app(replace(settings, database_url=url))
        with transaction(app.sessions) as session:
            for user in users:
                app.services.outbox.enqueue(session, Outgoing(ChatRef("telegram", str(user)), "Thông báo"),
                                            app.clock.now())
        async with make_bot(fake.token, fake.base_url) as bot:
            sender = app.sender(TelegramTransport(bot))
            started = time.perf_counter()
            while True:
                next_at = await sender.send_due()
                if next_at is None:
                    break
                await asyncio.sleep(max((next_at - app.clock.now()).total_seconds(), 0))
            elapsed = time.perf_counter() - started
        app.engine.dispose()
        limit = TelegramTransport.limits.per_second
        # n sends at a rate r take (n - 1) / r: the first goes at once.
        return {"sends": sends, "seconds": elapsed, "rate": sends / elapsed,
                "fraction_of_limit": (sends - 1) / limit / elapsed,
                "too_many_requests": fake.stats.too_many_requests}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--sends", type=int, default=300)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    ours = await youthbot_intake(args.updates, args.database)
    echo = await echo_bot_intake(args.updates)
    rate = await outbox_rate(args.sends, args.database)
    result = {
        "database": args.database,
        "intake": {"updates": args.updates, "youthbot_per_second": args.updates / ours,
                   "echo_bot_per_second": args.updates / echo, "ratio_youthbot_to_echo": echo / ours},
        "outbox": rate,
    }
    print(f"intake ({args.database}, {args.updates} updates, each recorded, handled and answered):")
    print(f"  youthbot       {args.updates / ours:8.1f} updates/s")
    print(f"  PTB echo bot   {args.updates / echo:8.1f} updates/s")
    print(f"  ratio          {echo / ours:8.2f} (youthbot throughput / echo throughput)")
    print(f"outbox ({rate['sends']} sends, limit {TelegramTransport.limits.per_second:.0f}/s enforced by the server):")
    print(f"  achieved       {rate['rate']:8.1f} sends/s = {rate['fraction_of_limit']:.3f} of the limit, "
          f"{rate['too_many_requests']} × 429")
    out = ROOT / "bench" / "results" / f"telegram_throughput_{args.database}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    asyncio.run(main())
