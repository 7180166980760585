"""The fake Telegram Bot API, driven by python-telegram-bot's real Bot over real HTTP.

Every test talks to `FakeTelegram` the way the bot will talk to Telegram: `telegram.Bot`
with `base_url` pointed at the fake. Where timing matters, tests wait on events the fake or
the receiver raises, never on sleeps.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter

from core.clock import FakeClock
from tests.fakes.telegram_api import FakeTelegram, LocalServer, RateLimitRules

USER = 1001  # a young person
OFFICER = 2002  # an officer of a department
STRANGER = 3003
GROUP = -1001234567890  # a department's supergroup
FORUM = -1009876543210

T = TypeVar("T")

# PTB 22 warns whenever it builds a RetryAfter, about the type retry_after will have in PTB 23.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        fake.add_user(USER, "An", username="an_hy")
        fake.add_user(OFFICER, "Cán bộ Sở Công Thương")
        yield fake


def with_bot(fake: FakeTelegram, scenario: Callable[[Bot], Awaitable[T]]) -> T:
    """Runs `scenario` with a real, initialized PTB Bot talking to the fake."""

    async def main() -> T:
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            return await scenario(bot)

    return asyncio.run(main())


def retry_seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(f"Nút {d}", callback_data=d) for d in data]])


class WebhookReceiver:
    """The bot's side of a webhook: records each POST and answers the next planned status."""

    def __init__(self, statuses: list[int]) -> None:
        self.received: list[tuple[dict[str, Any], dict[str, str]]] = []
        self._arrived = threading.Condition()
        self._statuses = deque(statuses)
        self.server = LocalServer(Starlette(routes=[Route("/hook", self._hook, methods=["POST"])]))

    @property
    def url(self) -> str:
        return f"{self.server.url}/hook"

    def wait_for(self, count: int, timeout: float = 5.0) -> None:
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.received) >= count, timeout)

    async def _hook(self, request: Request) -> Response:
        update, headers = await request.json(), dict(request.headers)
        with self._arrived:
            self.received.append((update, headers))
            self._arrived.notify_all()
        return Response(status_code=self._statuses.popleft() if self._statuses else 200)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver([500])
    receiver.server.start()
    yield receiver
    receiver.server.stop()


# --- identity and updates -----------------------------------------------------------------

def test_get_me_answers_and_another_token_is_unauthorized(fake: FakeTelegram) -> None:
    me = with_bot(fake, lambda bot: bot.get_me())
    assert (me.id, me.username, me.is_bot) == (123456, "test_bot", True)

    async def wrong_token() -> None:
        async with Bot("654321:NOT-OURS", base_url=fake.base_url) as bot:
            await bot.get_me()

    with pytest.raises(InvalidToken):
        asyncio.run(wrong_token())


def test_a_message_arrives_through_get_updates_and_the_offset_confirms_it(fake: FakeTelegram) -> None:
    sent = fake.user_sends(USER, text="/start xin chào")

    async def scenario(bot: Bot) -> None:
        (update,) = await bot.get_updates()
        message = update.message
        assert (message.message_id, message.text) == (sent["message_id"], "/start xin chào")
        assert (message.chat.id, message.chat.type) == (USER, "private")  # a private chat's id is the person's
        sender = message.from_user
        assert (sender.id, sender.username, sender.language_code) == (USER, "an_hy", "vi")
        assert message.entities[0].type == "bot_command" and message.entities[0].length == len("/start")
        assert len(await bot.get_updates()) == 1  # not confirmed yet: Telegram sends it again
        assert await bot.get_updates(offset=update.update_id + 1) == ()
        assert await bot.get_updates() == ()  # confirmed for good

    with_bot(fake, scenario)


def test_a_long_poll_returns_as_soon_as_a_message_arrives(fake: FakeTelegram) -> None:
    async def scenario(bot: Bot) -> tuple[Any, float]:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await asyncio.to_thread(fake.wait_until_polling)
        started = time.monotonic()
        sender = threading.Thread(target=fake.user_sends, kwargs={"user_id": USER, "text": "Có ai không?"})
        sender.start()
        updates = await poll
        sender.join()
        return updates, time.monotonic() - started

    updates, waited = with_bot(fake, scenario)
    assert [update.message.text for update in updates] == ["Có ai không?"]
    assert waited < 5  # the poll asked for 30 s


def test_a_newer_poll_ends_the_older_one_with_a_conflict(fake: FakeTelegram) -> None:
    async def scenario(first_bot: Bot) -> None:
        older = asyncio.create_task(first_bot.get_updates(timeout=30))
        await asyncio.to_thread(fake.wait_until_polling)
        async with Bot(fake.token, base_url=fake.base_url) as second_bot:
            assert await second_bot.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await older

    with_bot(fake, scenario)


def test_allowed_updates_are_remembered_for_later_updates(fake: FakeTelegram) -> None:
    async def scenario(bot: Bot) -> None:
        await bot.get_updates(allowed_updates=["message"])
        fake.block_user(USER)  # would be a my_chat_member update
        fake.user_sends(USER, text="lại là mình")
        updates = await bot.get_updates()
        assert [update.message.text for update in updates] == ["lại là mình"]

    with_bot(fake, scenario)


def test_a_duplicated_update_is_delivered_again_under_the_same_id(fake: FakeTelegram) -> None:
    fake.user_sends(USER, text="một lần thôi")

    async def scenario(bot: Bot) -> None:
        (first,) = await bot.get_updates()
        assert await bot.get_updates(offset=first.update_id + 1) == ()
        fake.duplicate_update(first.update_id)
        (again,) = await bot.get_updates(offset=first.update_id + 1)
        assert (again.update_id, again.message.text) == (first.update_id, "một lần thôi")
        assert await bot.get_updates(offset=first.update_id + 1) == ()

    with_bot(fake, scenario)


def test_edits_and_replies_of_people_arrive_as_updates(fake: FakeTelegram) -> None:
    fake.add_group(GROUP, "Sở Công Thương", members=[OFFICER])
    question = fake.user_sends(USER, text="Câu hỏi có lỗi chính tả")
    fake.user_edits(USER, USER, question["message_id"], "Câu hỏi đã sửa")

    async def scenario(bot: Bot) -> None:
        card = await bot.send_message(GROUP, "HY-0001 · Thuế bán hàng online")
        fake.user_sends(OFFICER, GROUP, "Có, em cần kê khai thuế.", reply_to=card.message_id)
        updates = await bot.get_updates()
        message, edited, answer = (u.message or u.edited_message for u in updates)
        assert updates[1].edited_message is not None and edited.edit_date is not None
        assert (edited.message_id, edited.text) == (message.message_id, "Câu hỏi đã sửa")
        assert answer.chat.type == "supergroup" and answer.reply_to_message.message_id == card.message_id
        assert answer.reply_to_message.text == "HY-0001 · Thuế bán hàng online"

    with_bot(fake, scenario)


# --- sending ------------------------------------------------------------------------------

def test_send_message_with_html_and_an_inline_keyboard(fake: FakeTelegram) -> None:
    html = '<b>Chào</b> bạn &amp; <a href="https://hungyen.gov.vn/?a=1&amp;b=2">cổng</a> 😀 <i>nhé</i>'
    sent = with_bot(fake, lambda bot: bot.send_message(USER, html, parse_mode="HTML",
                                                       reply_markup=keyboard("consent:yes", "consent:no")))

    assert sent.text == "Chào bạn & cổng 😀 nhé"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 4), ("text_link", 11, 4),
                                                                     ("italic", 19, 3)]  # UTF-16 offsets
    assert sent.entities[1].url == "https://hungyen.gov.vn/?a=1&b=2"
    assert sent.text_html == '<b>Chào</b> bạn &amp; <a href="https://hungyen.gov.vn/?a=1&b=2">cổng</a> 😀 <i>nhé</i>'
    assert sent.reply_markup == keyboard("consent:yes", "consent:no")
    stored = fake.last_bot_message(USER)
    assert stored["text"] == sent.text and stored["from"]["is_bot"]
    assert stored["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "consent:no"
    call = fake.requests[-1]  # what PTB put on the wire
    assert call.method == "sendMessage" and call.content_type == "application/x-www-form-urlencoded"
    assert call.params["chat_id"] == str(USER) and json.loads(call.params["reply_markup"]) == stored["reply_markup"]


BAD_HTML = {  # what Telegram answers, after "Bad Request: can't parse entities: "
    "<b>đậm": 'Can\'t find end tag corresponding to start tag "b"',
    "1 < 2": 'Unsupported start tag "" at byte offset 2',
    "<div>khối</div>": 'Unsupported start tag "div" at byte offset 0',
    "<b>đậm</i>": 'Unmatched end tag at byte offset 9, expected "</b>", found "</i>"',  # offsets count UTF-8 bytes
    "<b>x</b></b>": "Unexpected end tag at byte offset 8",
    '<a href="x"': "Unclosed start tag at byte offset 0",
    '<span class="x">y</span>': 'Tag "span" must have class "tg-spoiler" at byte offset 0',
    "Q&A": 'Unescaped "&" at byte offset 1; write &amp;',  # the fake's own rule, see its docstring
}


def test_bad_html_is_refused_like_telegram(fake: FakeTelegram) -> None:
    async def scenario(bot: Bot) -> dict[str, str]:
        errors = {}
        for html in BAD_HTML:
            with pytest.raises(BadRequest) as refused:
                await bot.send_message(USER, html, parse_mode="HTML")
            errors[html] = refused.value.message
        return errors

    errors = with_bot(fake, scenario)
    # PTB drops "Bad Request: " and lowercases the rest of the sentence.
    assert errors == {html: f"Can't parse entities: {error}".capitalize() for html, error in BAD_HTML.items()}
    assert fake.bot_messages(USER) == []


def test_text_length_counts_after_the_tags_are_removed(fake: FakeTelegram) -> None:
    async def scenario(bot: Bot) -> None:
        longest = await bot.send_message(USER, f"<b>{'a' * 4096}</b>", parse_mode="HTML")
        assert len(longest.text) == 4096
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await bot.send_message(USER, "a" * 4097)
        with pytest.raises(BadRequest, match="(?i)message text is empty"):
            await bot.send_message(USER, "<b> </b>", parse_mode="HTML")

    with_bot(fake, scenario)


def test_replies_need_the_replied_message_unless_told_otherwise(fake: FakeTelegram) -> None:
    question = fake.user_sends(USER, text="Câu hỏi")

    async def scenario(bot: Bot) -> None:
        answer = await bot.send_message(USER, "Trả lời", reply_parameters=ReplyParameters(question["message_id"]))
        assert answer.reply_to_message.text == "Câu hỏi"
        legacy = await bot.send_message(USER, "Lại trả lời", reply_to_message_id=question["message_id"])
        assert legacy.reply_to_message.message_id == question["message_id"]
        with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
            await bot.send_message(USER, "?", reply_parameters=ReplyParameters(999))
        lenient = await bot.send_message(USER, "!",
                                         reply_parameters=ReplyParameters(999, allow_sending_without_reply=True))
        assert lenient.reply_to_message is None

    with_bot(fake, scenario)


def test_callback_data_is_limited_to_64_bytes(fake: FakeTelegram) -> None:
    async def scenario(bot: Bot) -> None:
        await bot.send_message(USER, "vừa", reply_markup=keyboard("đ" * 32))  # 64 bytes
        with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
            await bot.send_message(USER, "quá", reply_markup=keyboard("đ" * 33))

    with_bot(fake, scenario)


def test_chats_and_parameters_are_checked(fake: FakeTelegram) -> None:
    api = f"{fake.base_url}{fake.token}"
    with httpx.Client() as client:
        assert client.post(f"{api}/sendMessage", data={"chat_id": "-42", "text": "x"}).json() == {
            "ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
        no_chat = client.post(f"{api}/sendMessage", data={"text": "x"})
        assert no_chat.json()["description"] == "Bad Request: chat_id is empty"
        no_text = client.post(f"{api}/sendMessage", data={"chat_id": USER})
        assert (no_text.status_code, no_text.json()["description"]) == (400, "Bad Request: message text is empty")
        unknown = client.post(f"{api}/sendCarrierPigeon", data={"chat_id": USER})
        assert unknown.status_code == 404
        assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        stranger = client.post(f"{fake.base_url}654321:NOT-OURS/getMe")
        assert (stranger.status_code, stranger.json()["description"]) == (401, "Unauthorized")


def test_query_strings_and_json_bodies_work_as_on_telegram(fake: FakeTelegram) -> None:
    api = f"{fake.base_url}{fake.token}"
    with httpx.Client() as client:
        assert client.get(f"{api}/getme").json()["result"]["username"] == "test_bot"  # names ignore case
        by_query = client.get(f"{api}/sendMessage", params={"chat_id": USER, "text": "qua query"}).json()
        by_json = client.post(f"{api}/sendMessage", json={
            "chat_id": USER, "text": "<i>qua JSON</i>", "parse_mode": "HTML",
            "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}}).json()
    assert by_query["result"]["text"] == "qua query"
    assert by_json["result"]["entities"] == [{"type": "italic", "offset": 0, "length": 8}]
    assert by_json["result"]["reply_markup"] == {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    assert [call.content_type for call in fake.requests[-2:]] == ["", "application/json"]


def test_media_by_file_id_url_and_upload() -> None:
    with FakeTelegram(max_upload_bytes=1000) as fake:
        fake.add_user(USER, "An")
        photo = fake.user_sends(USER, photo=True, caption="ảnh hồ sơ")
        voice = fake.user_sends(USER, voice=True)
        file_id = photo["photo"][-1]["file_id"]

        async def scenario(bot: Bot) -> None:
            again = await bot.send_photo(USER, file_id, caption="<b>Ảnh</b> của bạn", parse_mode="HTML")
            assert (again.photo[-1].file_id, again.caption) == (file_id, "Ảnh của bạn")
            assert again.caption_entities[0].type == "bold"
            assert (await bot.send_voice(USER, voice["voice"]["file_id"])).voice.mime_type == "audio/ogg"
            with pytest.raises(BadRequest, match="(?i)message caption is too long"):
                await bot.send_photo(USER, file_id, caption="x" * 1025)
            with pytest.raises(BadRequest, match="(?i)type of file mismatch"):
                await bot.send_document(USER, file_id)
            with pytest.raises(BadRequest, match="(?i)wrong file identifier/http url specified"):
                await bot.send_video(USER, "no-such-file")
            uploaded = await bot.send_document(USER, b"%PDF-1.4 tiny", filename="tra-loi.pdf")
            assert (uploaded.document.file_name, uploaded.document.file_size) == ("tra-loi.pdf", 13)
            assert uploaded.document.mime_type == "application/pdf"
            assert (await bot.send_video(USER, "https://example.com/clip.mp4")).video.mime_type == "video/mp4"
            with pytest.raises(NetworkError, match="Request Entity Too Large"):
                await bot.send_document(USER, b"x" * 1001, filename="big.bin")

        with_bot(fake, scenario)
        upload = next(call for call in fake.requests if call.files)
        assert upload.content_type.startswith("multipart/form-data") and upload.files == ("document",)


# --- failures -----------------------------------------------------------------------------

def test_an_injected_429_raises_retry_after_with_its_seconds(fake: FakeTelegram) -> None:
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)

    async def scenario(bot: Bot) -> None:
        with pytest.raises(RetryAfter) as limited:
            await bot.send_message(USER, "nhanh quá")
        assert retry_seconds(limited.value) == 7
        await bot.send_message(USER, "lần sau thì được")

    with_bot(fake, scenario)
    assert fake.stats.too_many_requests == 1 and fake.stats.calls["sendMessage"] == 2
    assert [m["text"] for m in fake.bot_messages(USER)] == ["lần sau thì được"]


def test_blocked_users_kicked_bots_and_strangers_are_forbidden(fake: FakeTelegram) -> None:
    fake.add_group(GROUP, "Sở Công Thương", members=[OFFICER])
    fake.add_user(STRANGER, "Bình", started=False)
    fake.block_user(USER)
    fake.kick_bot(GROUP)

    async def scenario(bot: Bot) -> None:
        with pytest.raises(Forbidden, match="Forbidden: bot was blocked by the user"):
            await bot.send_message(USER, "xin chào")
        with pytest.raises(Forbidden, match="Forbidden: bot was kicked from the supergroup chat"):
            await bot.send_message(GROUP, "xin chào")
        with pytest.raises(Forbidden, match="Forbidden: bot can't initiate conversation with a user"):
            await bot.send_message(STRANGER, "xin chào")
        updates = await bot.get_updates()
        assert [(u.my_chat_member.chat.id, u.my_chat_member.new_chat_member.status) for u in updates] == [
            (USER, "kicked"), (GROUP, "kicked")]
        fake.user_sends(USER, text="/start")  # Telegram's Restart button unblocks the bot
        await bot.send_message(USER, "Chào mừng bạn trở lại")

    with_bot(fake, scenario)


def test_a_dropped_connection_is_a_network_error_and_may_hide_a_sent_message(fake: FakeTelegram) -> None:
    fake.drop_next_connection("sendMessage")
    fake.drop_next_connection("sendMessage", after_processing=True)

    async def scenario(bot: Bot) -> None:
        for text in ("một", "hai"):
            with pytest.raises(NetworkError) as lost:
                await bot.send_message(USER, text)
            assert type(lost.value) is NetworkError and "RemoteProtocolError" in lost.value.message
        await bot.send_message(USER, "ba")

    with_bot(fake, scenario)
    assert [m["text"] for m in fake.bot_messages(USER)] == ["hai", "ba"]
    assert fake.stats.dropped_connections == 2


def test_rate_limits_answer_429_to_bursts_on_a_fake_clock() -> None:
    clock = FakeClock(datetime(2024, 3, 1, 8, 0, tzinfo=UTC))
    rules = RateLimitRules(per_second=30, per_private_chat_per_second=1, per_group_per_minute=20)
    with FakeTelegram(limits=rules, clock=lambda: clock.now().timestamp()) as fake:
        fake.add_user(USER, "An")
        fake.add_group(GROUP, "Sở Công Thương")
        for user_id in range(100, 131):
            fake.add_user(user_id, f"Bạn {user_id}")

        async def scenario(bot: Bot) -> list[float]:
            waits = []
            await bot.send_message(USER, "1")
            with pytest.raises(RetryAfter) as private:
                await bot.send_message(USER, "2")
            waits.append(retry_seconds(private.value))
            clock.advance(1)
            await bot.send_message(USER, "2")
            for number in range(20):
                await bot.send_message(GROUP, f"thẻ {number}")
            clock.advance(15)
            with pytest.raises(RetryAfter) as group:
                await bot.send_message(GROUP, "thẻ 20")
            waits.append(retry_seconds(group.value))
            clock.advance(1)
            for user_id in range(100, 130):  # 30 chats in one second
                await bot.send_message(user_id, "thông báo")
            with pytest.raises(RetryAfter) as overall:
                await bot.send_message(130, "thông báo")
            waits.append(retry_seconds(overall.value))
            return waits

        assert with_bot(fake, scenario) == [1, 45, 1]
        assert fake.stats.too_many_requests == 3
        assert len(fake.bot_messages(GROUP)) == 20


# --- editing, buttons, topics, commands, chats --------------------------------------------

def test_edit_message_text_and_callback_queries(fake: FakeTelegram) -> None:
    async def scenario(bot: Bot) -> None:
        sent = await bot.send_message(USER, "Bạn đồng ý?", reply_markup=keyboard("yes", "no"))
        pressed = fake.user_presses(USER, USER, sent.message_id, "no")
        with pytest.raises(LookupError):
            fake.user_presses(USER, USER, sent.message_id, 5)
        (update,) = await bot.get_updates()
        query = update.callback_query
        assert (query.id, query.data, query.from_user.id) == (pressed["id"], "no", USER)
        assert query.message.message_id == sent.message_id and query.message.reply_markup == keyboard("yes", "no")
        await bot.answer_callback_query(query.id, text="Đã ghi nhận")
        with pytest.raises(BadRequest, match="(?i)query is too old"):
            await bot.answer_callback_query(query.id)

        edited = await bot.edit_message_text("Bạn đã chọn: <b>Không</b>", chat_id=USER, message_id=sent.message_id,
                                             parse_mode="HTML")
        assert (edited.text, edited.reply_markup) == ("Bạn đã chọn: Không", None)  # no markup: keyboard removed
        assert edited.edit_date is not None
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await bot.edit_message_text("Bạn đã chọn: <b>Không</b>", chat_id=USER, message_id=sent.message_id,
                                        parse_mode="HTML")
        with pytest.raises(BadRequest, match="(?i)message to edit not found"):
            await bot.edit_message_text("?", chat_id=USER, message_id=999)
        restored = await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard("undo"))
        assert restored.reply_markup == keyboard("undo")
        assert await bot.delete_message(USER, sent.message_id)

    with_bot(fake, scenario)
    assert fake.callback_answers[0]["text"] == "Đã ghi nhận"
    assert fake.bot_messages(USER) == []


def test_forum_topics_and_messages_in_them(fake: FakeTelegram) -> None:
    fake.add_group(FORUM, "Hỏi đáp thanh niên", members=[OFFICER], forum=True, bot_is_admin=True)
    fake.add_group(GROUP, "Sở Công Thương", members=[OFFICER], forum=True)

    async def scenario(bot: Bot) -> int:
        topic = await bot.create_forum_topic(FORUM, "Thương mại điện tử")
        thread = topic.message_thread_id
        card = await bot.send_message(FORUM, "HY-0001", message_thread_id=thread)
        assert (card.is_topic_message, card.message_thread_id) == (True, thread)
        assert card.reply_to_message.forum_topic_created.name == "Thương mại điện tử"
        with pytest.raises(BadRequest, match="(?i)message thread not found"):
            await bot.send_message(FORUM, "lạc", message_thread_id=thread + 100)
        with pytest.raises(BadRequest, match="(?i)not enough rights to create a topic"):
            await bot.create_forum_topic(GROUP, "Thuế")
        with pytest.raises(BadRequest, match="(?i)the chat is not a forum"):
            await bot.create_forum_topic(USER, "Thuế")
        fake.user_sends(OFFICER, FORUM, "Đã nhận", message_thread_id=thread)
        (update,) = await bot.get_updates()
        message = update.message
        assert (message.is_topic_message, message.message_thread_id, message.reply_to_message.message_id) == (
            True, thread, thread)
        assert message.chat.is_forum
        return thread

    thread = with_bot(fake, scenario)
    assert [m.get("message_thread_id") for m in fake.messages(FORUM)] == [thread, thread, thread]


def test_commands_are_recorded_per_scope_and_language(fake: FakeTelegram) -> None:
    private, groups = BotCommandScopeAllPrivateChats(), BotCommandScopeAllGroupChats()

    async def scenario(bot: Bot) -> None:
        await bot.set_my_commands([BotCommand("my", "Câu hỏi của tôi"), BotCommand("help", "Trợ giúp")], scope=private)
        await bot.set_my_commands([BotCommand("my", "My questions")], scope=private, language_code="en")
        await bot.set_my_commands([BotCommand("pending", "Câu hỏi đang chờ")], scope=groups)
        with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
            await bot.set_my_commands([BotCommand("My-Questions", "không hợp lệ")])
        assert [c.command for c in await bot.get_my_commands(scope=private, language_code="en")] == ["my"]
        assert await bot.get_my_commands() == ()

    with_bot(fake, scenario)
    assert fake.commands == {
        ("all_private_chats", ""): [{"command": "my", "description": "Câu hỏi của tôi"},
                                    {"command": "help", "description": "Trợ giúp"}],
        ("all_private_chats", "en"): [{"command": "my", "description": "My questions"}],
        ("all_group_chats", ""): [{"command": "pending", "description": "Câu hỏi đang chờ"}],
    }


def test_get_chat_and_chat_member_statuses(fake: FakeTelegram) -> None:
    fake.add_user(STRANGER, "Bình")
    fake.add_group(GROUP, "Sở Công Thương", members=[USER], admins=[OFFICER])

    async def scenario(bot: Bot) -> None:
        chat = await bot.get_chat(GROUP)
        assert (chat.title, chat.type) == ("Sở Công Thương", "supergroup")
        statuses = [(await bot.get_chat_member(GROUP, user_id)).status
                    for user_id in (OFFICER, USER, STRANGER, bot.id)]
        assert statuses == ["administrator", "member", "left", "member"]
        with pytest.raises(BadRequest, match="(?i)user not found"):
            await bot.get_chat_member(GROUP, 999)
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.get_chat(-999)

    with_bot(fake, scenario)


# --- webhooks -----------------------------------------------------------------------------

def test_webhook_posts_with_the_secret_and_retries_until_answered(fake: FakeTelegram,
                                                                  receiver: WebhookReceiver) -> None:
    fake.user_sends(USER, text="cũ")

    async def scenario(bot: Bot) -> None:
        await bot.set_webhook(receiver.url, secret_token="s3cret_TOKEN-1", drop_pending_updates=True)
        assert (await bot.get_webhook_info()).pending_update_count == 0
        with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
            await bot.get_updates()
        fake.user_sends(USER, text="một")
        assert await fake.deliver_webhooks_async() == 0  # the receiver answers 500: the update stays
        fake.user_sends(USER, text="hai")
        info = await bot.get_webhook_info()
        assert (info.url, info.pending_update_count) == (receiver.url, 2)
        assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"

        assert await fake.deliver_webhooks_async() == 2
        assert await fake.deliver_webhooks_async() == 0
        assert (await bot.get_webhook_info()).pending_update_count == 0
        await bot.delete_webhook()
        assert await bot.get_updates() == ()

    with_bot(fake, scenario)
    texts = [update["message"]["text"] for update, _ in receiver.received]
    assert texts == ["một", "một", "hai"]  # retried, and in order
    assert {headers["x-telegram-bot-api-secret-token"] for _, headers in receiver.received} == {"s3cret_TOKEN-1"}
    assert fake.deliver_webhooks() == 0  # also callable from a plain thread


def test_webhook_delivery_in_the_background_retries_by_itself(receiver: WebhookReceiver) -> None:
    with FakeTelegram(background_webhooks=True, webhook_retry_seconds=0.05) as fake:
        fake.add_user(USER, "An")

        async def scenario(bot: Bot) -> None:
            with pytest.raises(BadRequest, match="(?i)secret token contains unallowed characters"):
                await bot.set_webhook(receiver.url, secret_token="có dấu")
            await bot.set_webhook(receiver.url)

        with_bot(fake, scenario)
        fake.user_sends(USER, text="tự động")
        receiver.wait_for(2)  # refused with 500, then retried
        assert [update["message"]["text"] for update, _ in receiver.received] == ["tự động", "tự động"]
        assert "x-telegram-bot-api-secret-token" not in receiver.received[0][1]
