"""Departments are told what became of each answer: delivered, not deliverable and why, or still
queued; once per answer, gathered so that a burst of answers never holds back a new card, and
never with a young person's platform id."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.transport import PermanentFailure, TemporaryFailure
from core.clock import FakeClock
from core.config import Settings
from core.messages import ChatKind, Incoming
from storage.models import OutboxStatus
from tests import test_zalo_oa as oa
from tests.harness import Harness, Participant
from tests.test_telegram import LAN, OFFICER, SO_CT, Deployment, ask, register, run

QUESTION = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"
SENT = "Đã gửi câu trả lời"


def test_telegram_an_answer_to_someone_who_blocked_the_bot_is_not_reported_sent(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await register(d, LAN)
        await ask(d, LAN)
        card = d.fake.last_bot_message(SO_CT)
        d.fake.block_user(LAN)
        d.fake.user_sends(OFFICER, chat_id=SO_CT, text="Có, em cần kê khai thuế.", reply_to=card["message_id"])
        await d.step()
        group = d.texts_in(SO_CT)
        assert not any(SENT in text for text in group)
        assert sum("HY-0001" in text and "chặn bot" in text for text in group) == 1
    run(example_settings, database_url, clock, scenario)


def test_telegram_delivered_is_told_once_the_answer_reached_the_asker(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        await register(d, LAN)
        await ask(d, LAN)
        card = d.fake.last_bot_message(SO_CT)
        d.fake.user_sends(OFFICER, chat_id=SO_CT, text="Có, em cần kê khai thuế.", reply_to=card["message_id"])
        await d.step()
        answer = d.fake.bot_messages(LAN)[-1]
        told = [m for m in d.fake.bot_messages(SO_CT) if SENT in m.get("text", "")]
        assert "kê khai thuế" in answer["text"]
        assert len(told) == 1 and "HY-0001" in told[0]["text"] and told[0]["date"] >= answer["date"]
    run(example_settings, database_url, clock, scenario)


def test_an_answer_to_a_follow_up_of_someone_who_erased_their_data_is_not_reported_sent(
        harness: Harness) -> None:
    an = harness.registered_youth()
    harness.ask(an, QUESTION)
    officer = harness.officer("so-ct")
    officer.reply(harness.messages_to("dept-so-ct")[-1], "Có, phải nộp thuế.")
    an.reply(an.last(), "Vậy mức thuế là bao nhiêu ạ?")
    followup = harness.messages_to("dept-so-ct")[-1]
    an.press(an.say("/forget")[-1], "Xoá dữ liệu của tôi")
    told = officer.reply(followup, "1,5% doanh thu.")
    texts = [m.text for m in told if m.message.chat.chat_id == "dept-so-ct"]
    assert not any(SENT in text for text in texts)
    assert any("HY-0001" in text and "xoá dữ liệu" in text for text in texts)


def test_an_answer_that_waits_is_told_queued_then_delivered(harness: Harness, clock: FakeClock) -> None:
    an = harness.registered_youth()
    harness.ask(an, QUESTION)
    harness.transport.failures.append(TemporaryFailure("network is down"))
    told = harness.officer("so-ct").reply(harness.messages_to("dept-so-ct")[-1], "Có, phải nộp thuế.")
    assert not any(SENT in m.text for m in told), "only queued yet"
    clock.advance(61)
    harness.flush()
    group = [m.text for m in harness.messages_to("dept-so-ct")]
    assert "đang chờ gửi" in group[-2] and SENT in group[-1] and "HY-0001" in group[-1]
    assert "phải nộp thuế" in an.last().text


def test_a_burst_of_answers_is_told_in_one_message_after_the_new_card(harness: Harness) -> None:
    askers = [harness.registered_youth(f"y{n}") for n in range(12)]
    for person in askers:
        harness.ask(person, QUESTION)
    cards = {m.text[3:10]: m for m in harness.messages_to("dept-so-ct") if m.text.startswith("<b>HY-")}
    assert len(cards) == 12
    latecomer = harness.registered_youth("late")
    suggestion = latecomer.say("Em muốn hỏi về thuế khi bán hàng trên Shopee ạ?")[-1]
    before = len(harness.messages_to("dept-so-ct"))
    processor = harness.app.processor
    for n, card in enumerate(cards.values()):  # officers answer all together, the latecomer confirms meanwhile
        processor.record(f"burst-{n}", Incoming(platform="console", chat_id="dept-so-ct", chat_kind=ChatKind.GROUP,
                                                user_id="officer", user_name="officer", message_id=f"a{n}",
                                                text=f"Trả lời {n}.", reply_to_message_id=card.message_id))
        if n == 3:
            button = next(b for b in suggestion.message.choices if "Đúng" in b.label)
            processor.record("burst-late", Incoming(platform="console", chat_id=latecomer.chat_id,
                                                    chat_kind=ChatKind.PRIVATE, user_id="late", user_name="late",
                                                    message_id="late-1", button_data=button.data))
    processor.process_all()
    harness.flush()
    after = [m.text for m in harness.messages_to("dept-so-ct")[before:]]
    assert after[0].startswith("<b>HY-0013"), "the new card goes first"
    assert len(after) == 2 and all(code in after[1] for code in cards), "one message tells every answer"


def test_a_failed_message_not_linked_to_a_question_never_shows_the_platform_id(harness: Harness) -> None:
    an = harness.registered_youth()
    harness.transport.refusing[an.chat_id] = PermanentFailure("forbidden: bot was blocked by the user", "blocked")
    an.say("/help")
    staff = Participant(harness, "staff-nv", "coordinator", ChatKind.GROUP)
    report = harness.messages_to("coordinator")[-1].text
    assert "một người hỏi" in report and an.chat_id not in report
    admin = harness.admin()
    admin.say("/failed")
    assert "một người hỏi" in admin.last().text and an.chat_id not in admin.last().text
    staff.say("/failed")
    assert an.chat_id not in staff.last().text


LONG = "Có. " + "Em cần kê khai thuế khoán theo quy định của cơ quan thuế nơi cư trú. " * 40


def test_zalo_oa_held_long_answers_are_told_once_each_with_the_true_reason(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: oa.Deployment) -> None:
        await oa.ask(d)
        await d.says("Em mở gian hàng bán mỹ phẩm trên sàn thương mại điện tử Lazada thì cần giấy phép gì ạ?")
        await d.says("1")
        assert (await asyncio.to_thread(d.oa.unfollow, oa.HOA)).status_code == 200
        cards = [m for m in d.telegram.bot_messages(oa.SO_CT) if m["text"].startswith("HY-000")]
        assert len(cards) == 2
        before, reports_before = len(d.telegram.bot_messages(oa.SO_CT)), len(d.telegram.bot_messages(oa.COORDINATOR))
        for card in cards:
            d.telegram.user_sends(oa.OFFICER, chat_id=oa.SO_CT, text=LONG, reply_to=card["message_id"])
        await d.step()
        group = [m["text"] for m in d.telegram.bot_messages(oa.SO_CT)[before:]]
        reports = [m["text"] for m in d.telegram.bot_messages(oa.COORDINATOR)[reports_before:]]
        assert len(d.rows(OutboxStatus.FAILED)) == 2 * len(cards), "every part is held"
        assert not any(SENT in text for text in group)
        held = [text for text in group if "chưa gửi được" in text]
        assert all(" ".join(held).count(card["text"][:7]) == 1 for card in cards), "one notice per answer"
        assert "bỏ quan tâm" in " ".join(held) and "7 ngày" not in " ".join(held)
        assert len(reports) == len(cards) and not any(oa.HOA in text for text in reports)
        assert (await asyncio.to_thread(d.oa.follow, oa.HOA)).status_code == 200
        await d.says("/my")  # following again sends nothing; what was held goes out when she writes
        assert sum("kê khai thuế khoán" in text for text in d.texts()) == 2 * len(cards), "all parts went out"

        clock.advance(timedelta(days=8))  # now Zalo refuses for the 7 days since Hoa's last message
        answer = next(m for m in d.telegram.messages(oa.SO_CT) if m.get("text") == LONG)
        d.telegram.user_edits(oa.OFFICER, oa.SO_CT, answer["message_id"], "Có, khi doanh thu trên 100 triệu/năm.")
        await d.step()
        last = d.telegram.bot_messages(oa.SO_CT)[-1]["text"]
        assert "chưa gửi được" in last and "quá 7 ngày" in last and "bỏ quan tâm" not in last
    oa.run(example_settings, database_url, clock, scenario)


def test_telegram_a_burst_of_answers_never_holds_back_a_new_card(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    askers = list(range(601, 611))

    async def scenario(d: Deployment) -> None:
        for user in [*askers, 611]:
            d.fake.add_user(user, f"Bạn {user}")
            await register(d, user)
        for n, user in enumerate(askers):
            await ask(d, user, f"{QUESTION} (câu {n})")
        cards = [m for m in d.fake.bot_messages(SO_CT) if m["text"].startswith("HY-")]
        d.fake.user_sends(611, text="Em muốn hỏi về thuế khi bán hàng trên Shopee ạ?")
        await d.step()
        before = len(d.fake.bot_messages(SO_CT))
        for card in cards:
            d.fake.user_sends(OFFICER, chat_id=SO_CT, text="Có, em cần kê khai thuế.", reply_to=card["message_id"])
        d.fake.user_presses(611, 611, d.fake.last_bot_message(611)["message_id"], 0)  # confirms meanwhile
        for _ in range(3):  # the group's 20 a minute: ten cards went out in the last minute
            await d.step()
        after = d.texts_in(SO_CT)[before:]
        assert len(cards) == 10 and after[0].startswith("HY-0011"), "the new card goes first"
        told = [text for text in after if SENT in text]
        assert len(told) <= 2 and all(card["text"][:7] in " ".join(told) for card in cards)
    run(example_settings, database_url, clock, scenario)
