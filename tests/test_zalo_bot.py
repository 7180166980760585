"""The Zalo Bot API channel end to end: a question asked on Zalo is answered by reply in a
department's Telegram group, and the answer comes back on Zalo. Both platforms are strict local
fakes spoken to over HTTP."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
import telegram
from sqlalchemy import func, select
from starlette.applications import Starlette

from bot.app import App, build_app
from bot.channels.telegram.adapter import TelegramReceiver, TelegramTransport
from bot.channels.zalo_bot.adapter import MAX_TEXT_LENGTH, ZaloBotClient, ZaloBotReceiver, ZaloBotTransport
from bot.channels.zalo_bot.webhook import BOT_SECRET_HEADER, bot_route
from bot.channels.zalo_text import ChooseHints
from bot.sender import OutboxSender
from bot.serve import serve
from bot.transport import PermanentFailure, RateLimits
from core.clock import FakeClock
from core.config import Settings, WebSettings
from core.messages import Action, Button, ChatRef, Outgoing
from storage.models import InboxUpdate, OutboxMessage, OutboxStatus
from tests.fakes.telegram_api import FakeTelegram, LocalServer
from tests.fakes.zalo_bot_api import FakeZaloBot

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MAI = "4815162342000001"       # a young person on Zalo
OFFICER = 701                  # in Sở Công Thương's Telegram group
SO_CT = -1000000000003         # from config.example.toml
COORDINATOR = -1000000000007
QUESTION = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"
FAST = RateLimits(per_second=1000.0, private_interval=0.0, group_interval=0.0)


@dataclass
class Deployment:
    zalo: FakeZaloBot
    telegram: FakeTelegram
    app: App
    client: ZaloBotClient
    receiver: ZaloBotReceiver
    telegram_receiver: TelegramReceiver
    senders: list[OutboxSender]
    clock: FakeClock

    async def step(self) -> None:
        """Take what both platforms have, handle it, and send everything."""
        while await self.receiver.poll_once(timeout=0):
            pass
        await self.telegram_receiver.poll_once(timeout=0)
        await self.settle()

    async def settle(self) -> None:
        self.app.processor.process_all()
        for _ in range(5):
            for sender in self.senders:
                await sender.drain()
            self.clock.advance(3)

    def zalo_texts(self, user: str = MAI) -> list[str]:
        return self.zalo.bot_texts(user)

    def rows_pending(self) -> int:
        with self.app.sessions() as session:
            return session.scalar(select(func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.status == OutboxStatus.PENDING)) or 0


@asynccontextmanager
async def deployed(settings: Settings, database_url: str, clock: FakeClock,
                   wrap_webhook_bodies: bool = False) -> AsyncIterator[Deployment]:
    with FakeZaloBot(wrap_webhook_bodies=wrap_webhook_bodies) as zalo, FakeTelegram() as fake_telegram:
        zalo.add_user(MAI, "Mai")
        fake_telegram.add_user(OFFICER, "Cán bộ Sở Công Thương")
        fake_telegram.add_group(SO_CT, "Sở Công Thương - hỏi đáp thanh niên", members=[OFFICER])
        fake_telegram.add_group(COORDINATOR, "Sở Nội vụ - điều phối đối thoại")
        app = build_app(replace(settings, database_url=database_url), clock)
        hints = ChooseHints(app.services.texts, app.sessions)
        async with httpx.AsyncClient() as http, telegram.Bot(fake_telegram.token,
                                                              base_url=fake_telegram.base_url) as bot:
            client = ZaloBotClient(zalo.token, zalo.base_url, http)
            senders = [app.sender(ZaloBotTransport(client, FAST, hints)), app.sender(TelegramTransport(bot))]
            yield Deployment(zalo, fake_telegram, app, client, ZaloBotReceiver(client, app.processor),
                             TelegramReceiver(bot, app.processor), senders, clock)
        app.engine.dispose()


def run(settings: Settings, database_url: str, clock: FakeClock,
        scenario: Callable[[Deployment], Coroutine[Any, Any, None]], **options: Any) -> None:
    async def main() -> None:
        async with deployed(settings, database_url, clock, **options) as deployment:
            await scenario(deployment)
    asyncio.run(main())


async def register(d: Deployment) -> None:
    d.zalo.user_sends(MAI, text="xin chào")
    await d.step()
    d.zalo.user_sends(MAI, text="1")            # 1. Đồng ý / I agree
    await d.step()
    d.zalo.user_sends(MAI, text="van giang")    # the district, typed without diacritics
    await d.step()


async def ask(d: Deployment) -> None:
    """Mai asks the usual question and confirms the suggested category by its number."""
    d.zalo.user_sends(MAI, text=QUESTION)
    await d.step()
    d.zalo.user_sends(MAI, text="1")
    await d.step()


def test_a_question_asked_on_zalo_is_answered_from_telegram(example_settings: Settings, database_url: str,
                                                             clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        d.zalo.user_sends(MAI, text="xin chào")
        await d.step()
        welcome = d.zalo_texts()[-1]
        assert "Nghị định 13/2023" in welcome and "<b>" not in welcome
        assert "1. Đồng ý / I agree\n2. Không đồng ý / I don't agree\nGõ số để chọn." in welcome
        assert (MAI, "typing") in d.zalo.chat_actions
        d.zalo.user_sends(MAI, text="1")
        await d.step()
        assert "4. Huyện Văn Giang" in d.zalo_texts()[-1]
        d.zalo.user_sends(MAI, text="4")
        await d.step()
        assert "Đã ghi nhận đơn vị: Huyện Văn Giang" in d.zalo_texts()[-1]
        d.zalo.user_sends(MAI, text=QUESTION)
        await d.step()
        assert "1. ✅ Đúng, gửi đi" in d.zalo_texts()[-1]
        d.zalo.user_sends(MAI, text="1")
        await d.step()
        assert "Đã nhận câu hỏi HY-0001" in d.zalo_texts()[-1]
        card = d.telegram.last_bot_message(SO_CT)
        assert card["text"].startswith("HY-0001 · Huyện Văn Giang · Thương mại điện tử")
        d.telegram.user_sends(OFFICER, chat_id=SO_CT, text="Có, em cần kê khai thuế <khoán>.",
                              reply_to=card["message_id"])
        await d.step()
        answer = d.zalo_texts()[-1]
        assert "Trả lời câu hỏi HY-0001 từ Sở Công Thương" in answer
        assert "Có, em cần kê khai thuế <khoán>." in answer  # plain text on Zalo, unescaped
        assert "Đã gửi câu trả lời HY-0001" in d.telegram.bot_messages(SO_CT)[-1]["text"]
        d.zalo.user_sends(MAI, text="/my")
        await d.step()
        assert "HY-0001" in d.zalo_texts()[-1] and "đã trả lời" in d.zalo_texts()[-1]
    run(example_settings, database_url, clock, scenario)


def test_a_long_answer_arrives_in_parts_within_zalos_limit(example_settings: Settings, database_url: str,
                                                          clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await register(d)
        await ask(d)
        long_answer = " ".join(f"ý{i}" for i in range(900))  # some 4,400 characters
        d.telegram.user_sends(OFFICER, chat_id=SO_CT, text=long_answer,
                              reply_to=d.telegram.last_bot_message(SO_CT)["message_id"])
        await d.step()
        parts = [t for t in d.zalo_texts() if "ý0" in t or "ý899" in t or "ý450" in t]
        assert len(parts) >= 3 and all(len(p) <= MAX_TEXT_LENGTH for p in parts)
        assert re.findall(r"ý\d+", " ".join(d.zalo_texts())) == long_answer.split()
    run(example_settings, database_url, clock, scenario)


def test_protected_accounts_and_stickers_get_a_kind_answer(example_settings: Settings, database_url: str,
                                                          clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await register(d)
        d.zalo.user_sends(MAI, sticker="s-123")
        await d.step()
        assert "nhãn dán" in d.zalo_texts()[-1]
        d.zalo.users[MAI].protected = True
        d.zalo.user_sends(MAI, text="câu hỏi bị ẩn bởi Zalo")
        await d.step()
        assert "bảo vệ quyền riêng tư" in d.zalo_texts()[-1] and "gõ lại" in d.zalo_texts()[-1]
    run(example_settings, database_url, clock, scenario)


def test_a_photo_question_carries_its_photo_to_the_department(example_settings: Settings, database_url: str,
                                                             clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await register(d)
        d.zalo.user_sends(MAI, photo_url="https://photo.zalo.example/a.jpg",
                          caption=QUESTION)
        await d.step()
        d.zalo.user_sends(MAI, text="1")
        await d.step()
        group = d.telegram.bot_messages(SO_CT)
        assert any("photo" in m for m in group), "the photo went to the department's group"
        assert "Shopee" in group[-1]["text"]
    run(example_settings, database_url, clock, scenario)


def test_a_redelivered_message_is_handled_once(example_settings: Settings, database_url: str,
                                              clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await register(d)
        sent = d.zalo.user_sends(MAI, text=QUESTION)
        await d.step()
        d.zalo.duplicate(sent["message_id"])
        await d.step()
        assert sum("Lĩnh vực đề xuất" in t for t in d.zalo_texts()) == 1
    run(example_settings, database_url, clock, scenario)


def test_a_blocked_bot_is_reported_and_does_not_hold_the_queue(example_settings: Settings, database_url: str,
                                                              clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await register(d)
        await ask(d)
        d.zalo.block_bot(MAI)
        d.telegram.user_sends(OFFICER, chat_id=SO_CT, text="Có, em cần kê khai thuế.",
                              reply_to=d.telegram.last_bot_message(SO_CT)["message_id"])
        await d.step()
        with d.app.sessions() as session:
            failed = session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)).all()
        assert [row.platform for row in failed] == ["zalo"]
        assert "HY-0001" in d.telegram.bot_messages(COORDINATOR)[-1]["text"]
    run(example_settings, database_url, clock, scenario)


def test_webhook_checks_the_secret_and_accepts_flat_and_wrapped_bodies(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    secret = "zalo-webhook-secret"

    async def scenario(d: Deployment) -> None:
        recorded: list[int] = []
        # the endpoint runs on the server's own event loop, so its receiver gets its own HTTP client
        receiver = ZaloBotReceiver(ZaloBotClient(d.zalo.token, d.zalo.base_url, httpx.AsyncClient()), d.app.processor)
        endpoint = LocalServer(Starlette(routes=[bot_route(receiver, secret, lambda: recorded.append(1), "/zalo")]))
        endpoint.start()
        try:
            await d.client.set_webhook(f"{endpoint.url}/zalo", secret)
            first = d.zalo.user_sends(MAI, text="xin chào")
            assert await asyncio.to_thread(d.zalo.deliver_webhooks) == 1
            assert recorded == [1]
            d.zalo.wrap_webhook_bodies = True
            d.zalo.user_sends(MAI, text="1")
            d.zalo.duplicate(first["message_id"])  # Zalo retries a delivery
            assert await asyncio.to_thread(d.zalo.deliver_webhooks) == 2
            await d.settle()
            assert "Nghị định 13/2023" in d.zalo_texts()[0]
            assert "đơn vị" in d.zalo_texts()[-1]
            async with httpx.AsyncClient() as client:
                forged = await client.post(f"{endpoint.url}/zalo", json={"event_name": "message.text.received"},
                                           headers={BOT_SECRET_HEADER: "wrong-secret"})
                missing = await client.post(f"{endpoint.url}/zalo", json={"event_name": "x"})
                junk = await client.post(f"{endpoint.url}/zalo", content=b"not json",
                                         headers={BOT_SECRET_HEADER: secret})
            assert (forged.status_code, missing.status_code, junk.status_code) == (403, 403, 400)
            with d.app.sessions() as session:
                assert session.scalar(select(func.count()).select_from(InboxUpdate)) == 2
        finally:
            endpoint.stop()
    run(example_settings, database_url, clock, scenario)


def test_polling_while_a_webhook_is_set_is_refused(example_settings: Settings, database_url: str,
                                                  clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await d.client.set_webhook("https://bot.example.gov.vn/zalo", "zalo-webhook-secret")
        with pytest.raises(Exception, match="409"):
            await d.receiver.poll_once(timeout=0)
        await d.client.delete_webhook()
        assert await d.receiver.poll_once(timeout=0) == 0
    run(example_settings, database_url, clock, scenario)


def test_run_serves_zalo_alone_when_only_zalo_is_configured(example_settings: Settings, database_url: str) -> None:
    async def main() -> None:
        with FakeZaloBot() as zalo:
            zalo.add_user(MAI, "Mai")
            settings = replace(example_settings, database_url=database_url, web=WebSettings(listen_port=0))
            settings = settings.with_channel("zalo", token=zalo.token, base_url=zalo.base_url)
            assert settings.platforms == ("zalo",)
            running = asyncio.create_task(serve(settings))
            zalo.user_sends(MAI, text="xin chào")
            try:
                async with asyncio.timeout(20):
                    while not zalo.bot_texts(MAI):
                        await asyncio.sleep(0.05)
            finally:
                running.cancel()
            assert "Nghị định 13/2023" in zalo.bot_texts(MAI)[0]
            assert ("deleteWebhook", {}) in zalo.calls
    asyncio.run(main())


def test_links_are_written_out_edits_go_as_new_messages_and_deletions_are_refused(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await register(d)
        transport = ZaloBotTransport(d.client, FAST, ChooseHints(d.app.services.texts, d.app.sessions))
        chat = ChatRef("zalo", MAI)
        await transport.send(Outgoing(chat, "<b>Lịch đối thoại</b>", buttons=(
            (Button("Xem chi tiết", url="https://tinhdoan.example/doi-thoai"),), (Button("Đăng ký", "register:1"),))))
        assert d.zalo_texts()[-1] == ("Lịch đối thoại\n\nXem chi tiết: https://tinhdoan.example/doi-thoai\n"
                                      "1. Đăng ký\nGõ số để chọn.")
        ids = await transport.send(Outgoing(chat, "Lịch đối thoại (đã sửa)", action=Action.EDIT, targets=("x",)))
        assert d.zalo_texts()[-1] == "Lịch đối thoại (đã sửa)" and ids
        with pytest.raises(PermanentFailure, match="cannot delete"):
            await transport.send(Outgoing(chat, "", action=Action.DELETE, targets=tuple(ids)))
    run(example_settings, database_url, clock, scenario)


def test_a_rate_limited_send_waits_and_goes_out(example_settings: Settings, database_url: str,
                                                clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        d.zalo.fail_next("sendMessage", 429, "Too Many Requests")
        d.zalo.user_sends(MAI, text="xin chào")
        await d.receiver.poll_once(timeout=0)
        d.app.processor.process_all()
        for sender in d.senders:
            await sender.drain()
        assert d.zalo_texts() == [] and d.rows_pending() == 1
        await d.settle()  # some seconds later
        assert "Nghị định 13/2023" in d.zalo_texts()[0] and d.rows_pending() == 0
    run(example_settings, database_url, clock, scenario)


MALFORMED_UPDATES = [
    {"event_name": "message.text.received", "message": "xin chào"},
    {"event_name": "message.text.received", "message": {"from": MAI, "chat": {"id": MAI}, "message_id": "x1",
                                                         "text": "xin chào"}},
    {"event_name": "message.text.received", "message": {"from": {"id": MAI}, "chat": {"id": MAI},
                                                         "message_id": "x2", "text": ["xin chào"]}},
]


def test_malformed_updates_are_dropped_by_polling_and_webhook_and_the_next_goes_through(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    secret = "zalo-webhook-secret"

    async def scenario(d: Deployment) -> None:
        for update in MALFORMED_UPDATES:
            d.zalo.push_update(update)
        d.zalo.user_sends(MAI, text="xin chào")
        await d.step()  # polling
        assert len(d.zalo_texts()) == 1 and "Nghị định 13/2023" in d.zalo_texts()[0]
        receiver = ZaloBotReceiver(ZaloBotClient(d.zalo.token, d.zalo.base_url, httpx.AsyncClient()), d.app.processor)
        endpoint = LocalServer(Starlette(routes=[bot_route(receiver, secret, lambda: None, "/zalo")]))
        endpoint.start()
        try:
            await d.client.set_webhook(f"{endpoint.url}/zalo", secret)
            for update in MALFORMED_UPDATES:
                d.zalo.push_update(update)
            d.zalo.user_sends(MAI, text="1")
            assert await asyncio.to_thread(d.zalo.deliver_webhooks) == len(MALFORMED_UPDATES) + 1
            await d.settle()
        finally:
            endpoint.stop()
        assert "đơn vị" in d.zalo_texts()[-1]
        with d.app.sessions() as session:
            assert session.scalar(select(func.count()).select_from(InboxUpdate)) == 2
    run(example_settings, database_url, clock, scenario)


def test_linking_from_an_account_still_choosing_its_unit_ends_that_step(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    tuan = 801  # the same young person on Telegram, whose unit is known

    async def scenario(d: Deployment) -> None:
        d.telegram.add_user(tuan, "Tuấn")
        for text in ("xin chào", "1", "van giang", "/link"):
            d.telegram.user_sends(tuan, text=text)
            await d.step()
        code = re.search(r"/link ([A-Z0-9]{8})", d.telegram.bot_messages(tuan)[-1]["text"])
        assert code is not None
        d.zalo.user_sends(MAI, text="xin chào")
        await d.step()
        d.zalo.user_sends(MAI, text="1")  # consent: now asked for the unit
        await d.step()
        d.zalo.user_sends(MAI, text=f"/link {code.group(1)}")
        await d.step()
        assert "Đã nối với tài khoản" in d.zalo_texts()[-1]
        await ask(d)
        assert "Đã nhận câu hỏi HY-0001" in d.zalo_texts()[-1]
        assert any(m["text"].startswith("HY-0001 · Huyện Văn Giang") for m in d.telegram.bot_messages(SO_CT))
    run(example_settings, database_url, clock, scenario)


def test_zalo_wording_offers_what_zalo_takes_in_the_readers_language_and_names_platforms(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    tuan = 802

    async def says(d: Deployment, text: str | None = None, sticker: str | None = None) -> str:
        d.zalo.user_sends(MAI, text=text, sticker=sticker)
        await d.step()
        return d.zalo_texts()[-1]

    async def scenario(d: Deployment) -> None:
        await register(d)
        assert "(chữ hoặc ảnh)" in d.zalo_texts()[-1], "the unit prompt offers only what the Bot API takes"
        for shown in (await says(d, "/help"), await says(d, sticker="s-1")):
            assert "chữ hoặc ảnh" in shown and "thoại" not in shown and "tệp" not in shown
        await says(d, "/lang")
        await says(d, "2")  # English
        assert "1. Thành phố Hưng Yên" in await says(d, "/district")
        assert d.zalo_texts()[-1].endswith("Type the number to choose.")
        await says(d, "4")
        d.telegram.add_user(tuan, "Mai")
        for text in ("xin chào", "1", "van giang", "/link"):
            d.telegram.user_sends(tuan, text=text)
            await d.step()
        code = re.search(r"/link ([A-Z0-9]{8})", d.telegram.bot_messages(tuan)[-1]["text"])
        assert code is not None
        linked = await says(d, f"/link {code.group(1)}")  # Mai now shares the Telegram person's language
        assert "tài khoản Telegram" in linked and "tài khoản Zalo" in d.telegram.bot_messages(tuan)[-1]["text"]
        shown = await says(d, "/mydata")
        assert "• Zalo ·" in shown and "• Telegram ·" in shown and "zalo" not in shown.replace("Zalo", "")
    run(example_settings, database_url, clock, scenario)
