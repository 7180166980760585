"""Failed deliveries reach the coordinator, and admins can see the queue and resend."""

from __future__ import annotations

from bot.transport import PermanentFailure
from core.messages import ChatKind
from tests.harness import Harness, Participant

QUESTION = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"


def coordinator(harness: Harness) -> Participant:
    return Participant(harness, "staff-nv", "coordinator", ChatKind.GROUP)


def test_a_refused_answer_is_reported_then_resent(harness: Harness) -> None:
    an = harness.registered_youth()
    harness.ask(an, QUESTION)
    card = harness.messages_to("dept-so-ct")[-1]
    harness.transport.failures.append(PermanentFailure("forbidden: bot was blocked by the user"))
    harness.officer("so-ct").reply(card, "Có, phải nộp thuế.")
    report = harness.messages_to("coordinator")[-1]
    assert "tới người hỏi HY-0001" in report.text and "blocked by the user" in report.text
    assert "an" not in report.text.split(":")[0]  # the asker stays anonymous here too

    admin = harness.admin()
    admin.say("/failed")
    assert "người hỏi HY-0001" in admin.last().text
    row_id = report.text.split("#")[1].split(" ")[0]
    admin.say("/queue")
    assert "kênh thử nghiệm · gửi lỗi: 1" in admin.last().text
    admin.say(f"/resend {row_id}")
    assert "Có, phải nộp thuế." in an.last().text
    admin.say("/failed")
    assert "Không có tin nhắn nào gửi lỗi" in admin.last().text
    admin.say(f"/resend {row_id}")
    assert f"Không có tin nhắn gửi lỗi #{row_id}" in admin.last().text


def test_a_department_chat_the_bot_left_is_named_in_the_report(harness: Harness) -> None:
    an = harness.registered_youth()
    harness.transport.refusing["dept-so-ct"] = PermanentFailure("forbidden: bot was kicked from the group chat")
    harness.ask(an, QUESTION)
    assert "tới Sở Công Thương: forbidden: bot was kicked" in harness.messages_to("coordinator")[-1].text
    assert "HY-0001" in an.last().text, "the receipt still reached the young person"


def test_coordinator_chat_members_may_look_but_officers_may_not(harness: Harness) -> None:
    staff = coordinator(harness)
    staff.say("/queue")
    assert "Hàng đợi gửi tin" in staff.last().text
    officer = harness.officer("so-ct")
    officer.say("/failed")
    assert "Chỉ quản trị viên" in officer.last().text
    staff.say("/resend")
    assert "Cách dùng: /queue" in staff.last().text
