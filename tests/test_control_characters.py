"""Control characters from outside are cleaned once, at the edge, so questions store on both databases.

PostgreSQL refuses NUL in text (psycopg.DataError) where SQLite stores it: without the cleaning
such a question is set aside after five attempts and the young person never hears back.
"""

from __future__ import annotations

import asyncio

import pytest
import telegram
from sqlalchemy import select

from core.clock import FakeClock
from core.config import Settings
from core.messages import without_controls
from storage.models import Account, InboxUpdate, Question, QuestionAttachment
from tests import test_telegram as tg
from tests import test_zalo_bot, test_zalo_oa

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DIRTY = "Em bán hàng online\u0000 trên Shopee\u0007 thì có phải nộp thuế không ạ?\r\nDoanh thu\tnhỏ\u001b ạ."
CLEAN = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?\nDoanh thu\tnhỏ ạ."


def test_without_controls_keeps_line_feeds_tabs_and_emoji() -> None:
    assert without_controls(DIRTY) == CLEAN
    assert without_controls("a\rb\u0085c\ud800 👨‍👩‍👧") == "a\nbc 👨‍👩‍👧"


def stored(session_factory: object) -> tuple[list[Question], list[str], list[str]]:
    with session_factory() as session:  # type: ignore[operator]
        questions = list(session.scalars(select(Question).order_by(Question.id)))
        names = [a.display_name for a in session.scalars(select(Account))]
        files = [a.file_name for a in session.scalars(select(QuestionAttachment))]
        for question in questions:
            session.expunge(question)
        assert all(u.error is None for u in session.scalars(select(InboxUpdate))), "no update was set aside"
        return questions, names, files


def test_telegram_text_caption_name_file_name_and_button_data(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: tg.Deployment) -> None:
        d.fake.add_user(503, "Minh\u0000\u0008 Anh")
        await tg.register(d, 503)
        await tg.ask(d, 503, DIRTY)
        assert "Đã nhận câu hỏi HY-0001" in d.texts_in(503)[-1]
        assert CLEAN in d.texts_in(tg.SO_CT)[-1]
        d.fake.user_sends(503, document="học\u0000bổng.pdf",
                          caption="Thuế\u0000 bán hàng online trên Shopee nộp ở đâu ạ?")
        await d.step()
        d.fake.user_presses(503, 503, d.fake.last_bot_message(503)["message_id"], 0)
        await d.step()
        prompt = d.fake.last_bot_message(503)
        forged = {"update_id": 900001, "callback_query": {
            "id": "77", "from": {"id": 503, "is_bot": False, "first_name": "Minh"}, "chat_instance": "1",
            "message": prompt, "data": "lang:\u0000vi"}}
        d.receiver.record(telegram.Update.de_json(forged, d.bot))
        await d.step()
        questions, names, files = stored(d.app.sessions)
        assert [q.text for q in questions] == [CLEAN, "Thuế bán hàng online trên Shopee nộp ở đâu ạ?"]
        assert "Minh Anh" in names and files == ["họcbổng.pdf"]
    tg.run(example_settings, database_url, clock, scenario)


def test_zalo_bot_text_and_name(example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: test_zalo_bot.Deployment) -> None:
        d.zalo.users[test_zalo_bot.MAI].name = "Mai\u0000"
        await test_zalo_bot.register(d)
        d.zalo.user_sends(test_zalo_bot.MAI, text=DIRTY)
        await d.step()
        d.zalo.user_sends(test_zalo_bot.MAI, text="1")
        await d.step()
        assert "Đã nhận câu hỏi HY-0001" in d.zalo_texts()[-1]
        questions, names, _ = stored(d.app.sessions)
        assert [q.text for q in questions] == [CLEAN] and names == ["Mai"]
    test_zalo_bot.run(example_settings, database_url, clock, scenario)


def test_zalo_oa_text(example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: test_zalo_oa.Deployment) -> None:
        assert (await asyncio.to_thread(d.oa.follow, test_zalo_oa.HOA)).status_code == 200
        await d.step()
        await d.says("xin chào")  # following sends nothing: the welcome answers the first message
        await d.says("1")
        await d.says("van giang")
        await d.says(DIRTY)
        await d.says("1")
        assert any("HY-0001" in t for t in d.texts()[-2:])
        questions, _, _ = stored(d.app.sessions)
        assert [q.text for q in questions] == [CLEAN]
    test_zalo_oa.run(example_settings, database_url, clock, scenario)
