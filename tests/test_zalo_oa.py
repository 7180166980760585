"""The Zalo Official Account channel end to end, against strict local fakes of Zalo's Open API
(and of Telegram, where the departments answer): signed events, replays, expiring tokens and
the 48-hour / 7-day reply windows."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import httpx
import pytest
import telegram
from sqlalchemy import func, select
from starlette.applications import Starlette

from bot.app import App, build_app
from bot.channels.telegram.adapter import TelegramReceiver, TelegramTransport
from bot.channels.zalo_oa.adapter import (
    OaCredentials,
    ZaloOaClient,
    ZaloOaReceiver,
    ZaloOaTransport,
    seed_tokens,
)
from bot.channels.zalo_oa.store import Tokens, replace_tokens
from bot.channels.zalo_oa.webhook import oa_route
from bot.channels.zalo_text import ChooseHints
from bot.sender import OutboxSender
from bot.transport import RateLimits
from core.clock import FakeClock
from core.config import Settings
from core.messages import Button, ChatRef, Outgoing
from storage.db import transaction
from storage.models import (
    Broadcast,
    Campaign,
    Contact,
    InboxUpdate,
    OutboxMessage,
    OutboxStatus,
    ZaloOaToken,
)
from tests.fakes.telegram_api import FakeTelegram, LocalServer
from tests.fakes.zalo_oa_api import FakeZaloOa

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

HOA = "7300000000000000001"    # a young person following the OA
OFFICER = 701
STAFF = 702                    # Home Affairs, in the coordinator chat
SO_CT = -1000000000003
COORDINATOR = -1000000000007
QUESTION = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"
FAST = RateLimits(per_second=1000.0, private_interval=0.0, group_interval=0.0)


@dataclass
class Deployment:
    oa: FakeZaloOa
    telegram: FakeTelegram
    app: App
    client: ZaloOaClient
    telegram_receiver: TelegramReceiver
    senders: list[OutboxSender]
    clock: FakeClock
    recorded: list[int]

    async def step(self) -> None:
        await self.telegram_receiver.poll_once(timeout=0)
        self.app.processor.process_all()
        for _ in range(5):
            for sender in self.senders:
                await sender.drain()
            self.clock.advance(3)

    async def says(self, text: str) -> None:
        assert (await asyncio.to_thread(self.oa.user_sends, HOA, text)).status_code == 200
        await self.step()

    def texts(self) -> list[str]:
        return self.oa.texts_to(HOA)

    def rows(self, status: OutboxStatus) -> list[OutboxMessage]:
        with self.app.sessions() as session:
            return list(session.scalars(select(OutboxMessage).where(OutboxMessage.status == status)))


@asynccontextmanager
async def deployed(settings: Settings, database_url: str, clock: FakeClock) -> AsyncIterator[Deployment]:
    with FakeZaloOa(clock.now) as oa, FakeTelegram() as fake_telegram:
        fake_telegram.add_user(OFFICER, "Cán bộ Sở Công Thương")
        fake_telegram.add_group(SO_CT, "Sở Công Thương - hỏi đáp thanh niên", members=[OFFICER])
        fake_telegram.add_user(STAFF, "Cán bộ Sở Nội vụ")
        fake_telegram.add_group(COORDINATOR, "Sở Nội vụ - điều phối đối thoại", members=[STAFF])
        app = build_app(replace(settings, database_url=database_url), clock)
        access, refresh = oa.issue_tokens()
        seed_tokens(app.sessions, oa.app_id, access, refresh, clock)
        recorded: list[int] = []
        endpoint = LocalServer(Starlette(routes=[oa_route(ZaloOaReceiver(app.processor, app.sessions), oa.app_id,
                                                          oa.oa_secret_key, lambda: recorded.append(1), "/zalo-oa")]))
        endpoint.start()
        oa.webhook_url = f"{endpoint.url}/zalo-oa"
        try:
            async with httpx.AsyncClient() as http, telegram.Bot(fake_telegram.token,
                                                                  base_url=fake_telegram.base_url) as bot:
                client = ZaloOaClient(OaCredentials(oa.app_id, oa.app_secret, oa.url, oa.url), app.sessions, clock,
                                      http)
                hints = ChooseHints(app.services.texts, app.sessions)
                senders = [app.sender(ZaloOaTransport(client, app.sessions, clock, FAST, hints)),
                           app.sender(TelegramTransport(bot))]
                yield Deployment(oa, fake_telegram, app, client, TelegramReceiver(bot, app.processor), senders,
                                 clock, recorded)
        finally:
            endpoint.stop()
            app.engine.dispose()


def run(settings: Settings, database_url: str, clock: FakeClock,
        scenario: Callable[[Deployment], Coroutine[Any, Any, None]]) -> None:
    async def main() -> None:
        async with deployed(settings, database_url, clock) as deployment:
            await scenario(deployment)
    asyncio.run(main())


async def ask(d: Deployment) -> None:
    """Follow the OA, write, consent, choose a district, ask and confirm: HY-0001 reaches Sở Công Thương."""
    assert (await asyncio.to_thread(d.oa.follow, HOA)).status_code == 200
    await d.step()
    await d.says("xin chào")
    await d.says("1")
    await d.says("van giang")
    await d.says(QUESTION)
    await d.says("1")


async def officer_answers(d: Deployment, text: str = "Có, em cần kê khai thuế.") -> None:
    card = next(m for m in reversed(d.telegram.bot_messages(SO_CT)) if m["text"].startswith("HY-0001"))
    d.telegram.user_sends(OFFICER, chat_id=SO_CT, text=text, reply_to=card["message_id"])
    await d.step()


def test_a_question_asked_to_the_oa_is_answered_by_free_replies(example_settings: Settings, database_url: str,
                                                                 clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await ask(d)
        assert "Nghị định 13/2023" in d.texts()[0] and "1. Đồng ý / I agree" in d.texts()[0]
        assert "Đã nhận câu hỏi HY-0001" in d.texts()[-1]
        await officer_answers(d)
        assert "Trả lời câu hỏi HY-0001" in d.texts()[-1] and "kê khai thuế" in d.texts()[-1]
        replies = [s["recipient"] for s in d.oa.sends]  # within 48 hours every send replies to a message
        assert replies and all("message_id" in r for r in replies)
    run(example_settings, database_url, clock, scenario)


def test_events_with_a_bad_signature_are_refused_and_replays_handled_once(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        forged = await asyncio.to_thread(d.oa.post_event, {"event_name": "user_send_text", "sender": {"id": HOA},
                                                           "message": {"msg_id": "x1", "text": "hi"}}, "not-the-key")
        assert forged.status_code == 403
        body = b'{"app_id": "someone-else", "event_name": "follow", "timestamp": "1"}'
        foreign = await asyncio.to_thread(d.oa.post_raw, body, d.oa.sign(body))
        assert foreign.status_code == 403
        unsigned = await asyncio.to_thread(d.oa.post_raw, body, {})
        assert unsigned.status_code == 403
        assert (await asyncio.to_thread(d.oa.user_sends, HOA, "xin chào")).status_code == 200
        assert (await asyncio.to_thread(d.oa.replay_last)).status_code == 200
        await d.step()
        with d.app.sessions() as session:
            assert session.scalar(select(func.count()).select_from(InboxUpdate)) == 1
        assert sum("Nghị định 13/2023" in t for t in d.texts()) == 1
        assert d.recorded == [1]
    run(example_settings, database_url, clock, scenario)


def test_an_expired_access_token_is_refreshed_and_the_new_pair_stored_first(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        with d.app.sessions() as session:
            first = session.get_one(ZaloOaToken, d.oa.app_id).refresh_token
        clock.advance(timedelta(hours=26))  # the access token (25 hours) has expired
        await ask(d)
        assert d.oa.refreshes == 1 and "Đã nhận câu hỏi HY-0001" in d.texts()[-1]
        with d.app.sessions() as session:
            stored = session.get_one(ZaloOaToken, d.oa.app_id)
        assert stored.refresh_token != first and stored.refresh_token in d.oa.refresh_tokens
        assert first not in d.oa.refresh_tokens  # single-use: spent
        assert stored.access_token in d.oa.access_tokens
        # Zalo revokes the access token early: refused once (-216), refreshed, sent.
        d.oa.access_tokens.pop(stored.access_token)
        await officer_answers(d)
        assert d.oa.refreshes == 2 and "kê khai thuế" in d.texts()[-1]
    run(example_settings, database_url, clock, scenario)


def test_a_second_process_with_a_stale_token_uses_the_pair_the_first_stored(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await ask(d)
        with d.app.sessions() as session:
            stale = session.get_one(ZaloOaToken, d.oa.app_id)
            spent_access = stale.access_token
        async with httpx.AsyncClient() as http:
            other = ZaloOaClient(OaCredentials(d.oa.app_id, d.oa.app_secret, d.oa.url, d.oa.url), d.app.sessions,
                                 clock, http)
            d.oa.access_tokens.pop(spent_access)  # both processes now hold a refused access token
            await officer_answers(d)               # the first process refreshes and stores the pair
            assert d.oa.refreshes == 1
            message_id = await other.send({"user_id": HOA}, {"text": "từ tiến trình thứ hai"})
        assert message_id and d.oa.refreshes == 1, "the second process took the stored pair, not a new refresh"
    run(example_settings, database_url, clock, scenario)


def test_after_48_hours_answers_go_by_user_id_and_after_7_days_they_wait(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await ask(d)
        clock.advance(timedelta(days=3))
        await officer_answers(d, "Có, em cần kê khai thuế.")
        assert d.oa.sends[-1]["recipient"] == {"user_id": HOA}  # past the free 48 hours: by user id
        assert "kê khai thuế" in d.texts()[-1]
        clock.advance(timedelta(days=5))  # 8 days since Hoa last wrote
        answer = next(m for m in d.telegram.messages(SO_CT) if m.get("text") == "Có, em cần kê khai thuế.")
        d.telegram.user_edits(OFFICER, SO_CT, answer["message_id"], "Có, khi doanh thu trên 100 triệu/năm.")
        await d.step()
        sends = len(d.oa.sends)
        assert "100 triệu" not in " ".join(d.texts())
        assert "chưa gửi được tới người hỏi" in d.telegram.bot_messages(SO_CT)[-1]["text"]
        assert "đang chờ" in d.telegram.bot_messages(COORDINATOR)[-1]["text"]
        held = d.rows(OutboxStatus.FAILED)
        assert len(held) == 1 and held[0].failure_reason == "window_closed"
        d.telegram.user_sends(STAFF, chat_id=COORDINATOR, text="/failed")
        await d.step()
        assert "reply window" in d.telegram.bot_messages(COORDINATOR)[-1]["text"]
        assert len(d.oa.sends) == sends, "nothing was pushed outside the window"
        await d.says("/my")
        assert any("100 triệu" in t for t in d.texts()[-2:]), "the held correction went out with /my"
        assert "HY-0001" in d.texts()[-1]
        assert d.rows(OutboxStatus.FAILED) == []
    run(example_settings, database_url, clock, scenario)


def test_an_unfollowed_oa_holds_the_answer_until_the_person_returns(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await ask(d)
        assert (await asyncio.to_thread(d.oa.unfollow, HOA)).status_code == 200
        await officer_answers(d)
        assert "kê khai thuế" not in " ".join(d.texts())
        assert "chưa gửi được tới người hỏi" in d.telegram.bot_messages(SO_CT)[-1]["text"]
        assert (await asyncio.to_thread(d.oa.follow, HOA)).status_code == 200
        await d.step()
        assert "kê khai thuế" not in " ".join(d.texts()), "following is no message: Zalo lets nothing out yet"
        await d.says("/my")
        assert any("kê khai thuế" in t for t in d.texts()[-3:])
    run(example_settings, database_url, clock, scenario)


def test_a_photo_sent_to_the_oa_reaches_the_department(example_settings: Settings, database_url: str,
                                                       clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await ask(d)
        await asyncio.to_thread(d.oa.user_sends_image, HOA, "https://photo.zalo.example/b.jpg", QUESTION)
        await d.step()
        await d.says("1")
        assert any("photo" in m for m in d.telegram.bot_messages(SO_CT))
        assert "HY-0002" in d.texts()[-1]
    run(example_settings, database_url, clock, scenario)


def test_broadcast_copies_outside_the_window_are_counted_not_reported_nor_sent_later(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await ask(d)
        clock.advance(timedelta(days=8))
        coordinator_before = len(d.telegram.bot_messages(COORDINATOR))
        with transaction(d.app.sessions) as session:
            campaign_id = session.scalars(select(Campaign.id)).one()
            broadcast = Broadcast(campaign_id=campaign_id, author="telegram:100000001",
                                  author_chat="telegram:100000001", created_at=clock.now())
            session.add(broadcast)
            session.flush()
            d.app.services.outbox.enqueue(session, Outgoing(ChatRef("zalo_oa", HOA), "Lịch đối thoại 28/3"),
                                          clock.now(), broadcast_id=broadcast.id)
        await d.step()
        held = d.rows(OutboxStatus.FAILED)
        assert [(row.broadcast_id is not None, row.failure_reason) for row in held] == [(True, "window_closed")]
        assert len(d.telegram.bot_messages(COORDINATOR)) == coordinator_before
        await d.says("/my")
        assert "Lịch đối thoại" not in " ".join(d.texts())
        assert len(d.rows(OutboxStatus.FAILED)) == 1
    run(example_settings, database_url, clock, scenario)


def test_a_refresh_token_spent_elsewhere_keeps_the_message_queued_until_the_pair_is_stored(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await ask(d)
        with d.app.sessions() as session:
            spent = session.get_one(ZaloOaToken, d.oa.app_id)
        # Another process's refresh reached Zalo (R1 is spent) but has not stored its pair yet.
        d.oa.refresh_tokens.discard(spent.refresh_token)
        d.oa.access_tokens.pop(spent.access_token)
        await officer_answers(d)
        assert "kê khai thuế" not in " ".join(d.texts())
        assert [row.status for row in d.rows(OutboxStatus.PENDING)] == [OutboxStatus.PENDING], "queued, not lost"
        access, refresh = d.oa.issue_tokens()  # ... and now it stores the pair it got
        with transaction(d.app.sessions) as session:
            assert replace_tokens(session, d.oa.app_id, spent.refresh_token,
                                  Tokens(access, refresh, clock.now() + timedelta(hours=25)), clock.now())
        clock.advance(timedelta(minutes=5))  # the sender's back-off
        await d.step()
        assert "kê khai thuế" in d.texts()[-1] and d.oa.refreshes == 0
    run(example_settings, database_url, clock, scenario)


def coordinator_texts(d: Deployment) -> str:
    return "\n".join(m["text"] for m in d.telegram.bot_messages(COORDINATOR))


def test_forget_on_the_oa_is_confirmed_and_leaves_nothing_addressed_to_the_person(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await ask(d)
        await d.says("/forget")
        await d.says("1")  # 1. yes, erase
        assert "Đã xoá dữ liệu" in d.texts()[-1]
        with d.app.sessions() as session:
            unsent = session.scalars(select(OutboxMessage).where(
                OutboxMessage.chat_id == HOA, OutboxMessage.status != OutboxStatus.SENT)).all()
            assert unsent == [], "nothing held or queued for the erased person"
            assert session.get(Contact, ("zalo_oa", HOA)) is None
        assert HOA not in coordinator_texts(d)
        received = len(d.texts())
        await d.says("xin chào")  # as a stranger again: asked for consent, and nothing old arrives
        assert [t for t in d.texts()[received:] if "Đã xoá dữ liệu" in t] == []
        assert "Nghị định 13/2023" in d.texts()[-1]
    run(example_settings, database_url, clock, scenario)


def test_following_sends_nothing_zalo_refuses_and_the_first_message_is_welcomed(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        assert (await asyncio.to_thread(d.oa.follow, HOA)).status_code == 200
        await d.step()
        assert d.oa.refused == [] and d.texts() == []
        assert d.rows(OutboxStatus.FAILED) == [] and HOA not in coordinator_texts(d)
        await d.says("xin chào")
        assert "1. Đồng ý / I agree" in d.texts()[-1]
        await d.says("1")
        await d.says("1")  # the first unit of the list just shown
        assert "Đã ghi nhận đơn vị: Thành phố Hưng Yên" in d.texts()[-1]
        assert d.oa.refused == []
    run(example_settings, database_url, clock, scenario)


def test_a_released_held_message_does_not_bring_back_its_stale_menu(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await ask(d)
        clock.advance(timedelta(days=8))
        with transaction(d.app.sessions) as session:
            buttons = ((Button("Có", "useful:1:yes"), Button("Không", "useful:1:no")),)
            d.app.services.outbox.enqueue(session, Outgoing(ChatRef("zalo_oa", HOA), "Câu trả lời có ích không?",
                                                            buttons), clock.now())
        await d.step()
        assert [row.failure_reason for row in d.rows(OutboxStatus.FAILED)] == ["window_closed"]
        await d.says("/district")  # the held message goes out first, then the unit list
        released = next(t for t in d.texts() if "có ích" in t)
        assert "1. Có" not in released, "its numbers no longer mean its buttons"
        assert "1. Thành phố Hưng Yên" in d.texts()[-1]
        await d.says("2")
        assert "Đã ghi nhận đơn vị" in d.texts()[-1]
    run(example_settings, database_url, clock, scenario)


def test_an_answer_on_zalo_is_followed_up_by_choosing_not_by_reply(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await ask(d)
        await officer_answers(d)
        answer = d.texts()[-1]
        assert "kê khai thuế" in answer and "reply" not in answer
        assert "1. Hỏi thêm về HY-0001\n2. Gửi câu hỏi mới" in answer
        await d.says("1")
        assert "HY-0001" in d.texts()[-1]
        await d.says("Nếu doanh thu dưới 100 triệu một năm thì sao ạ?")
        assert "Đã chuyển phần hỏi thêm của câu hỏi HY-0001" in d.texts()[-1]
        card = d.telegram.bot_messages(SO_CT)[-1]["text"]
        assert card.startswith("HY-0001 · hỏi thêm") and "dưới 100 triệu" in card
        await d.says("Em muốn hỏi về thủ tục đăng ký hộ kinh doanh online ạ?")
        assert "Lĩnh vực đề xuất" in d.texts()[-1], "after the follow-up, a message is a new question again"
    run(example_settings, database_url, clock, scenario)


def test_an_addition_and_a_correction_on_zalo_offer_the_numbered_follow_up_not_a_reply(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await ask(d)
        card = next(m for m in d.telegram.bot_messages(SO_CT) if m["text"].startswith("HY-0001"))
        answer = d.telegram.user_sends(OFFICER, chat_id=SO_CT, text="Có, em cần kê khai thuế.",
                                       reply_to=card["message_id"])
        await d.step()
        confirmation = d.telegram.bot_messages(SO_CT)[-1]
        assert "Đã gửi câu trả lời HY-0001" in confirmation["text"]
        d.telegram.user_sends(OFFICER, chat_id=SO_CT, text="Mức khoán theo Thông tư 40/2021/TT-BTC.",
                              reply_to=confirmation["message_id"])
        await d.step()
        addition = d.texts()[-1]
        assert "Thông tư 40/2021" in addition and "reply" not in addition
        assert "1. Hỏi thêm về HY-0001\n2. Gửi câu hỏi mới" in addition
        d.telegram.user_edits(OFFICER, SO_CT, answer["message_id"], "Có, em cần kê khai và nộp thuế khoán.")
        await d.step()
        correction = d.texts()[-1]
        assert "thuế khoán" in correction and "reply" not in correction
        assert "1. Hỏi thêm về HY-0001\n2. Gửi câu hỏi mới" in correction
        await d.says("1")
        await d.says("Nộp ở đâu ạ?")
        assert "Đã chuyển phần hỏi thêm của câu hỏi HY-0001" in d.texts()[-1]
        assert d.telegram.bot_messages(SO_CT)[-1]["text"].startswith("HY-0001 · hỏi thêm")
    run(example_settings, database_url, clock, scenario)


def test_signed_but_malformed_events_are_dropped_once_and_never_answered(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        malformed = [
            {"event_name": "user_send_text", "sender": HOA, "message": {"msg_id": "m1", "text": QUESTION}},
            {"event_name": "user_send_text", "sender": {"id": HOA}, "message": [QUESTION]},
            {"event_name": None, "sender": {"id": HOA}, "message": {"msg_id": "m3", "text": QUESTION}},
        ]
        for event in malformed:
            assert (await asyncio.to_thread(d.oa.post_event, event)).status_code == 200
        soon = json.dumps({"app_id": d.oa.app_id, "event_name": "user_send_text", "sender": {"id": HOA},
                           "message": {"msg_id": "m4", "text": QUESTION}, "timestamp": "soon"}).encode()
        assert (await asyncio.to_thread(d.oa.post_raw, soon, d.oa.sign(soon))).status_code == 200
        assert (await asyncio.to_thread(d.oa.replay_last)).status_code == 200  # a retry: the same, once
        await d.step()
        with d.app.sessions() as session:
            assert session.scalar(select(func.count()).select_from(InboxUpdate)) == 0
            assert session.get(Contact, ("zalo_oa", HOA)) is None
        assert d.texts() == [] and d.recorded == []
        await d.says("xin chào")
        assert "Nghị định 13/2023" in d.texts()[-1]
    run(example_settings, database_url, clock, scenario)
