"""Departments answer by replying; reassign, reject, corrections and follow-ups."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from core.clock import FakeClock
from core.config import Settings
from storage.models import Answer, Question, QuestionStatus
from tests.harness import Delivered, Harness, Participant

QUESTION = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"


@pytest.fixture
def asked(harness: Harness) -> tuple[Participant, Delivered]:
    """A young person whose question waits in Sở Công Thương's chat, and that card."""
    an = harness.registered_youth()
    harness.ask(an, QUESTION)
    return an, harness.messages_to("dept-so-ct")[-1]


def question(harness: Harness) -> Question:
    with harness.app.sessions() as session:
        found = session.scalars(select(Question)).one()
        _ = found.events, found.answers
        return found


def test_reply_to_card_answers_the_young_person(harness: Harness, asked: tuple[Participant, Delivered]) -> None:
    an, card = asked
    officer = harness.officer("so-ct", "can-bo-1")
    ack = officer.reply(card, "Có. Em cần đăng ký hộ kinh doanh & kê khai thuế.")
    delivery = an.last()
    assert "HY-0001" in delivery.text and "Sở Công Thương" in delivery.text
    assert "đăng ký hộ kinh doanh &amp; kê khai thuế" in delivery.text
    assert any("Đã gửi câu trả lời HY-0001" in m.text for m in ack)
    stored = question(harness)
    assert stored.status == QuestionStatus.ANSWERED
    assert stored.answers[0].officer == "console:can-bo-1"


def test_edited_answer_is_delivered_as_correction_and_kept(
        harness: Harness, asked: tuple[Participant, Delivered]) -> None:
    an, card = asked
    officer = harness.officer("so-ct")
    officer.reply(card, "Có, phải nộp thuế.")
    officer.edit(officer.sent[-1], "Có, phải nộp thuế khi doanh thu trên 100 triệu/năm.")
    assert "Đính chính" in an.last().text and "100 triệu" in an.last().text
    with harness.app.sessions() as session:
        answer = session.scalars(select(Answer)).one()
        assert answer.text.endswith("100 triệu/năm.")
        assert [r.text for r in answer.revisions] == ["Có, phải nộp thuế."]


def test_follow_up_goes_back_to_the_same_department(harness: Harness, asked: tuple[Participant, Delivered]) -> None:
    an, card = asked
    officer = harness.officer("so-ct")
    officer.reply(card, "Có, phải nộp thuế.")
    an.reply(an.last(), "Vậy mức thuế là bao nhiêu ạ?")
    followup = harness.messages_to("dept-so-ct")[-1]
    assert "HY-0001" in followup.text and "mức thuế" in followup.text
    assert question(harness).status == QuestionStatus.FORWARDED
    officer.reply(followup, "1,5% doanh thu.")
    assert "1,5% doanh thu" in an.last().text


def test_officer_allowlist(example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    departments = tuple(replace(d, officers=("console:allowed",)) if d.key == "so-ct" else d
                        for d in example_settings.departments)
    harness = Harness(replace(example_settings, departments=departments), database_url, clock)
    try:
        an = harness.registered_youth()
        harness.ask(an, QUESTION)
        card = harness.messages_to("dept-so-ct")[-1]
        intruder = harness.officer("so-ct", "intruder")
        intruder.reply(card, "Không cần nộp")
        assert "không có trong danh sách cán bộ" in intruder.last().text
        harness.officer("so-ct", "allowed").reply(card, "Có, phải nộp thuế.")
        assert "Có, phải nộp thuế." in an.last().text
    finally:
        harness.dispose()


def test_reassign_moves_the_question_and_tells_everyone(harness: Harness, asked: tuple[Participant, Delivered]) -> None:
    an, card = asked
    officer = harness.officer("so-ct")
    choices = officer.press(card, "Chuyển sở khác")[-1]
    assert "Sở Công Thương" not in choices.buttons
    officer.press(choices, "Sở Kế hoạch và Đầu tư")
    new_card = harness.messages_to("dept-so-khdt")[-1]
    assert "HY-0001" in new_card.text and "được chuyển tới đây từ Sở Công Thương" in new_card.text
    assert "đã được chuyển sang Sở Kế hoạch và Đầu tư" in officer.last().text
    assert "Sở Kế hoạch và Đầu tư" in an.last().text
    officer.press(choices, "Sở Giáo dục")  # pressed again after the question moved on
    assert "hiện do Sở Kế hoạch và Đầu tư phụ trách" in officer.last().text
    officer.reply(card, "Trả lời muộn")
    assert question(harness).status == QuestionStatus.FORWARDED
    harness.officer("so-khdt").reply(new_card, "Sở KH&ĐT trả lời.")
    assert "Sở KH&amp;ĐT trả lời." in an.last().text
    stored = question(harness)
    assert stored.department_key == "so-khdt"
    assert [e.kind for e in stored.events] == ["received", "forwarded", "reassigned", "answered"]


def test_reject_with_reason_by_replying_to_prompt(harness: Harness, asked: tuple[Participant, Delivered]) -> None:
    an, card = asked
    officer = harness.officer("so-ct")
    prompt = officer.press(card, "Không thuộc phạm vi")[-1]
    officer.reply(prompt, "Câu hỏi về thuế thuộc Cục Thuế, không thuộc Sở.")
    assert "Lý do: Câu hỏi về thuế thuộc Cục Thuế" in an.last().text
    assert question(harness).status == QuestionStatus.REJECTED
    officer.press(card, "Chuyển sở khác")
    assert "HY-0001 đã bị từ chối" in officer.last().text
    an.reply(an.last(), "Vậy em hỏi ở đâu ạ?")
    assert "đã đóng" in an.last().text


def test_typed_officer_commands(harness: Harness, asked: tuple[Participant, Delivered]) -> None:
    an, _card = asked
    officer = harness.officer("so-ct")
    officer.say("/pending")
    assert "HY-0001" in officer.last().text and "(1)" in officer.last().text
    officer.say("/reassign HY-0001 so-khcn")
    assert harness.messages_to("dept-so-khcn")
    other = harness.officer("so-khcn")
    other.say("/reject hy-0001 Trùng với câu hỏi đã trả lời")
    assert "Trùng với câu hỏi" in an.last().text
    other.say("/pending")
    assert "Không có câu hỏi nào" in other.last().text
    other.say("/reject HY-0999 x")
    assert "Không có câu hỏi HY-0999" in other.last().text


def test_long_answer_is_split_never_cut(harness: Harness, asked: tuple[Participant, Delivered]) -> None:
    an, card = asked
    answer = " ".join(f"câu{i}" for i in range(1500))  # ~9,000 characters
    harness.officer("so-ct").reply(card, answer)
    parts = [m.text for m in an.inbox() if "câu" in m.text]
    assert len(parts) >= 3 and all(len(p) <= 4096 for p in parts)
    words = " ".join(parts).split()
    assert all(f"câu{i}" in words for i in range(1500))


def test_officer_chatter_is_ignored(harness: Harness, asked: tuple[Participant, Delivered]) -> None:
    officer = harness.officer("so-ct")
    assert officer.say("Anh em ơi ai xử lý câu này?") == []
    assert officer.say("/lenh_cua_bot_khac") == []
