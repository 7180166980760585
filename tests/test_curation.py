"""Curation by the Youth Union: review before routing, clarify, decline, merge, "+1" support."""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.channels.console import COORDINATOR_CHAT
from bot.channels.registry import parse_settings
from core.clock import FakeClock
from core.config import ConfigError, Settings
from core.messages import ChatKind, ChatRef
from storage.models import Question, QuestionStatus, QuestionSupport
from tests.conftest import EXAMPLE_CONFIG
from tests.harness import Harness, Participant

QUESTION = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"
SAME_QUESTION = "em ban hang online tren shopee co phai nop thue ko a"
OTHER_QUESTION = "Tỉnh có lớp đào tạo kỹ năng số miễn phí cho thanh niên nông thôn không ạ?"


def stored(harness: Harness, code: str) -> Question:
    with harness.app.sessions() as session:
        question = session.scalars(select(Question).where(Question.code == code)).one()
        _ = question.events, question.answers
        return question


def supporter_count(harness: Harness, code: str) -> int:
    with harness.app.sessions() as session:
        return len(session.scalars(select(QuestionSupport).join(
            Question, QuestionSupport.question_id == Question.id).where(Question.code == code)).all())


def coordinator(harness: Harness, name: str = "staff") -> Participant:
    return Participant(harness, name, COORDINATOR_CHAT, ChatKind.GROUP)


# --- review before routing ------------------------------------------------------------------

def test_with_approval_required_a_question_waits_until_an_admin_approves(reviewing: Harness) -> None:
    an = reviewing.registered_youth()
    receipt = reviewing.ask(an, QUESTION)
    assert "HY-0001" in receipt.text and "Tỉnh đoàn sẽ xem" in receipt.text
    assert reviewing.messages_to("dept-so-ct") == []
    assert stored(reviewing, "HY-0001").status == QuestionStatus.IN_REVIEW
    an.say("/my")
    assert "chờ Tỉnh đoàn duyệt" in an.last().text
    card = reviewing.messages_to(COORDINATOR_CHAT)[-1]
    assert "HY-0001" in card.text and "Shopee" in card.text
    staff = coordinator(reviewing)
    staff.press(card, "Duyệt")
    assert "Đã duyệt HY-0001" in staff.last().text
    assert "đã được duyệt và chuyển tới Sở Công Thương" in an.last().text
    department_card = reviewing.messages_to("dept-so-ct")[-1]
    assert "HY-0001" in department_card.text
    question = stored(reviewing, "HY-0001")
    assert question.status == QuestionStatus.FORWARDED and question.answer_due_at is not None
    assert [e.kind for e in question.events] == ["received", "in_review", "forwarded"]
    staff.press(card, "Duyệt")  # pressed twice
    assert "không chờ duyệt" in staff.last().text
    reviewing.officer("so-ct").reply(department_card, "Có, phải nộp thuế.")
    assert "Có, phải nộp thuế." in an.last().text


def test_typed_approve_and_review_list(reviewing: Harness) -> None:
    an = reviewing.registered_youth()
    reviewing.ask(an, QUESTION)
    reviewing.ask(an, OTHER_QUESTION)
    admin = reviewing.admin()
    admin.say("/review")
    assert "Chờ duyệt (2)" in admin.last().text and "HY-0002" in admin.last().text
    admin.say("/suggest")
    assert "Không còn câu hỏi nào" in admin.last().text  # nothing in review is proposed for the event
    admin.say("/approve hy-0002")
    assert reviewing.messages_to("dept-so-gddt") and stored(reviewing, "HY-0002").status == QuestionStatus.FORWARDED
    admin.say("/suggest")
    assert "HY-0002" in admin.last().text and "HY-0001" not in admin.last().text
    admin.say("/approve HY-0404")
    assert "Không có câu hỏi HY-0404" in admin.last().text
    admin.say("/approve")
    assert "Cách dùng" in admin.last().text


def test_clarify_keeps_the_original_and_departments_see_the_clarified_text(reviewing: Harness) -> None:
    an = reviewing.registered_youth()
    reviewing.ask(an, QUESTION)
    card = reviewing.messages_to(COORDINATOR_CHAT)[-1]
    staff = coordinator(reviewing)
    prompt = staff.press(card, "Sửa cho rõ")[-1]
    staff.reply(prompt, "Người bán hàng trên Shopee có phải nộp thuế thu nhập cá nhân không?")
    assert "bản gốc được giữ lại" in staff.last().text
    assert "biên tập cho rõ ý" in an.last().text and "thuế thu nhập cá nhân" in an.last().text
    question = stored(reviewing, "HY-0001")
    assert question.original_text == QUESTION and question.text.endswith("thu nhập cá nhân không?")
    staff.press(card, "Duyệt")
    assert "thuế thu nhập cá nhân" in reviewing.messages_to("dept-so-ct")[-1].text
    reviewing.admin().say("/clarify HY-0001 Bán hàng qua Shopee có phải kê khai thuế không?")
    relayed = reviewing.messages_to("dept-so-ct")[-1]
    assert "biên tập lại" in relayed.text and "kê khai thuế" in relayed.text
    assert stored(reviewing, "HY-0001").original_text == QUESTION  # the asker's words, not the first edit
    staff.reply(prompt, "   ")
    assert "Nội dung trống" in staff.last().text
    staff.reply(prompt, "x" * 3001)
    assert "vượt quá 3000" in staff.last().text


def test_decline_with_a_reason_the_asker_sees(reviewing: Harness) -> None:
    an = reviewing.registered_youth()
    reviewing.ask(an, QUESTION)
    card = reviewing.messages_to(COORDINATOR_CHAT)[-1]
    staff = coordinator(reviewing)
    prompt = staff.press(card, "Từ chối")[-1]
    staff.reply(prompt, "Câu hỏi về thuế thuộc Cục Thuế, không thuộc buổi đối thoại.")
    assert "Lý do: Câu hỏi về thuế thuộc Cục Thuế" in an.last().text
    assert stored(reviewing, "HY-0001").status == QuestionStatus.REJECTED
    assert reviewing.messages_to("dept-so-ct") == []
    staff.press(card, "Duyệt")
    assert "không chờ duyệt" in staff.last().text
    staff.press(card, "Sửa cho rõ")
    assert "đã đóng" in staff.last().text


def test_declining_a_forwarded_question_tells_its_department(harness: Harness) -> None:
    an = harness.registered_youth()
    harness.ask(an, QUESTION)
    admin = harness.admin()
    admin.say("/decline HY-0001 Trùng nội dung với buổi đối thoại trước")
    assert "rút lại" in harness.messages_to("dept-so-ct")[-1].text
    assert "Lý do: Trùng nội dung" in an.last().text
    admin.say("/decline")
    assert admin.last().text == harness.app.services.texts.render("vi", "curation_usage")
    admin.say("/decline HY-0001 lần nữa")
    assert "đã đóng" in admin.last().text


# --- duplicates -----------------------------------------------------------------------------

def test_a_young_person_asking_again_can_support_instead(harness: Harness) -> None:
    an, binh = harness.registered_youth("an"), harness.registered_youth("binh")
    harness.ask(an, QUESTION)
    suggestion = binh.say(SAME_QUESTION)[-1]
    assert "Đã có người hỏi câu tương tự" in suggestion.text and "HY-0001" in suggestion.text
    assert "👍 Ủng hộ HY-0001" in suggestion.buttons and suggestion.buttons[0].startswith("✅")
    binh.press(suggestion, "Ủng hộ HY-0001")
    assert "ủng hộ câu hỏi <b>HY-0001</b> (1 người ủng hộ)" in binh.last().text
    assert supporter_count(harness, "HY-0001") == 1
    binh.say("/my")  # the draft was dropped: no question of binh's own, the one supported
    assert "👍 <b>HY-0001</b> · đang chờ trả lời (bạn ủng hộ)" in binh.last().text
    with harness.app.sessions() as session:
        assert session.scalars(select(Question.code)).all() == ["HY-0001"]
    suggestion = binh.say(SAME_QUESTION)[-1]
    binh.press(suggestion, "Ủng hộ HY-0001")
    assert "đã ủng hộ câu hỏi HY-0001 rồi" in binh.last().text
    assert supporter_count(harness, "HY-0001") == 1
    an.say(SAME_QUESTION)
    assert "tương tự" not in an.last().text  # one's own question is not offered
    officer = harness.officer("so-ct")
    officer.reply(harness.messages_to("dept-so-ct")[0], "Có, khi doanh thu trên 100 triệu/năm.")
    assert "100 triệu" in binh.last().text and "HY-0001" in binh.last().text
    officer.edit(officer.sent[-1], "Có, khi doanh thu trên 200 triệu/năm.")
    assert "Đính chính" in binh.last().text and "200 triệu" in binh.last().text


def test_questions_in_review_are_offered_to_admins_but_not_to_young_people(reviewing: Harness) -> None:
    an, binh = reviewing.registered_youth("an"), reviewing.registered_youth("binh")
    reviewing.ask(an, QUESTION)
    suggestion = binh.say(SAME_QUESTION)[-1]
    assert "tương tự" not in suggestion.text  # nobody but the Youth Union has seen HY-0001 yet
    binh.press(suggestion, "Đúng")
    card = reviewing.messages_to(COORDINATOR_CHAT)[-1]
    assert "HY-0002" in card.text and "Gộp vào HY-0001" in card.buttons[-1]
    coordinator(reviewing).press(card, "Gộp vào HY-0001")
    assert stored(reviewing, "HY-0002").status == QuestionStatus.MERGED
    reviewing.admin().say("/approve HY-0001")
    assert "HY-0001" in reviewing.messages_to("dept-so-ct")[-1].text
    suggestion = reviewing.registered_youth("chi").say(SAME_QUESTION)[-1]
    assert "Ủng hộ HY-0001" in suggestion.buttons[-1]


def test_unrelated_questions_are_not_offered(harness: Harness) -> None:
    an, binh = harness.registered_youth("an"), harness.registered_youth("binh")
    harness.ask(an, QUESTION)
    suggestion = binh.say(OTHER_QUESTION)[-1]
    assert "tương tự" not in suggestion.text and not any("Ủng hộ" in b for b in suggestion.buttons)
    assert harness.messages_to(COORDINATOR_CHAT) == []


def test_merging_a_duplicate_tells_everyone_and_delivers_the_answer(harness: Harness) -> None:
    an, binh, chi = (harness.registered_youth(n) for n in ("an", "binh", "chi"))
    harness.ask(an, QUESTION)
    harness.ask(binh, SAME_QUESTION)  # confirmed anyway, without pressing 👍
    card = harness.messages_to(COORDINATOR_CHAT)[-1]
    assert "HY-0002" in card.text and "Có thể trùng với" in card.text and "HY-0001" in card.text
    chi.press(chi.say(SAME_QUESTION)[-1], "Ủng hộ HY-0002")  # chi backs the duplicate
    staff = coordinator(harness)
    staff.press(card, "Gộp vào HY-0001")
    assert "Đã gộp HY-0002 vào HY-0001" in staff.last().text
    assert "trùng ý với câu hỏi <b>HY-0001</b>" in binh.last().text
    assert "HY-0002 đã được gộp vào HY-0001" in harness.messages_to("dept-so-ct")[-1].text
    merged = stored(harness, "HY-0002")
    assert merged.status == QuestionStatus.MERGED and merged.merged_into_id == stored(harness, "HY-0001").id
    assert supporter_count(harness, "HY-0001") == 2 and supporter_count(harness, "HY-0002") == 0
    officer = harness.officer("so-ct")
    officer.reply(harness.messages_to("dept-so-ct")[1], "Trả lời muộn cho câu đã gộp")
    assert "không còn hiệu lực" in officer.last().text
    officer.reply(harness.messages_to("dept-so-ct")[0], "Có, phải nộp thuế.")
    for person in (an, binh, chi):
        assert "Có, phải nộp thuế." in person.last().text and "HY-0001" in person.last().text
    staff.press(card, "Gộp vào HY-0001")
    assert "đã đóng" in staff.last().text


def test_supporters_learn_when_the_question_they_follow_moves_or_is_rejected(harness: Harness) -> None:
    an, binh = harness.registered_youth("an"), harness.registered_youth("binh")
    harness.ask(an, QUESTION)
    binh.press(binh.say(SAME_QUESTION)[-1], "Ủng hộ HY-0001")
    harness.officer("so-ct").say("/reassign HY-0001 so-khdt")
    assert "HY-0001</b> đã được chuyển tới Sở Kế hoạch và Đầu tư" in binh.last().text
    officer = harness.officer("so-khdt")
    officer.say("/reject HY-0001 Thuộc thẩm quyền Cục Thuế")
    for person in (an, binh):
        assert "HY-0001</b> không được tiếp nhận. Lý do: Thuộc thẩm quyền Cục Thuế" in person.last().text


def test_merging_a_question_that_has_duplicates_moves_them_along(harness: Harness) -> None:
    an, binh, chi = (harness.registered_youth(n) for n in ("an", "binh", "chi"))
    harness.ask(an, QUESTION)
    harness.ask(binh, OTHER_QUESTION)
    harness.ask(chi, "Tỉnh có lớp đào tạo kỹ năng số cho thanh niên nông thôn miễn phí không?")
    admin = harness.admin()
    admin.say("/merge HY-0003 HY-0002")
    admin.say("/merge HY-0002 HY-0001")  # an admin decides the two topics are one after all
    first = stored(harness, "HY-0001")
    assert stored(harness, "HY-0003").merged_into_id == first.id == stored(harness, "HY-0002").merged_into_id
    with harness.app.sessions() as session:
        supports = session.scalars(select(QuestionSupport).order_by(QuestionSupport.id)).all()
        merged_codes = {session.get_one(Question, s.merged_question_id).code for s in supports}
        assert {s.question_id for s in supports} == {first.id} and merged_codes == {"HY-0002", "HY-0003"}
    harness.officer("so-ct").reply(harness.messages_to("dept-so-ct")[0], "Câu trả lời chung.")
    assert all("Câu trả lời chung." in p.last().text for p in (an, binh, chi))


def test_typed_merge_and_its_refusals(harness: Harness) -> None:
    an, binh = harness.registered_youth("an"), harness.registered_youth("binh")
    harness.ask(an, QUESTION)
    harness.ask(binh, OTHER_QUESTION)
    harness.ask(binh, "Kho học liệu số của tỉnh có cho học sinh dùng miễn phí không?")
    admin = harness.admin()
    admin.say("/merge HY-0001 HY-0001")
    assert "vào chính nó" in admin.last().text
    admin.say("/decline HY-0002 Không rõ nội dung")
    admin.say("/merge HY-0001 HY-0002")
    assert "Không thể gộp vào HY-0002" in admin.last().text
    admin.say("/merge HY-0001 HY-0999")
    assert "Không có câu hỏi HY-0999" in admin.last().text
    admin.say("/merge HY-0001")
    assert "Cách dùng" in admin.last().text
    card = next(m for m in harness.messages_to("dept-so-gddt") if "HY-0003" in m.text)
    harness.officer("so-gddt").reply(card, "Có, học sinh dùng miễn phí.")
    admin.say("/merge HY-0001 HY-0003")  # into an answered question: its answer goes out at once
    assert "Có, học sinh dùng miễn phí." in an.last().text
    admin.say("/merge HY-0001 HY-0003")
    assert "đã đóng" in admin.last().text


# --- who may curate -------------------------------------------------------------------------

CURATION = ("/review", "/approve", "/clarify", "/decline", "/merge", "/suggest", "/pick", "/unpick", "/move",
            "/agenda", "/live")


@pytest.mark.parametrize("command", CURATION)
def test_non_admins_are_refused(harness: Harness, command: str) -> None:
    an = harness.registered_youth()
    harness.ask(an, QUESTION)
    an.say(f"{command} HY-0001 tóm tắt")
    texts = harness.app.services.texts
    assert an.last().text == texts.render("vi", "staff_only")
    officer = harness.officer("so-ct")
    officer.say(f"{command} HY-0001 tóm tắt")
    assert officer.last().text == texts.render("vi", "not_admin")
    question = stored(harness, "HY-0001")
    assert question.status == QuestionStatus.FORWARDED and question.event_rank is None and not question.answers


def test_non_admins_cannot_press_review_buttons(reviewing: Harness) -> None:
    an = reviewing.registered_youth()
    reviewing.ask(an, QUESTION)
    card = reviewing.messages_to(COORDINATOR_CHAT)[-1]
    intruder = reviewing.officer("so-ct")
    for label in ("Duyệt", "Sửa cho rõ", "Từ chối"):
        intruder.press(card, label)
        assert intruder.last().text == reviewing.app.services.texts.render("vi", "not_admin")
    assert stored(reviewing, "HY-0001").status == QuestionStatus.IN_REVIEW


def test_a_separate_review_chat(example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    review = ChatRef("console", "review")
    settings = replace(example_settings, curation=replace(example_settings.curation, approval_required=True,
                                                          review_chat=review))
    harness = Harness(settings, database_url, clock)
    try:
        an = harness.registered_youth()
        harness.ask(an, QUESTION)
        assert harness.messages_to(COORDINATOR_CHAT) == []
        card = harness.messages_to("review")[-1]
        Participant(harness, "youth-union-staff", "review", ChatKind.GROUP).press(card, "Duyệt")
        assert stored(harness, "HY-0001").status == QuestionStatus.FORWARDED
    finally:
        harness.dispose()


@pytest.mark.parametrize(("table", "error"), [
    ({"duplicate_threshold": 1.5}, "curation.duplicate_threshold: must be at most 1 (a similarity from 0 to 1)"),
    ({"duplicate_threshold": 0}, "curation.duplicate_threshold: must be a positive number, not 0"),
    ({"duplicate_threshold": True}, "curation.duplicate_threshold: must be a positive number"),
    ({"approval_required": "yes"}, "curation.approval_required: must be true or false"),
    ({"review_chat": "coordinator"}, "curation.review_chat:"),
    ({"agenda_size": 0}, "curation.agenda_size: must be positive"),
])
def test_curation_settings_are_validated(table: dict[str, object], error: str) -> None:
    data = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["curation"] = table
    with pytest.raises(ConfigError, match=re.escape(error)):
        parse_settings(data)


def test_curation_settings_are_read() -> None:
    data = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["curation"] = {"approval_required": True, "review_chat": "telegram:-1001", "duplicate_threshold": 0.75}
    settings = parse_settings(data).curation
    assert settings.approval_required and settings.review_chat == ChatRef("telegram", "-1001")
    assert settings.duplicate_threshold == 0.75 and settings.agenda_size == 15
