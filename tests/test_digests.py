"""A burst of questions for one department goes as one digest; each question stays answerable."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.transport import RateLimits
from tests.harness import Harness, Participant

QUESTIONS = (
    "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?",
    "Làm sao để đưa nông sản của xã em lên sàn thương mại điện tử?",
    "Shop online nhỏ có cần đăng ký hộ kinh doanh không ạ?",
    "Tỉnh có hỗ trợ phí gian hàng trên Tiki, Lazada cho thanh niên không?",
)
GROUP = "dept-so-ct"


@pytest.fixture
def burst(harness: Harness) -> list[Participant]:
    """Four young people ask Sở Công Thương in a burst; its group takes one message per 3 s."""
    harness.transport.limits = RateLimits(per_second=float("inf"), private_interval=0.0, group_interval=3.0)
    harness.sender = harness.app.sender(harness.transport)
    people = [harness.registered_youth(f"y{i}") for i in range(len(QUESTIONS))]
    for person, question in zip(people, QUESTIONS, strict=True):
        harness.ask(person, question, "Thương mại")
    return people


def test_waiting_cards_go_as_one_digest(harness: Harness, burst: list[Participant]) -> None:
    cards = harness.messages_to(GROUP)
    assert len(cards) == 1 and "HY-0001" in cards[0].text  # the group's budget allowed one
    assert harness.digests.tick() == 1
    harness.clock.advance(timedelta(seconds=3))
    harness.flush()
    [_, digest] = harness.messages_to(GROUP)
    assert "3 câu hỏi mới" in digest.text
    assert all(code in digest.text for code in ("HY-0002", "HY-0003", "HY-0004"))
    assert all(question in digest.text for question in QUESTIONS[1:])
    assert harness.digests.tick() == 0


def test_a_reply_to_the_digest_answers_the_question_it_names(harness: Harness, burst: list[Participant]) -> None:
    harness.digests.tick()
    harness.clock.advance(timedelta(seconds=3))
    harness.flush()
    digest = harness.messages_to(GROUP)[-1]
    officer = harness.officer("so-ct")
    officer.reply(digest, "HY-0003 Có, em cần đăng ký hộ kinh doanh khi doanh thu trên 100 triệu.")
    assert "Có, em cần đăng ký hộ kinh doanh" in burst[2].last().text
    assert not any("đăng ký hộ kinh doanh khi" in d.text for d in burst[1].inbox())


def test_a_reply_to_the_digest_without_a_code_is_asked_for_one(harness: Harness, burst: list[Participant]) -> None:
    harness.digests.tick()
    harness.clock.advance(timedelta(seconds=3))
    harness.flush()
    digest = harness.messages_to(GROUP)[-1]
    harness.officer("so-ct").reply(digest, "Có ạ, em cứ làm theo hướng dẫn.")
    harness.clock.advance(timedelta(seconds=3))
    harness.flush()
    assert "bắt đầu câu trả lời bằng mã câu hỏi" in harness.messages_to(GROUP)[-1].text
    assert all("Có ạ" not in d.text for person in burst for d in person.inbox())


def test_no_digest_while_the_group_keeps_up(harness: Harness) -> None:
    person = harness.registered_youth("an")
    harness.ask(person, QUESTIONS[0], "Thương mại")
    assert harness.digests.tick() == 0
    assert len(harness.messages_to(GROUP)) == 1
