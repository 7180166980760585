"""The Telegram channel end to end: real python-telegram-bot against a strict local Bot API server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
import telegram
from sqlalchemy import select

from bot.app import App, build_app
from bot.channels.telegram.adapter import TelegramReceiver, TelegramTransport, register_commands
from bot.channels.telegram.webhook import SECRET_HEADER, webhook_app
from bot.sender import OutboxSender
from core.clock import FakeClock
from core.config import Settings
from core.messages import ChatRef, Outgoing
from handlers.commands import command_menus
from storage.models import InboxUpdate, OutboxMessage, OutboxStatus
from tests.fakes.telegram_api import FakeTelegram, LocalServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PTB 22's RetryAfter.retry_after

LAN, HUNG = 501, 502           # young people
OFFICER = 701                  # in Sở Công Thương's group
SO_CT = -1000000000003         # from config.example.toml
COORDINATOR = -1000000000007   # Sở Nội vụ's group is also the coordinator chat
QUESTION = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"


@dataclass
class Deployment:
    """One bot process: the app, its receiver and sender, against the fake Telegram."""

    fake: FakeTelegram
    app: App
    bot: telegram.Bot
    receiver: TelegramReceiver
    sender: OutboxSender
    clock: FakeClock

    async def step(self) -> None:
        """Take new updates, handle them, and send everything, letting time pass for the limits."""
        await self.receiver.poll_once(timeout=0)
        self.app.processor.process_all()
        for _ in range(10):
            await self.sender.drain()
            self.clock.advance(3)

    def texts_in(self, chat_id: int) -> list[str]:
        return [m.get("text", "") for m in self.fake.bot_messages(chat_id)]


@asynccontextmanager
async def deployed(settings: Settings, database_url: str, clock: FakeClock) -> AsyncIterator[Deployment]:
    """Sở Công Thương's chat is a forum supergroup, the bot one of its admins, when the settings
    give that department a topic per question."""
    forum = any(d.topic_per_question for d in settings.departments if d.key == "so-ct")
    with FakeTelegram() as fake:
        fake.add_user(LAN, "Lan")
        fake.add_user(HUNG, "Hùng")
        fake.add_user(OFFICER, "Cán bộ Sở Công Thương")
        fake.add_group(SO_CT, "Sở Công Thương - hỏi đáp thanh niên", members=[OFFICER], forum=forum,
                       bot_is_admin=forum)
        fake.add_group(COORDINATOR, "Sở Nội vụ - điều phối đối thoại")
        app = build_app(replace(settings, database_url=database_url).with_channel(
            "telegram", token=fake.token, base_url=fake.base_url), clock)
        async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
            yield Deployment(fake, app, bot, TelegramReceiver(bot, app.processor),
                             app.sender(TelegramTransport(bot)), clock)
        app.engine.dispose()


def run(settings: Settings, database_url: str, clock: FakeClock,
        scenario: Callable[[Deployment], Coroutine[Any, Any, None]]) -> None:
    async def main() -> None:
        async with deployed(settings, database_url, clock) as deployment:
            await scenario(deployment)
    asyncio.run(main())


async def register(d: Deployment, user: int) -> None:
    d.fake.user_sends(user, text="xin chào")
    await d.step()
    d.fake.user_presses(user, user, d.fake.last_bot_message(user)["message_id"], 0)  # Đồng ý
    await d.step()
    d.fake.user_presses(user, user, d.fake.last_bot_message(user)["message_id"], 3)  # Huyện Văn Giang
    await d.step()


async def ask(d: Deployment, user: int, text: str = QUESTION) -> None:
    d.fake.user_sends(user, text=text)
    await d.step()
    d.fake.user_presses(user, user, d.fake.last_bot_message(user)["message_id"], 0)  # confirm
    await d.step()


def test_question_and_answer_round_trip(example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await register(d, LAN)
        await ask(d, LAN)
        card = d.fake.last_bot_message(SO_CT)
        assert card["text"].startswith("HY-0001 · Huyện Văn Giang · Thương mại điện tử")
        assert [b["text"] for b in card["reply_markup"]["inline_keyboard"][0]] == [
            "↪️ Chuyển sở khác", "⛔ Không thuộc phạm vi"]
        assert "Đã nhận câu hỏi HY-0001" in d.texts_in(LAN)[-1]
        d.fake.user_sends(OFFICER, chat_id=SO_CT, text="Có, em cần kê khai thuế <b>khoán</b>.",
                          reply_to=card["message_id"])
        await d.step()
        assert "Có, em cần kê khai thuế <b>khoán</b>." in d.texts_in(LAN)[-1]  # shown literally, not bold
        assert "Đã gửi câu trả lời HY-0001" in d.texts_in(SO_CT)[-1]
        answer = d.fake.bot_messages(LAN)[-1]
        d.fake.user_sends(LAN, text="Mức thuế khoán là bao nhiêu ạ?", reply_to=answer["message_id"])
        await d.step()
        assert "HY-0001 · hỏi thêm" in d.texts_in(SO_CT)[-1]
    run(example_settings, database_url, clock, scenario)


def test_a_forum_department_gets_a_topic_per_question_and_answers_in_it(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    departments = tuple(replace(d, topic_per_question=True) if d.key == "so-ct" else d
                        for d in example_settings.departments)

    async def scenario(d: Deployment) -> None:
        await register(d, LAN)
        await ask(d, LAN)
        card = d.fake.last_bot_message(SO_CT)
        topic = card["message_thread_id"]
        assert card["reply_to_message"]["forum_topic_created"]["name"].startswith("HY-0001 · Em bán hàng online")
        d.fake.user_sends(OFFICER, chat_id=SO_CT, text="Có, em kê khai thuế khoán.", message_thread_id=topic)
        await d.step()
        assert "Có, em kê khai thuế khoán." in d.texts_in(LAN)[-1]
    run(replace(example_settings, departments=departments), database_url, clock, scenario)


def test_button_presses_are_answered_and_edits_become_corrections(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await register(d, LAN)
        await ask(d, LAN)
        assert d.fake.callback_answers, "button spinners are stopped"
        card = d.fake.last_bot_message(SO_CT)
        reply = d.fake.user_sends(OFFICER, chat_id=SO_CT, text="Có.", reply_to=card["message_id"])
        await d.step()
        d.fake.user_edits(OFFICER, SO_CT, reply["message_id"], "Có, khi doanh thu trên 100 triệu/năm.")
        await d.step()
        assert "Đính chính" in d.texts_in(LAN)[-1] and "100 triệu" in d.texts_in(LAN)[-1]
    run(example_settings, database_url, clock, scenario)


def test_a_redelivered_update_is_handled_once(example_settings: Settings, database_url: str,
                                             clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await register(d, LAN)
        d.fake.user_sends(LAN, text=QUESTION)
        updates_before = d.receiver.offset
        await d.step()
        assert updates_before is not None
        d.fake.duplicate_update(d.receiver.offset - 1)
        await d.step()
        suggestions = [t for t in d.texts_in(LAN) if "Lĩnh vực đề xuất" in t]
        assert len(suggestions) == 1
    run(example_settings, database_url, clock, scenario)


def test_updates_are_confirmed_only_after_they_are_recorded(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        d.fake.user_sends(LAN, text="xin chào")
        d.fake.user_sends(HUNG, text="chào bot")
        assert await d.receiver.poll_once(timeout=0) == 2
        # Not confirmed yet: a restarted process gets them again, and the inbox keeps one copy.
        restarted = TelegramReceiver(d.bot, d.app.processor)
        assert await restarted.poll_once(timeout=0) == 2
        with d.app.sessions() as session:
            assert len(session.scalars(select(InboxUpdate)).all()) == 2
        # The next poll confirms them (offset = last recorded + 1): nobody gets them again.
        assert await restarted.poll_once(timeout=0) == 0
        assert await TelegramReceiver(d.bot, d.app.processor).poll_once(timeout=0) == 0
    run(example_settings, database_url, clock, scenario)


def test_rate_limited_send_waits_for_retry_after(example_settings: Settings, database_url: str,
                                                clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        d.fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
        d.fake.user_sends(LAN, text="xin chào")
        await d.receiver.poll_once(timeout=0)
        d.app.processor.process_all()
        await d.sender.drain()
        assert d.texts_in(LAN) == []
        clock.advance(6)
        await d.sender.drain()
        assert d.texts_in(LAN) == []
        clock.advance(1)
        await d.sender.drain()
        assert "Nghị định 13/2023" in d.texts_in(LAN)[0]
    run(example_settings, database_url, clock, scenario)


def test_blocked_user_is_recorded_and_does_not_block_others(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await register(d, LAN)
        await ask(d, LAN)
        d.fake.block_user(LAN)
        card = d.fake.last_bot_message(SO_CT)
        d.fake.user_sends(OFFICER, chat_id=SO_CT, text="Có, phải nộp thuế.", reply_to=card["message_id"])
        d.fake.user_sends(HUNG, text="xin chào")
        await d.step()
        assert "Nghị định 13/2023" in d.texts_in(HUNG)[0]
        with d.app.sessions() as session:
            failed = session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)).all()
        assert [(f.chat_id, "blocked" in (f.error or "")) for f in failed] == [(str(LAN), True)]
        assert "người hỏi HY-0001" in d.texts_in(COORDINATOR)[-1]
    run(example_settings, database_url, clock, scenario)


def test_rejected_formatting_falls_back_to_plain_text(example_settings: Settings, database_url: str,
                                                     clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        d.fake.user_sends(LAN, text="xin chào")  # the private chat exists once the user wrote
        transport = TelegramTransport(d.bot)
        ids = await transport.send(Outgoing(ChatRef("telegram", str(LAN)), "<b>đậm <i>lỗi</b></i> & vỡ"))
        assert ids and d.texts_in(LAN)[-1] == "đậm lỗi & vỡ"
    run(example_settings, database_url, clock, scenario)


def test_commands_are_registered_in_both_languages(example_settings: Settings, database_url: str,
                                                   clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await register_commands(d.bot, command_menus(d.app.services.texts, d.app.settings, "telegram"), "vi")
        private_vi = d.fake.commands[("all_private_chats", "")]
        private_en = d.fake.commands[("all_private_chats", "en")]
        assert [c["command"] for c in private_vi] == ["my", "faq", "district", "lang", "cancel", "stop", "subscribe",
                                                      "link", "nominate", "mydata", "forget", "help"]
        assert private_vi[0]["description"] == "Câu hỏi của tôi và trạng thái"
        assert private_en[0]["description"] == "My questions and their status"
        assert [c["command"] for c in d.fake.commands[("all_group_chats", "")]] == ["pending", "reassign", "reject",
                                                                                 "transmittal", "commitments", "help"]
        admin = [c["command"] for c in d.fake.commands[("chat:100000001", "")]]  # the example's admin, privately
        coordinator = [c["command"] for c in d.fake.commands[(f"chat:{COORDINATOR}", "en")]]
        assert {"broadcast", "review", "audit"} <= set(admin) and "broadcast" not in coordinator  # composed privately
        assert {"review", "queue", "audit"} <= set(coordinator)
    run(example_settings, database_url, clock, scenario)


def test_webhook_records_before_answering_and_checks_the_secret(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    secret = "s3cret-token-for-tests"

    async def scenario(d: Deployment) -> None:
        recorded: list[int] = []
        endpoint = LocalServer(webhook_app(d.bot, d.receiver, secret, lambda: recorded.append(1)))
        endpoint.start()
        try:
            await d.bot.set_webhook(f"{endpoint.url}/telegram", secret_token=secret)
            d.fake.user_sends(LAN, text="xin chào")
            assert await d.fake.deliver_webhooks_async() == 1
            assert recorded == [1]
            d.app.processor.process_all()
            await d.sender.drain()
            assert "Nghị định 13/2023" in d.texts_in(LAN)[0]
            async with httpx.AsyncClient() as client:
                forged = await client.post(f"{endpoint.url}/telegram", json={"update_id": 99},
                                           headers={SECRET_HEADER: "wrong"})
            assert forged.status_code == 403
        finally:
            endpoint.stop()
    run(example_settings, database_url, clock, scenario)


def test_question_with_photo_reaches_the_department(example_settings: Settings, database_url: str,
                                                   clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        group = -1000000000001  # Sở Thông tin và Truyền thông
        d.fake.add_group(group, "Sở TT&TT - hỏi đáp thanh niên", members=[OFFICER])
        await register(d, LAN)
        sent = d.fake.user_sends(LAN, photo=True, caption="Cổng dịch vụ công báo lỗi này khi em nộp hồ sơ")
        await d.step()
        d.fake.user_presses(LAN, LAN, d.fake.last_bot_message(LAN)["message_id"], 0)
        await d.step()
        photo, card = d.fake.bot_messages(group)[-2:]
        assert photo["photo"][-1]["file_id"] == sent["photo"][-1]["file_id"]  # the largest size
        assert card["text"].startswith("HY-0001") and "📎 Đính kèm: 1" in card["text"]
    run(example_settings, database_url, clock, scenario)
