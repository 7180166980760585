"""A small campaign for report, FAQ and privacy tests: answered on time, answered late,
overdue, rejected; in three districts and three categories, with Vietnamese diacritics."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from core.clock import FakeClock
from core.config import Settings
from storage.db import transaction
from storage.models import Account, Answer, Person, Question, QuestionStatus
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


# --- a campaign of a few hundred questions with every status, inserted in bulk ----------------

QUESTIONS_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "questions_dev.jsonl"
HOST = "Ông Nguyễn Duy Hưng, Phó Chủ tịch UBND tỉnh"
LIVE_TEXT = "Tỉnh sẽ bố trí kinh phí để mỗi xã có điểm truy cập Internet miễn phí cho thanh niên trong năm 2023."
DEPARTMENT_ANSWER = ("Sở đã tiếp nhận câu hỏi. Theo quy định hiện hành, thanh niên được hỗ trợ vay vốn ưu đãi, tư vấn "
                     "thủ tục miễn phí tại Trung tâm Phục vụ hành chính công và tham gia lớp bồi dưỡng kỹ năng số.")
KINDS = ("on_time",) * 9 + ("late", "late", "live", "both", "overdue", "overdue", "pending", "rejected", "merged",
                            "in_review", "received")  # one in 20 questions of each kind but on time (9 in 20)


def populate_campaign(harness: Harness, size: int = 300) -> dict[str, int]:
    """`size` questions of the current campaign, cycling through KINDS, districts and departments;
    `now` is the harness's clock. Returns how many of each kind."""
    settings, now = harness.settings, harness.clock.now()
    texts = [json.loads(line)["text"] for line in QUESTIONS_FILE.read_text(encoding="utf-8").splitlines() if line]
    asked, due = now - timedelta(days=30), now - timedelta(days=4)
    with transaction(harness.app.sessions) as session:
        person = Person(created_at=asked, consent_at=asked, district_key=settings.districts[0].key, language="vi")
        account = Account(person=person, platform="console", user_id="bulk", chat_id="user-bulk", display_name="",
                          state="", window_count=0, created_at=asked)
        session.add(account)
        session.flush()
        counts: dict[str, int] = {}
        start = session.scalar(select(func.coalesce(func.max(Question.number), 0)))
        for n in range(start + 1, start + size + 1):
            kind = KINDS[n % len(KINDS)]
            counts[kind] = counts.get(kind, 0) + 1
            department = settings.departments[n % len(settings.departments)]
            question = _bulk_question(settings, kind, n, department.key, department.categories[n % len(
                department.categories)], texts[n % len(texts)], asked, due, now)
            question.campaign_id, question.account_id = harness.app.processor.campaign_id, account.id
            session.add(question)
            for answer in _bulk_answers(kind, n, department.key, asked, due):
                question.answers.append(answer)
    return counts


def _bulk_question(settings: Settings, kind: str, n: int, department: str, category: str, text: str,
                   asked: datetime, due: datetime, now: datetime) -> Question:
    status = {"overdue": QuestionStatus.FORWARDED, "pending": QuestionStatus.FORWARDED,
              "rejected": QuestionStatus.REJECTED, "merged": QuestionStatus.MERGED,
              "in_review": QuestionStatus.IN_REVIEW, "received": QuestionStatus.RECEIVED}.get(kind,
                                                                                              QuestionStatus.ANSWERED)
    forwarded = kind not in ("in_review", "received")
    return Question(
        number=n, code=f"{settings.campaign.code_prefix}-{n:04d}", source_message_id=f"bulk-{n}",
        district_key=settings.districts[n % len(settings.districts)].key, category_key=category,
        suggested_category_key=category, department_key=department if forwarded else None, language="vi",
        text=text, status=status, rejection_reason="Không thuộc phạm vi của cuộc đối thoại" if kind == "rejected"
        else None, created_at=asked, accepted_at=asked, forwarded_at=asked if forwarded else None,
        answered_at=_answered_at(kind, n, asked, due),
        answer_due_at=(now + timedelta(days=3) if kind == "pending" else due) if forwarded else None,
        useful=(n % 3 != 0) if kind in ("on_time", "late") and n % 2 else None)


def _answered_at(kind: str, n: int, asked: datetime, due: datetime) -> datetime | None:
    if kind in ("on_time", "both"):
        return asked + timedelta(days=1 + n % 20)
    if kind == "late":
        return due + timedelta(days=1 + n % 3)
    return due + timedelta(days=2) if kind == "live" else None


def _bulk_answers(kind: str, n: int, department: str, asked: datetime, due: datetime) -> list[Answer]:
    answers = []
    if kind in ("on_time", "late", "both"):
        answers.append(Answer(department_key=department, platform="console", chat_id=f"dept-{department}",
                              message_id=f"bulk-a{n}", officer=f"console:can-bo-{department}", officer_name="Cán bộ",
                              text=DEPARTMENT_ANSWER, created_at=_answered_at(kind, n, asked, due)))
    if kind in ("live", "both"):
        answers.append(Answer(department_key=department, platform="console", chat_id="coordinator",
                              message_id=f"bulk-l{n}", officer="console:thu-ky", officer_name="Thư ký",
                              text=LIVE_TEXT, created_at=due + timedelta(days=2), source="live", speaker=HOST))
    return answers
