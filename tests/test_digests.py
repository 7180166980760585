"""A burst of questions for one department goes as one digest; each question stays answerable."""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest

from bot.transport import RateLimits
from core.textsplit import utf16_length
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
    harness.sender = harness.app.sender(harness.transport)  # its digest pass keeps the group's 3 s
    people = [harness.registered_youth(f"y{i}") for i in range(len(QUESTIONS))]
    for person, question in zip(people, QUESTIONS, strict=True):
        harness.ask(person, question, "Thương mại")
    return people


def at_the_next_slot(harness: Harness) -> int:
    """The group's next slot comes (3 s after its last message): the sender packs a digest and sends it;
    returns how many messages the group got."""
    before = len(harness.messages_to(GROUP))
    harness.clock.advance(timedelta(seconds=3))
    harness.flush()
    return len(harness.messages_to(GROUP)) - before


def before_the_slot(harness: Harness) -> int:
    """The sender runs again before the group's slot: how many messages the group got (none may go)."""
    before = len(harness.messages_to(GROUP))
    harness.clock.advance(timedelta(seconds=1))
    harness.flush()
    return len(harness.messages_to(GROUP)) - before


def test_waiting_cards_go_as_one_digest(harness: Harness, burst: list[Participant]) -> None:
    cards = harness.messages_to(GROUP)
    assert len(cards) == 1 and "HY-0001" in cards[0].text  # the group's budget allowed one
    assert before_the_slot(harness) == 0  # not before the group's next slot: more may come meanwhile
    assert at_the_next_slot(harness) == 1
    [_, digest] = harness.messages_to(GROUP)
    assert "3 câu hỏi mới" in digest.text
    assert all(code in digest.text for code in ("HY-0002", "HY-0003", "HY-0004"))
    assert all(question in digest.text for question in QUESTIONS[1:])
    assert digest.text.count("Trả lời") == 1  # said once in the header, not per entry as on a card
    assert at_the_next_slot(harness) == 0


def test_a_reply_to_the_digest_answers_the_question_it_names(harness: Harness, burst: list[Participant]) -> None:
    at_the_next_slot(harness)
    digest = harness.messages_to(GROUP)[-1]
    officer = harness.officer("so-ct")
    officer.reply(digest, "HY-0003 Có, em cần đăng ký hộ kinh doanh khi doanh thu trên 100 triệu.")
    assert "Có, em cần đăng ký hộ kinh doanh" in burst[2].last().text
    assert not any("đăng ký hộ kinh doanh khi" in d.text for d in burst[1].inbox())


def test_a_reply_to_the_digest_without_a_code_is_asked_for_one(harness: Harness, burst: list[Participant]) -> None:
    at_the_next_slot(harness)
    digest = harness.messages_to(GROUP)[-1]
    harness.officer("so-ct").reply(digest, "Có ạ, em cứ làm theo hướng dẫn.")
    harness.clock.advance(timedelta(seconds=3))
    harness.flush()
    assert "bắt đầu câu trả lời bằng mã câu hỏi" in harness.messages_to(GROUP)[-1].text
    assert all("Có ạ" not in d.text for person in burst for d in person.inbox())


def test_no_digest_while_the_group_keeps_up(harness: Harness) -> None:
    person = harness.registered_youth("an")
    harness.ask(person, QUESTIONS[0], "Thương mại")
    assert at_the_next_slot(harness) == 0
    assert len(harness.messages_to(GROUP)) == 1


VOCABULARY = ("nông sản hợp tác xã thương mại điện tử gian hàng livestream vận chuyển đóng gói nhãn mác "
              "truy xuất nguồn gốc thuế khoán hóa đơn chứng từ ngân hàng vốn vay ưu đãi khởi nghiệp đào tạo "
              "kỹ năng bán hàng quảng cáo mạng xã hội thanh toán ví điện tử bảo hành đổi trả khiếu nại "
              "giấy phép hộ kinh doanh doanh thu chi phí kho bãi nhà xưởng máy móc giống cây trồng vật nuôi "
              "hội chợ triển lãm xuất khẩu chứng nhận an toàn thực phẩm bao bì thương hiệu sàn giao dịch").split()


def distinct_question(n: int) -> str:
    """About 200 characters, unlike every other (random words), so none is offered as a duplicate."""
    words = random.Random(n).sample(VOCABULARY, 40)
    return f"Cho em hỏi câu số {n} về {' '.join(words)}?"[:200]


def test_a_big_burst_goes_in_full_digests_at_the_group_s_slots(harness: Harness) -> None:
    """30 questions: the first card goes at once; the other 29 wait and go in as few messages as fit,
    one per slot of the group's rate, each question in exactly one of them."""
    harness.transport.limits = RateLimits(per_second=float("inf"), private_interval=0.0, group_interval=3.0)
    harness.sender = harness.app.sender(harness.transport)
    for n in range(30):
        harness.ask(harness.registered_youth(f"y{n}"), distinct_question(n), "Thương mại")
    assert len(harness.messages_to(GROUP)) == 1
    slots = 0
    while len(harness.messages_to(GROUP)) == slots + 1 and slots < 10:
        at_the_next_slot(harness)  # exactly one message per slot
        slots += 1
    texts = [m.text for m in harness.messages_to(GROUP)]
    per_digest = int(texts[1].removeprefix("📋 <b>").split(" ")[0])
    assert per_digest > 10
    assert len(texts) == 1 + math.ceil(29 / per_digest)
    note = harness.app.services.texts.render("vi", "possible_repeat")
    assert all(utf16_length(f"{note}\n{text}") <= 4096 for text in texts)  # room to be resent marked
    assert all("↩️" not in text and text.count("Trả lời") == 1 for text in texts[1:-1])
    for n in range(1, 31):
        assert sum(f"HY-{n:04d}" in text for text in texts) == 1


LONG = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ? " + "🙏😊😊😊 ạ " * 400  # > 4096 UTF-16 units


@pytest.mark.parametrize("long_at", [1, 0])
def test_a_card_too_long_for_one_message_counts_once_and_goes_whole(harness: Harness, long_at: int) -> None:
    """A long question's card is several rows: it counts as one question waiting and goes in a digest once
    (1: its rows all withdrawn or all put back); a card whose first part went is not cut by a digest (0)."""
    harness.transport.limits = RateLimits(per_second=float("inf"), private_interval=0.0, group_interval=3.0)
    harness.sender = harness.app.sender(harness.transport)
    texts = list(QUESTIONS[:3])
    texts.insert(long_at, LONG)
    for n, text in enumerate(texts):
        harness.ask(harness.registered_youth(f"y{n}"), text, "Thương mại")
    for _ in range(8):
        at_the_next_slot(harness)
    messages = [m.text for m in harness.messages_to(GROUP)]
    assert "".join(messages).count("🙏😊😊😊") == 400  # the long question once, whole
    assert all("".join(messages).count(f"<b>{code}</b>") == 1 for code in ("HY-0001", "HY-0002", "HY-0003", "HY-0004"))
    assert all(utf16_length(m) <= 4096 for m in messages)
