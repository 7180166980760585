"""Reminders as rows, swept on a fake clock through whole campaigns, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.channels.console import COORDINATOR_CHAT
from scheduler.sweep import ReminderScheduler
from storage.models import Question, Reminder, ReminderStatus
from tests.harness import Delivered, Harness, Participant

QUESTION = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"
DEPT = "dept-so-ct"


def at_local(harness: Harness, *args: int) -> datetime:
    return datetime(*args, tzinfo=harness.settings.timezone)


def scheduler(harness: Harness, worker: str = "test") -> ReminderScheduler:
    app = harness.app
    return ReminderScheduler(app.sessions, app.services, harness.clock, worker)


def run_until(harness: Harness, until: datetime, step: timedelta = timedelta(hours=1)) -> None:
    """What a running process does: wake every `step`, plan, sweep, send."""
    ticker = scheduler(harness)
    while harness.clock.now() < until:
        harness.clock.advance(min(step, until - harness.clock.now()))
        ticker.tick()
        harness.flush()


def texts(harness: Harness, chat_id: str, contains: str) -> list[Delivered]:
    return [m for m in harness.messages_to(chat_id) if contains in m.text]


@pytest.fixture
def asked(harness: Harness) -> tuple[Participant, Delivered]:
    an = harness.registered_youth()
    harness.ask(an, QUESTION)
    return an, harness.messages_to(DEPT)[-1]


def question(harness: Harness) -> Question:
    with harness.app.sessions() as session:
        found = session.scalars(select(Question)).one()
        _ = found.events
        return found


def test_unanswered_question_is_nudged_then_escalated(harness: Harness, asked: tuple[Participant, Delivered]) -> None:
    an, card = asked
    harness.clock.advance(at_local(harness, 2023, 3, 2, 6) - harness.clock.now())
    run_until(harness, at_local(harness, 2023, 3, 11, 12))

    nudges = texts(harness, DEPT, "chưa trả lời")
    # 3 days before (Fri 03/03 08:00); "1 day before" is a Sunday, so Monday 07:00 shares the day's nudge.
    assert len(nudges) == 2
    assert all("HY-0001" in n.text and n.message.reply_to_message_id == card.message_id for n in nudges)
    alerts = texts(harness, COORDINATOR_CHAT, "quá hạn trả lời")
    assert len(alerts) == 1 and "HY-0001" in alerts[0].text
    assert len(texts(harness, COORDINATOR_CHAT, "quá hạn hơn 3 ngày")) == 1
    assert len(texts(harness, an.chat_id, "đang chậm")) == 1
    digests = texts(harness, COORDINATOR_CHAT, "Tình hình trả lời")
    assert len(digests) == 7  # working days 02/03 .. 10/03 (not the weekend 04-05/03)
    assert "Sở Công Thương" in digests[-1].text and "quá hạn 1" in digests[-1].text
    stored = question(harness)
    assert stored.overdue_at is not None and stored.very_overdue_at is not None
    assert [e.kind for e in stored.events][-2:] == ["overdue", "very_overdue"]


def test_nothing_is_said_about_an_answered_question(harness: Harness, asked: tuple[Participant, Delivered]) -> None:
    an, card = asked
    harness.officer("so-ct").reply(card, "Có, em cần kê khai thuế.")
    harness.clock.advance(at_local(harness, 2023, 3, 2, 6) - harness.clock.now())
    run_until(harness, at_local(harness, 2023, 3, 10, 12))
    assert texts(harness, DEPT, "chưa trả lời") == []
    assert texts(harness, COORDINATOR_CHAT, "quá hạn") == []
    assert texts(harness, an.chat_id, "đang chậm") == []


def test_planning_twice_creates_each_reminder_once(harness: Harness, asked: tuple[Participant, Delivered]) -> None:
    with harness.app.sessions() as session:
        planned_at_forwarding = set(session.scalars(select(Reminder.dedupe_key)))
    assert {key.split(":")[0] for key in planned_at_forwarding} == {"nudge", "overdue", "very_overdue"}
    first, second = scheduler(harness, "a"), scheduler(harness, "b")
    created = first.plan()
    assert created > 0 and second.plan() == 0 and first.plan() == 0
    with harness.app.sessions() as session:
        keys = session.scalars(select(Reminder.dedupe_key)).all()
    assert len(keys) == len(set(keys)) == len(planned_at_forwarding) + created


def test_a_process_back_from_downtime_skips_stale_nudges_but_escalates(
        harness: Harness, asked: tuple[Participant, Delivered]) -> None:
    an, _ = asked
    ticker = scheduler(harness)
    harness.clock.advance(at_local(harness, 2023, 3, 1, 9) - harness.clock.now())
    ticker.tick()
    harness.clock.advance(at_local(harness, 2023, 3, 8, 10) - harness.clock.now())  # down for a week
    result = ticker.tick()
    harness.flush()
    assert texts(harness, DEPT, "chưa trả lời") == []
    assert len(texts(harness, COORDINATOR_CHAT, "quá hạn trả lời")) == 1
    assert len(texts(harness, an.chat_id, "đang chậm")) == 1
    assert result.skipped >= 1 and ticker.tick().sent == 0


def test_two_schedulers_never_send_a_reminder_twice(harness: Harness) -> None:
    people = [harness.registered_youth(f"y{i}") for i in range(6)]
    for person in people:
        harness.ask(person, QUESTION)
    harness.clock.advance(at_local(harness, 2023, 3, 8, 9) - harness.clock.now())
    workers = [scheduler(harness, f"w{i}") for i in range(2)]
    workers[0].plan()
    barrier = threading.Barrier(2)
    results = []

    def work(worker: ReminderScheduler) -> None:
        barrier.wait()
        results.append(worker.sweep())

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    harness.flush()
    assert sum(r.sent for r in results) == 7  # six overdue alerts and the day's digest
    assert len(texts(harness, COORDINATOR_CHAT, "quá hạn trả lời")) == 6
    for person in people:
        assert len(texts(harness, person.chat_id, "đang chậm")) == 1
    with harness.app.sessions() as session:
        claimed = session.scalars(select(Reminder.claimed_by).where(Reminder.status == ReminderStatus.SENT)).all()
    assert set(claimed) <= {"w0", "w1"}


def test_asker_is_asked_whether_the_answer_helped_and_reminded_of_the_event(
        harness: Harness, asked: tuple[Participant, Delivered]) -> None:
    an, card = asked
    harness.officer("so-ct").reply(card, "Có, em cần kê khai thuế.")
    run_until(harness, harness.clock.now() + timedelta(days=3, hours=1), step=timedelta(hours=1))
    ask = texts(harness, an.chat_id, "có hữu ích")
    assert len(ask) == 1
    an.press(ask[0], "Có")
    assert question(harness).useful is True
    assert "Cảm ơn" in an.last().text

    harness.clock.advance(at_local(harness, 2023, 3, 26, 12) - harness.clock.now())
    run_until(harness, at_local(harness, 2023, 3, 28, 9), step=timedelta(hours=1))
    tomorrow, today = texts(harness, an.chat_id, "ngày mai"), texts(harness, an.chat_id, "Hôm nay diễn ra")
    assert len(tomorrow) == 1 and len(today) == 1
    assert "08:00 28/03/2023" in today[0].text and "Trung tâm Hội nghị tỉnh" in today[0].text


def test_admins_list_pause_resume_and_send_now(harness: Harness, asked: tuple[Participant, Delivered]) -> None:
    admin = harness.admin()
    ticker = scheduler(harness)
    ticker.plan()
    listing = admin.say("/reminders")[-1].text
    assert "nhắc sở trả lời" in listing and "báo quá hạn" in listing and "Sở Công Thương" in listing
    assert "Đã tạm dừng" in admin.say("/pause_reminders")[-1].text
    harness.clock.advance(at_local(harness, 2023, 3, 3, 8, 30) - harness.clock.now())
    assert ticker.tick().sent == 0
    with harness.app.sessions() as session:
        nudge_id = session.scalars(select(Reminder.id).where(Reminder.kind == "nudge")
                                   .order_by(Reminder.due_at)).first()
        assert session.scalar(select(func.count()).where(Reminder.status == ReminderStatus.PENDING)) == 0
    assert "Đã gửi" in admin.say(f"/send_now {nudge_id}")[-1].text
    assert len(texts(harness, DEPT, "chưa trả lời")) == 1
    assert "Không có lời nhắc" in admin.say(f"/send_now {nudge_id}")[-1].text
    assert "Đã tiếp tục" in admin.say("/resume_reminders")[-1].text
    youth = harness.registered_youth("other")
    assert youth.say("/pause_reminders")[-1].text == harness.app.services.texts.render("vi", "staff_only")



def test_a_reminder_that_fails_is_set_aside_listed_and_can_be_retried(harness: Harness) -> None:
    with harness.app.sessions.begin() as session:
        session.add(Reminder(kind="retired-kind", dedupe_key="broken", due_at=harness.clock.now(),
                             status=ReminderStatus.PENDING, created_at=harness.clock.now()))
    assert scheduler(harness).tick().failed == 1
    admin = harness.admin()
    listing = admin.say("/reminders")[-1].text
    assert "retired-kind" in listing and "lỗi: KeyError" in listing
    assert "vẫn không tạo được tin nhắn: KeyError" in admin.say("/send_now 1")[-1].text
    assert "retired-kind" in admin.say("/reminders")[-1].text


def test_nudges_show_each_question_deadline_and_what_is_left(harness: Harness,
                                                             asked: tuple[Participant, Delivered]) -> None:
    """Issue 13: officers see in each nudge when each question is due and how much time is left or lost."""
    harness.clock.advance(at_local(harness, 2023, 3, 2, 6) - harness.clock.now())
    run_until(harness, at_local(harness, 2023, 3, 8, 9))
    harness.ask(harness.registered_youth("binh"), "Bán hàng online trên sàn TMĐT thì cần đăng ký kinh doanh không ạ?",
                "Thương mại điện tử")
    run_until(harness, at_local(harness, 2023, 3, 10, 12))

    first = "HY-0001</b> · hạn 23:59 06/03/2023, "
    nudges = [n.text for n in texts(harness, DEPT, "chưa trả lời")]
    assert f"{first}còn 1 ngày làm việc" in nudges[0]  # Friday 03/03: Monday is left
    assert f"{first}hết hạn hôm nay" in nudges[1]  # Monday 06/03, the deadline's day
    later = next(n for n in nudges if "HY-0002" in n)  # Friday 10/03, three days before the second's deadline
    assert f"{first}quá hạn 4 ngày" in later
    assert "HY-0002</b> · hạn 23:59 13/03/2023, còn 1 ngày làm việc" in later
