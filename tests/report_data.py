"""A small campaign for report, FAQ and privacy tests: answered on time, answered late,
overdue, rejected; in three districts and three categories, with Vietnamese diacritics."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from core.clock import FakeClock
from core.config import Settings
from tests.harness import Harness

ON_TIME = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"
ANSWER_ON_TIME = "Có. Em cần đăng ký hộ kinh doanh & kê khai thuế khoán <b>hằng năm</b>."
OVERDUE = "Xã em chưa có sân chơi thể thao cho thanh niên, tỉnh có kế hoạch xây dựng không ạ?"
REJECTED = "Cho em hỏi thủ tục đổi căn cước công dân gắn chip trực tuyến thế nào?"
REJECT_REASON = "Thuộc thẩm quyền Công an tỉnh"
LATE = "Livestream bán hàng trên TikTok có cần giấy phép kinh doanh không?"
ANSWER_LATE = "Cần đăng ký kinh doanh nếu bán thường xuyên."


def reporting_harness(settings: Settings, database_url: str, clock: FakeClock, folder: Path) -> Harness:
    return Harness(replace(settings, reports=replace(settings.reports, folder=folder)), database_url, clock)


def populate(harness: Harness) -> None:
    """HY-0001 on time, HY-0002 overdue, HY-0003 rejected, HY-0004 late; ends on 10/03/2023."""
    an = harness.registered_youth("an", "Văn Giang")
    binh = harness.registered_youth("binh", "Yên Mỹ")
    chi = harness.registered_youth("chi", "Mỹ Hào")
    harness.ask(an, ON_TIME, "Thương mại")
    harness.ask(binh, OVERDUE, "Chính sách thanh niên")
    harness.ask(chi, REJECTED, "Chuyển đổi số")
    harness.ask(an, LATE, "Thương mại")
    so_ct = harness.officer("so-ct", "can-bo-ct")
    cards = [m for m in harness.messages_to("dept-so-ct") if "HY-000" in m.text and m.buttons]
    harness.clock.advance(86400)
    so_ct.reply(cards[0], ANSWER_ON_TIME)
    harness.officer("so-tttt").say(f"/reject HY-0003 {REJECT_REASON}")
    tz = harness.settings.timezone
    harness.clock.advance(datetime(2023, 3, 10, 9, tzinfo=tz) - harness.clock.now())
    so_ct.reply(cards[1], ANSWER_LATE)


@contextmanager
def populated_harness(settings: Settings, database_url: str, clock: FakeClock, folder: Path) -> Iterator[Harness]:
    """A reporting harness holding the populated campaign, disposed of afterwards."""
    harness = reporting_harness(settings, database_url, clock, folder)
    populate(harness)
    try:
        yield harness
    finally:
        harness.dispose()
