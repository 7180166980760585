"""A platform added by its own module and one line of registration, here in the test only
(tests/demo_channel.py): its settings table is validated with the others, its webhook (and its
verification challenge) is served by the one web application, a question asked on it is answered
from a Telegram group, and what its 24-hour reply window refuses is held, then released."""

from __future__ import annotations

import asyncio
import socket
import tomllib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import telegram
from sqlalchemy import select

from bot.app import App, build_app
from bot.channels.base import Setup
from bot.channels.registry import CHANNELS, parse_settings
from bot.channels.telegram.adapter import TelegramReceiver, TelegramTransport
from bot.health import Health
from bot.metrics import DatabaseGauges
from bot.sender import OutboxSender
from bot.serve import serve
from bot.web import web_app
from core.clock import FakeClock
from core.config import EXAMPLE_CONFIG, ConfigError, WebSettings
from storage.db import transaction
from storage.models import OutboxMessage, OutboxStatus, Question, QuestionStatus
from tests import demo_channel
from tests.fakes.demo_api import FakeDemo
from tests.fakes.telegram_api import FakeTelegram, LocalServer
from tests.test_web import readiness_once_up

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

WITH_DEMO = (*CHANNELS, demo_channel.CHANNEL)  # the one line that registers a platform
LAN = "4200000000000001"
OFFICER = 701
STAFF = 702
SO_CT = -1000000000003
COORDINATOR = -1000000000007
QUESTION = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"
VERIFY_TOKEN = "demo-verify-token"


def demo_data(fake: FakeDemo | None = None, **demo: Any) -> dict[str, Any]:
    data = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["telegram"]["token"] = "123:abc"
    data["demo"] = {"page_token": fake.token if fake else "t", "app_secret": fake.app_secret if fake else "s",
                    "verify_token": VERIFY_TOKEN, "api_url": fake.url if fake else "https://graph.example/v1"} | demo
    return data


def test_the_channel_is_known_only_where_it_is_registered() -> None:
    assert "demo" not in {channel.name for channel in CHANNELS}
    with pytest.raises(ConfigError, match="demo: unknown table"):
        parse_settings(demo_data())
    settings = parse_settings(demo_data(), channels=WITH_DEMO)
    assert settings.platforms == ("telegram", "demo")
    with pytest.raises(ConfigError, match="demo.verify_tokn: unknown key; did you mean 'verify_token'"):
        parse_settings(demo_data(verify_tokn="x"), channels=WITH_DEMO)
    with pytest.raises(ConfigError, match="departments\\[0\\].chats\\[0\\]: 'demo' has no group chats"):
        data = demo_data()
        data["departments"][0]["chats"] = ["demo:123"]
        parse_settings(data, channels=WITH_DEMO)


@dataclass
class Deployment:
    demo: FakeDemo
    telegram: FakeTelegram
    app: App
    telegram_receiver: TelegramReceiver
    senders: list[OutboxSender]
    clock: FakeClock

    async def step(self) -> None:
        await self.telegram_receiver.poll_once(timeout=0)
        await asyncio.to_thread(self.app.processor.process_all)
        for _ in range(3):
            for sender in self.senders:
                await sender.drain()
            self.clock.advance(3)

    async def says(self, text: str) -> None:
        assert (await asyncio.to_thread(self.demo.user_sends, LAN, text)).status_code == 200
        await self.step()

    def held(self) -> list[OutboxMessage]:
        with self.app.sessions() as session:
            return list(session.scalars(select(OutboxMessage).where(
                OutboxMessage.status == OutboxStatus.FAILED, OutboxMessage.failure_reason == "window_closed")))


@asynccontextmanager
async def deployed(database_url: str, clock: FakeClock) -> AsyncIterator[Deployment]:
    with FakeDemo(clock.now) as demo, FakeTelegram() as fake_telegram:
        fake_telegram.add_user(OFFICER, "Cán bộ Sở Công Thương")
        fake_telegram.add_group(SO_CT, "Sở Công Thương - hỏi đáp thanh niên", members=[OFFICER])
        fake_telegram.add_user(STAFF, "Cán bộ Sở Nội vụ")
        fake_telegram.add_group(COORDINATOR, "Sở Nội vụ - điều phối đối thoại", members=[STAFF])
        settings = parse_settings(demo_data(demo), EXAMPLE_CONFIG.parent, channels=WITH_DEMO)
        settings = replace(settings, database_url=database_url).with_channel(
            "telegram", token=fake_telegram.token, base_url=fake_telegram.base_url)
        app = build_app(settings, clock, channels=WITH_DEMO)
        try:
            async with AsyncExitStack() as stack, httpx.AsyncClient() as http, telegram.Bot(
                    fake_telegram.token, base_url=fake_telegram.base_url) as bot:
                wiring = await demo_channel.CHANNEL.start(Setup(app, stack, http, lambda: None))
                web = LocalServer(web_app(Health(app.engine), DatabaseGauges(app.sessions, clock), wiring.routes))
                web.start()
                demo.webhook_url = f"{web.url}/demo"
                try:
                    yield Deployment(demo, fake_telegram, app, TelegramReceiver(bot, app.processor),
                                     [*wiring.senders, app.sender(TelegramTransport(bot))], clock)
                finally:
                    web.stop()
        finally:
            app.engine.dispose()


def run(database_url: str, clock: FakeClock, scenario: Any) -> None:
    async def main() -> None:
        async with deployed(database_url, clock) as deployment:
            await scenario(deployment)
    asyncio.run(main())


def test_the_webhook_answers_its_verification_challenge_and_refuses_forged_events(
        database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        answer = await asyncio.to_thread(d.demo.verify, VERIFY_TOKEN, "1158201444")
        assert (answer.status_code, answer.text) == (200, "1158201444")
        assert (await asyncio.to_thread(d.demo.verify, "not-the-token", "1")).status_code == 403
        forged = await asyncio.to_thread(d.demo.post_raw, b'{"object": "page", "entry": []}', "not-the-secret")
        assert forged.status_code == 403
        async with httpx.AsyncClient() as client:  # the channel's routes sit beside the server's own
            assert (await client.get(d.demo.webhook_url.replace("/demo", "/healthz"))).status_code == 200
    run(database_url, clock, scenario)


def test_a_question_asked_on_the_new_platform_is_answered_from_telegram_and_held_outside_its_window(
        database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        for text in ("xin chào", "1", "van giang", QUESTION, "1"):
            await d.says(text)
        with d.app.sessions() as session:
            question = session.scalars(select(Question)).one()
        assert question.code == "HY-0001" and question.status == QuestionStatus.FORWARDED
        assert any("HY-0001" in text for text in d.demo.texts_to(LAN))  # the receipt
        card = next(m for m in d.telegram.bot_messages(SO_CT) if m["text"].startswith("HY-0001"))
        d.telegram.user_sends(OFFICER, chat_id=SO_CT, text="Có, em cần kê khai thuế.", reply_to=card["message_id"])
        await d.step()
        assert "kê khai thuế" in d.demo.texts_to(LAN)[-1]
        with d.app.sessions() as session:
            assert session.get_one(Question, question.id).status == QuestionStatus.ANSWERED

        d.clock.advance(timedelta(hours=25))  # Lan has not written for more than a day
        received, coordinator = len(d.demo.texts_to(LAN)), len(d.telegram.bot_messages(COORDINATOR))
        answer = next(m for m in d.telegram.messages(SO_CT) if m.get("text") == "Có, em cần kê khai thuế.")
        d.telegram.user_edits(OFFICER, SO_CT, answer["message_id"], "Có, khi doanh thu trên 100 triệu/năm.")
        await d.step()
        held = d.held()
        assert len(held) == 1 and d.demo.refused, "refused by the platform, held by the product"
        assert len(d.demo.texts_to(LAN)) == received
        told = [m["text"] for m in d.telegram.bot_messages(COORDINATOR)[coordinator:]]
        assert any(f"#{held[0].id}" in text for text in told) and not any("delivery_why" in text for text in told)

        await d.says("/my")  # writing again opens the window: what was held goes first
        assert d.held() == []
        assert any("100 triệu" in text for text in d.demo.texts_to(LAN)[received:])
        with transaction(d.app.sessions) as session:
            assert session.get_one(OutboxMessage, held[0].id).status == OutboxStatus.SENT
    run(database_url, clock, scenario)


def test_the_runtime_starts_a_registered_channel_like_any_other(database_url: str) -> None:
    """`serve` with the one extra line: the demo's sender runs and its routes are on the one server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"

    async def main() -> None:
        with FakeDemo(lambda: datetime.now(UTC)) as demo, FakeTelegram() as fake_telegram:
            fake_telegram.add_group(SO_CT, "Sở Công Thương - hỏi đáp thanh niên")
            fake_telegram.add_group(COORDINATOR, "Sở Nội vụ - điều phối đối thoại")
            settings = parse_settings(demo_data(demo), EXAMPLE_CONFIG.parent, channels=WITH_DEMO)
            settings = replace(settings, database_url=database_url, web=WebSettings(listen_port=port)).with_channel(
                "telegram", token=fake_telegram.token, base_url=fake_telegram.base_url)
            demo.webhook_url = f"{url}/demo"
            running = asyncio.create_task(serve(settings, channels=WITH_DEMO))
            try:
                async with asyncio.timeout(20), httpx.AsyncClient() as client:
                    ready = await readiness_once_up(client, url, running)
                    challenge = await asyncio.to_thread(demo.verify, VERIFY_TOKEN, "42")
                    assert (await asyncio.to_thread(demo.user_sends, LAN, "xin chào")).status_code == 200
                    while not demo.texts_to(LAN):
                        await asyncio.sleep(0.05)
            finally:
                running.cancel()
            assert {"demo sender", "telegram sender", "telegram receiver", "web server"} <= set(ready)
            assert (challenge.status_code, challenge.text) == (200, "42")
    asyncio.run(main())
