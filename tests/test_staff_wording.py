"""No internal words (status keys, reminder kinds, platform keys, language codes) in Vietnamese screens.

The catalogue is scanned entry by entry, and the staff screens that assemble labels from data
(/queue, /reminders, the broadcast audience, bans, closed questions) are read through the test
channel, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re

from bot.channels.registry import CHANNELS
from core.texts import CATALOGUE_DIR, load_catalogue, plain_text
from scheduler.sweep import ReminderScheduler
from storage.models import OutboxStatus, ReminderKind, ReminderStatus
from tests.harness import Delivered, Harness

QUESTION = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"
# Values the code stores, never meant to be read: the outbox's and reminders' states, reminder kinds,
# platform keys and language codes. Commands (/pending) are excepted: people type them.
INTERNAL = re.compile(
    r"(?<![/\w])(?:sent|sending|pending|failed|held|cancelled|claimed|paused|skipped|nudge|overdue|very_overdue"
    r"|digest|event_eve|event_morning|useful|console|telegram|zalo|zalo_oa|zalo_bot)(?![\w-])"
    r"|(?<![/\w])(?:VI|EN)(?!\w)")  # lower-case "vi" is Vietnamese ("phạm vi")


def internal_words(text: str) -> list[str]:
    readable = re.sub(r"\{[^}]*\}", "", plain_text(text))  # placeholders are filled in, not read
    return INTERNAL.findall(readable)


def test_no_vietnamese_catalogue_entry_uses_internal_words() -> None:
    found = {key: words for key, text in load_catalogue(CATALOGUE_DIR)["vi"].items() if (words := internal_words(text))}
    assert found == {}


def test_every_stored_state_kind_and_platform_has_a_name_for_staff() -> None:
    keys = load_catalogue(CATALOGUE_DIR)["vi"].keys()
    wanted = ([f"outbox_state_{s}" for s in OutboxStatus] + [f"reminder_state_{s}" for s in ReminderStatus]
              + [f"reminder_kind_{k}" for k in ReminderKind]
              + [f"channel_{channel.name}" for channel in CHANNELS]
              + [f"language_{code}" for code in ("vi", "en")])
    assert [key for key in wanted if key not in keys] == []


def screen(message: Delivered) -> str:
    return "\n".join([message.text, *message.buttons])


def test_staff_screens_read_as_vietnamese(harness: Harness) -> None:
    an = harness.registered_youth()
    harness.ask(an, QUESTION)
    harness.ask(an, "Em muốn hỏi về học bổng cho sinh viên ngành công nghệ thông tin ạ?")
    officer = harness.officer("so-ct")
    card = harness.messages_to("dept-so-ct")[-1]
    officer.reply(card, "Có, em cần kê khai thuế.")  # HY-0001 answered: nothing left to remind about it
    ReminderScheduler(harness.app.sessions, harness.app.services, harness.clock, "test").plan()
    admin = harness.admin()
    screens = {"/queue": admin.say("/queue")[-1], "/reminders": admin.say("/reminders")[-1]}
    admin.say("/broadcast")
    screens["audience"] = admin.say("Thông báo lịch đối thoại trực tuyến tối nay")[-1]
    screens["audience, English chosen"] = admin.press(screens["audience"], "tiếng Anh")[-1]
    screens["/ban"] = admin.say("/ban HY-0002")[-1]
    assert {name: internal_words(screen(m)) for name, m in screens.items()} == dict.fromkeys(screens, [])
    assert "đã gửi" in screens["/queue"].text and "kênh thử nghiệm" in screens["/queue"].text
    assert "Sở Công Thương" not in screens["/reminders"].text  # its only question is answered: no nudge
    reminders = screens["/reminders"].text.splitlines()
    assert [line for line in reminders if "HY-0001" in line and "quá hạn" in line] == []  # answered
    assert [line for line in reminders if "HY-0002" in line and "quá hạn" in line]
    assert "Người dùng tiếng Anh" in screens["audience"].buttons
    assert "người hỏi câu HY-0002" in screens["/ban"].text


def test_a_closed_question_says_it_was_rejected(harness: Harness) -> None:
    an = harness.registered_youth()
    harness.ask(an, QUESTION)
    officer = harness.officer("so-ct")
    card = harness.messages_to("dept-so-ct")[-1]
    officer.reply(officer.press(card, "Không thuộc phạm vi")[-1], "Thuộc Cục Thuế.")
    officer.press(card, "Chuyển sở khác")
    assert officer.last().text.startswith("Câu hỏi HY-0001 đã bị từ chối")
