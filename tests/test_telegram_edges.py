"""Telegram's edges through the real adapter and the strict local Bot API server: text lengths in
UTF-16 code units, webhook bodies of the wrong shape, privacy mode in groups, replies to the bot."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.clock import FakeClock
from core.config import Settings
from core.textsplit import split_html, utf16_length
from storage.models import Question
from tests import test_telegram as tg

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
