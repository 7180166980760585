"""Telegram's edges through the real adapter and the strict local Bot API server: text lengths in
UTF-16 code units, webhook bodies of the wrong shape, privacy mode in groups, replies to the bot."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx
import pytest
import telegram
from sqlalchemy import select

from bot.channels.telegram.adapter import TelegramReceiver
from bot.channels.telegram.webhook import SECRET_HEADER, webhook_app
from core.clock import FakeClock
from core.config import Settings
from core.messages import Incoming
from core.textsplit import split_html, utf16_length
from storage.models import Question
from tests import test_telegram as tg
from tests.fakes.telegram_api import FakeTelegram, LocalServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# Under 4,096 characters (and the 3,000 a question may have), over 4,096 UTF-16 units: each emoji is two.
LONG_QUESTION = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ? " + "🙏😊😊😊 ạ " * 400


def test_parts_fit_in_utf16_units() -> None:
    html = ("<b>" + "😊" * 3000 + "</b> và chữ tiếng Việt ") * 3
    parts = split_html(html, 4096)
    assert len(parts) > 1 and all(utf16_length(p) <= 4096 for p in parts)
    assert "".join(parts).count("😊") == 9000


def test_a_question_over_4096_utf16_units_gets_its_receipt_and_card(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    assert len(LONG_QUESTION) < 3000 < 4096 < utf16_length(LONG_QUESTION)

    async def scenario(d: tg.Deployment) -> None:
        await tg.register(d, tg.LAN)
        await tg.ask(d, tg.LAN, LONG_QUESTION)
        assert any("Đã nhận câu hỏi HY-0001" in t for t in d.texts_in(tg.LAN))
        card = "".join(t for t in d.texts_in(tg.SO_CT))
        assert card.startswith("HY-0001") and card.count("🙏😊😊😊") == 400
        with d.app.sessions() as session:
            assert session.scalars(select(Question.code)).all() == ["HY-0001"]
    tg.run(example_settings, database_url, clock, scenario)


@pytest.mark.parametrize("body", [
    b"[1, 2]", b'"an update"', b"42", b"null", b"{not json", b"\xff\xfe",
    b'{"message": {"text": "no update_id"}}', b'{"update_id": "7"}',
])
def test_a_webhook_body_that_is_no_update_is_refused_with_400(body: bytes) -> None:
    assert webhook_status(body) == 400


@pytest.mark.parametrize("body", [
    b'{"update_id": 7, "message": "xin ch\\u00e0o"}',
    b'{"update_id": 7, "message": {"message_id": 1, "date": 0, "chat": "private", "text": "hi"}}',
    b'{"update_id": 7, "message": {"message_id": "x", "date": 0, "chat": {"id": 5, "type": "private"}}}',
    b'{"update_id": 7, "callback_query": [1]}',
    b'{"update_id": 7, "edited_message": {"chat": {"id": 5}}}',
])
def test_an_update_of_the_wrong_shape_is_confirmed_and_set_aside(body: bytes) -> None:
    assert webhook_status(body) == 200


def webhook_status(body: bytes) -> int:
    """What the real webhook endpoint answers to this body; the next update still goes through."""
    secret = "s3cret-token-for-tests"
    recorded: list[Incoming] = []

    class Inbox:
        def record_many(self, updates: list[tuple[str, Incoming]]) -> int:
            recorded.extend(incoming for _key, incoming in updates)
            return len(updates)

    async def post(bot: telegram.Bot) -> int:
        endpoint = LocalServer(webhook_app(bot, TelegramReceiver(bot, Inbox()), secret))  # type: ignore[arg-type]
        endpoint.start()
        try:
            async with httpx.AsyncClient() as client:
                url, headers = f"{endpoint.url}/telegram", {SECRET_HEADER: secret}
                status = (await client.post(url, content=body, headers=headers)).status_code
                good = {"update_id": 8, "message": {"message_id": 3, "date": 0, "text": "xin chào",
                                                    "chat": {"id": 5, "type": "private"},
                                                    "from": {"id": 5, "is_bot": False, "first_name": "Lan"}}}
                assert (await client.post(url, json=good, headers=headers)).status_code == 200
        finally:
            endpoint.stop()
        assert [i.text for i in recorded] == ["xin chào"]
        return status

    async def main() -> int:
        with FakeTelegram() as fake:
            async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
                return await post(bot)
    return asyncio.run(main())


def test_privacy_mode_reject_with_a_reason_typed_after_the_button(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: tg.Deployment) -> None:
        await tg.register(d, tg.LAN)
        await tg.ask(d, tg.LAN)
        card = d.fake.last_bot_message(tg.SO_CT)
        d.fake.user_sends(tg.OFFICER, chat_id=tg.SO_CT, text="Cái này không phải của sở mình")  # privacy: unseen
        d.fake.user_presses(tg.OFFICER, tg.SO_CT, card["message_id"], 1)  # ⛔ Không thuộc phạm vi
        await d.step()
        d.fake.user_types(tg.OFFICER, tg.SO_CT, "Thuộc thẩm quyền của Cục Thuế tỉnh")
        await d.step()
        assert "Thuộc thẩm quyền của Cục Thuế tỉnh" in d.texts_in(tg.LAN)[-1]
        assert status_of(d, "HY-0001") == "rejected"
    tg.run(example_settings, database_url, clock, scenario)


def test_privacy_mode_reject_prompt_of_a_typed_command_is_for_its_officer_only(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: tg.Deployment) -> None:
        d.fake.add_user(702, "Cán bộ khác", username="canbo2")
        d.fake._chats[tg.SO_CT].members.add(702)
        await tg.register(d, tg.LAN)
        await tg.ask(d, tg.LAN)
        d.fake.user_sends(tg.OFFICER, chat_id=tg.SO_CT, text="/reject HY-0001")
        await d.step()
        d.fake.user_types(702, tg.SO_CT, "Chuyện khác hoàn toàn")   # not asked: a plain message, unseen
        d.fake.user_types(tg.OFFICER, tg.SO_CT, "Thuộc thẩm quyền của Cục Thuế tỉnh")
        await d.step()
        assert "Thuộc thẩm quyền của Cục Thuế tỉnh" in d.texts_in(tg.LAN)[-1]
        assert not any("Chuyện khác" in t for t in d.texts_in(tg.LAN))
    tg.run(example_settings, database_url, clock, scenario)


def status_of(d: tg.Deployment, code: str) -> str:
    with d.app.sessions() as session:
        return str(session.scalars(select(Question.status).where(Question.code == code)).one())


def test_a_reply_to_the_answer_confirmation_is_an_addition_to_that_answer(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: tg.Deployment) -> None:
        await tg.register(d, tg.LAN)
        await tg.ask(d, tg.LAN)
        card = d.fake.last_bot_message(tg.SO_CT)
        d.fake.user_sends(tg.OFFICER, chat_id=tg.SO_CT, text="Có, em cần kê khai thuế.", reply_to=card["message_id"])
        await d.step()
        confirmation = d.fake.last_bot_message(tg.SO_CT)
        assert "Đã gửi câu trả lời HY-0001" in confirmation["text"]
        d.fake.user_sends(tg.OFFICER, chat_id=tg.SO_CT, text="Mức khoán theo Thông tư 40/2021/TT-BTC.",
                          reply_to=confirmation["message_id"])
        await d.step()
        addition = d.texts_in(tg.LAN)[-1]
        assert "Bổ sung cho câu trả lời câu hỏi HY-0001" in addition and "Thông tư 40/2021" in addition
        assert sum("📬" in t for t in d.texts_in(tg.LAN)) == 1, "an addition, not a second answer"
        assert "Đã gửi phần bổ sung câu trả lời HY-0001" in d.texts_in(tg.SO_CT)[-1]
        answer = d.fake.bot_messages(tg.LAN)[-1]        # the asker can follow up on the addition too
        d.fake.user_sends(tg.LAN, text="Em cảm ơn, vậy nộp ở đâu ạ?", reply_to=answer["message_id"])
        await d.step()
        assert "HY-0001 · hỏi thêm" in d.texts_in(tg.SO_CT)[-1]
    tg.run(example_settings, database_url, clock, scenario)


def test_privacy_mode_decline_and_clarify_with_text_typed_after_the_button(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    settings = replace(example_settings, curation=replace(example_settings.curation, approval_required=True))

    async def scenario(d: tg.Deployment) -> None:
        d.fake.add_user(702, "Cán bộ Tỉnh đoàn")
        d.fake._chats[tg.COORDINATOR].members.add(702)
        await tg.register(d, tg.LAN)
        await tg.register(d, tg.HUNG)
        await tg.ask(d, tg.LAN)
        await tg.ask(d, tg.HUNG, "Em muốn mở cửa hàng online thì đăng ký kinh doanh ở đâu ạ?")
        cards = [m for m in d.fake.bot_messages(tg.COORDINATOR) if "reply_markup" in m]
        assert len(cards) == 2
        labels = {key: d.app.services.texts.plain("vi", key) for key in ("decline_button", "clarify_button")}
        for card, action, text in ((cards[0], "decline", "Câu hỏi trùng nội dung đã được trả lời"),
                                   (cards[1], "clarify", "Đăng ký kinh doanh hộ cá thể bán hàng online ở đâu?")):
            data = next(b["callback_data"] for row in card["reply_markup"]["inline_keyboard"] for b in row
                        if b["text"] == labels[f"{action}_button"])
            d.fake.user_presses(702, tg.COORDINATOR, card["message_id"], data)
            await d.step()
            d.fake.user_types(702, tg.COORDINATOR, text)
            await d.step()
        assert "Câu hỏi trùng nội dung đã được trả lời" in d.texts_in(tg.LAN)[-1]
        with d.app.sessions() as session:
            clarified = session.scalars(select(Question).where(Question.code == "HY-0002")).one()
            assert "hộ cá thể" in clarified.text and clarified.original_text
    tg.run(settings, database_url, clock, scenario)
