"""Broadcasts: composing, audiences, subscriptions, blocked people, pausing, corrections, reports."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import build_app
from bot.transport import PermanentFailure
from core.messages import Action, Outgoing
from scheduler.broadcasts import BroadcastPump
from storage.db import transaction
from storage.models import Account, Broadcast, BroadcastStatus, Campaign, OutboxMessage
from tests.harness import Delivered, Harness, Participant
from tests.population import add_subscribers

ANNOUNCEMENT = "Buổi đối thoại diễn ra lúc 8:00 ngày 28/3 tại Hội trường tỉnh."


def compose(harness: Harness, text: str = ANNOUNCEMENT, html: str = "", districts: tuple[str, ...] = ()) -> Delivered:
    """An admin writes a broadcast, picks districts (none: everyone), continues to the preview."""
    admin = harness.admin()
    assert "Soạn thông báo" in admin.say("/broadcast")[-1].text
    menu = admin.say(text, html=html)[-1]
    for district in districts:
        menu = admin.press(menu, district)[-1]
    return admin.press(menu, "Tiếp tục")[-1]


def send(harness: Harness, **options: object) -> Participant:
    admin = harness.admin()
    preview = compose(harness, **options)  # type: ignore[arg-type]
    assert "đang gửi" in admin.press(preview, "Gửi ngay")[-1].text.lower()
    harness.run_broadcasts()
    return admin


def copies(person: Participant, text: str = ANNOUNCEMENT) -> list[Delivered]:
    return [d for d in person.inbox() if text in d.text]


def test_a_broadcast_reaches_each_subscriber_once_and_reports(harness: Harness) -> None:
    people = [harness.registered_youth(name) for name in ("an", "binh", "chi")]
    admin = send(harness)
    assert [len(copies(person)) for person in people] == [1, 1, 1]
    assert len(copies(admin)) == 1  # the preview
    report = admin.last().text
    assert "đã gửi xong" in report and "Đã nhận: 3" in report


def test_audience_by_district_and_the_count_shown_before_sending(harness: Harness) -> None:
    an = harness.registered_youth("an", "Văn Giang")
    binh = harness.registered_youth("binh", "Yên Mỹ")
    admin = harness.admin()
    admin.say("/broadcast")
    menu = admin.say(ANNOUNCEMENT)[-1]
    assert "<b>2</b>" in menu.text
    menu = admin.press(menu, "Văn Giang")[-1]
    assert "<b>1</b>" in menu.text and "✓ Huyện Văn Giang" in menu.buttons
    preview = admin.press(menu, "Tiếp tục")[-1]
    assert "Huyện Văn Giang — <b>1</b> người" in preview.text
    admin.press(preview, "Gửi ngay")
    harness.run_broadcasts()
    assert (len(copies(an)), len(copies(binh))) == (1, 0)


def test_audience_by_language(harness: Harness) -> None:
    an = harness.registered_youth("an")
    emma = harness.registered_youth("emma")
    emma.press(emma.say("/lang")[-1], "English")
    admin = harness.admin()
    admin.say("/broadcast")
    menu = admin.press(admin.say("Live stream tonight")[-1], "Người dùng tiếng Anh")[-1]
    admin.press(admin.press(menu, "Tiếp tục")[-1], "Gửi ngay")
    harness.run_broadcasts()
    assert (len(copies(an, "Live stream")), len(copies(emma, "Live stream"))) == (0, 1)


def test_people_who_say_stop_get_nothing_until_they_subscribe_again(harness: Harness) -> None:
    an = harness.registered_youth("an")
    assert "thôi nhận thông báo" in an.say("/stop")[-1].text
    send(harness)
    assert copies(an) == []
    assert "sẽ nhận thông báo" in an.say("/subscribe")[-1].text
    send(harness)
    assert len(copies(an)) == 1


def test_formatting_is_kept_and_anything_else_is_removed(harness: Harness) -> None:
    an = harness.registered_youth("an")
    html = '<b>Lịch</b> <span class="x">mới</span><script>alert(1)</script> <a href="javascript:x">x</a>'
    send(harness, text="Lịch mới", html=html)
    received = copies(an, "Lịch")[0].text
    assert received.startswith("<b>Lịch</b> mới")
    assert "script" not in received and "javascript" not in received and "span" not in received


def test_plain_text_from_the_admin_is_escaped(harness: Harness) -> None:
    an = harness.registered_youth("an")
    send(harness, text="Giải thưởng <1 triệu> & quà")
    assert copies(an, "Giải thưởng")[0].text == "Giải thưởng &lt;1 triệu&gt; &amp; quà"


def test_a_link_button_goes_with_every_copy(harness: Harness) -> None:
    an = harness.registered_youth("an")
    admin = harness.admin()
    preview = compose(harness)
    assert "Đăng ký | https://" in admin.press(preview, "liên kết")[-1].text
    assert "Chưa đúng mẫu" in admin.say("dang ky tai day")[-1].text
    preview = admin.say("Đăng ký | https://doanthanhnien.vn/dang-ky")[-1]
    admin.press(preview, "Gửi ngay")
    harness.run_broadcasts()
    [copy] = copies(an)
    assert [(b.label, b.url) for b in copy.message.links] == [("Đăng ký", "https://doanthanhnien.vn/dang-ky")]


def test_people_who_blocked_the_bot_are_counted_marked_and_skipped_next_time(harness: Harness) -> None:
    an = harness.registered_youth("an")
    harness.registered_youth("binh")
    harness.transport.refusing["user-an"] = PermanentFailure("forbidden: bot was blocked by the user", "blocked")
    admin = send(harness)
    assert "Đã chặn bot (lần sau bỏ qua): 1" in admin.last().text
    assert "Đã nhận: 1" in admin.last().text
    assert not [d for d in harness.messages_to(harness.settings.coordinator_chat.chat_id) if "user-an" in d.text]
    preview = compose(harness)
    assert "<b>1</b> người" in preview.text
    del harness.transport.refusing["user-an"]
    an.say("/my")  # writing again undoes the block
    assert "<b>2</b> người" in compose(harness).text


def test_scheduled_broadcasts_wait_for_their_time(harness: Harness) -> None:
    an = harness.registered_youth("an")
    admin = harness.admin()
    assert "20/03 08:00" in admin.press(compose(harness), "Hẹn giờ")[-1].text
    assert "đã qua" in admin.say("01/01/2020 08:00")[-1].text
    assert "sẽ gửi lúc 15:00 10/02/2023" in admin.say("10/02 15:00")[-1].text
    harness.run_broadcasts()
    assert copies(an) == []
    harness.clock.advance(timedelta(hours=6))
    harness.run_broadcasts()
    assert len(copies(an)) == 1
    assert "đã gửi xong" in admin.last().text


def test_pause_holds_the_rest_resume_sends_it_and_cancel_drops_it(harness: Harness) -> None:
    people = [harness.registered_youth(f"y{i}") for i in range(6)]
    harness.pump.batch = 2
    admin = harness.admin()
    admin.press(compose(harness), "Gửi ngay")
    harness.pump.tick()  # two copies enqueued, not yet sent
    assert "Đã tạm dừng" in admin.say("/broadcast pause 1")[-1].text
    harness.run_broadcasts()
    assert sum(len(copies(p)) for p in people) == 0
    assert "tạm dừng" in admin.say("/broadcast status 1")[-1].text
    admin.say("/broadcast resume 1")
    assert "Tiếp tục gửi thông báo #1" in admin.last().text
    assert sum(len(copies(p)) for p in people) == 2  # the held copies went with the reply
    cancelled = admin.say("/broadcast cancel 1")[-1].text
    assert "Đã huỷ thông báo #1; 2 người đã nhận" in cancelled
    harness.run_broadcasts()
    assert sum(len(copies(p)) for p in people) == 2
    assert "không áp dụng" in admin.say("/broadcast resume 1")[-1].text


def test_progress_is_reported_at_each_quarter(harness: Harness) -> None:
    for i in range(8):
        harness.registered_youth(f"y{i}")
    harness.pump.batch = 2
    admin = send(harness)
    progress = [d.text for d in admin.inbox() if "Thông báo #1 (đang gửi)" in d.text]
    assert len(progress) == 3
    assert "đã gửi 2, lỗi 0, còn 6" in progress[0]


def test_a_mistaken_broadcast_is_corrected_then_withdrawn(harness: Harness) -> None:
    an = harness.registered_youth("an")
    admin = send(harness)
    [original] = copies(an)
    assert "không áp dụng" not in admin.say("/broadcast edit 1")[-1].text
    preview = admin.say("Buổi đối thoại dời sang 9:00.")[-1]
    assert "<b>1</b> bản đã gửi" in preview.text
    admin.press(preview, "Gửi ngay")
    harness.run_broadcasts()
    edit = an.last().message
    assert (edit.action, edit.targets) == (Action.EDIT, (original.message_id,))
    assert edit.html == "Buổi đối thoại dời sang 9:00."
    confirm = admin.say("/broadcast delete 1")[-1]
    assert "Thu hồi (xoá) 1 bản" in confirm.text
    admin.press(confirm, "Thu hồi")
    harness.run_broadcasts()
    assert (an.last().message.action, an.last().message.targets) == (Action.DELETE, (original.message_id,))
    assert "Thành công: 1" in admin.last().text


def test_only_admins_broadcast(harness: Harness) -> None:
    an = harness.registered_youth("an")
    staff_only = harness.app.services.texts.render("vi", "staff_only")
    assert an.say("/broadcast")[-1].text == staff_only
    preview = compose(harness)
    button = next(b for b in preview.message.choices if "Gửi ngay" in b.label)
    assert an.harness.deliver(an._incoming(button_data=button.data))[-1].text == staff_only
    assert copies(an) == []


def test_bad_input_gets_a_clear_answer(harness: Harness) -> None:
    admin = harness.admin()
    assert "/broadcast list" in admin.say("/broadcast bogus")[-1].text
    assert "Không có thông báo #9" in admin.say("/broadcast status 9")[-1].text
    assert "Chưa có thông báo" in admin.say("/broadcast list")[-1].text
    admin.say("/broadcast")
    assert "cần có nội dung" in admin.say("")[-1].text
    assert "Đã bỏ bản nháp" in admin.say("/cancel")[-1].text
    assert "Gửi câu hỏi" not in admin.say("/broadcast")[-1].text


def test_two_pumps_sharing_a_database_enqueue_each_recipient_once(harness: Harness) -> None:
    for i in range(30):
        harness.registered_youth(f"y{i}")
    admin = harness.admin()
    admin.press(compose(harness), "Gửi ngay")
    other = build_app(harness.settings, harness.clock)
    pumps = [harness.pump, BroadcastPump(other.sessions, other.services, harness.clock, batch=4)]
    harness.pump.batch = 4
    start = threading.Barrier(2)

    def pump_until_fanned_out(pump: BroadcastPump) -> None:
        start.wait()
        for _ in range(40):
            pump.tick()
            with transaction(pump.sessions) as session:
                session.execute(  # pretend everything enqueued was sent, so the pumps keep going
                    OutboxMessage.__table__.update().where(OutboxMessage.status == "pending").values(status="sent"))

    threads = [threading.Thread(target=pump_until_fanned_out, args=(pump,)) for pump in pumps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.engine.dispose()
    with transaction(harness.app.sessions) as session:
        per_chat = session.execute(
            select(OutboxMessage.chat_id, func.count()).where(OutboxMessage.broadcast_id.is_not(None))
            .group_by(OutboxMessage.chat_id)).all()
        broadcast = session.scalars(select(Broadcast)).one()
        accounts = session.scalar(select(func.count()).select_from(Account))
    assert sorted(count for _, count in per_chat) == [1] * 30
    assert accounts == 30
    assert broadcast.status == BroadcastStatus.DONE


@pytest.mark.parametrize("text", ["20/3 8h00", "20/03/2023 08:00"])
def test_times_are_read_in_the_common_forms(harness: Harness, text: str) -> None:
    harness.registered_youth("an")
    admin = harness.admin()
    admin.press(compose(harness), "Hẹn giờ")
    assert "sẽ gửi lúc 08:00 20/03/2023" in admin.say(text)[-1].text


def test_every_platform_gets_its_copies_and_files_stay_on_their_own_platform(harness: Harness) -> None:
    with transaction(harness.app.sessions) as session:
        add_subscribers(session, harness.settings, range(1, 4), "telegram", harness.clock.now())
        add_subscribers(session, harness.settings, range(11, 13), "zalo", harness.clock.now())
        session.add(Broadcast(campaign_id=session.scalar(select(Campaign.id)), author="console:admin",
                              author_chat="console:user-admin",
                              status=BroadcastStatus.SENDING, html="Lịch mới", created_at=harness.clock.now(),
                              attachment={"platform": "telegram", "kind": "photo", "file_ref": "AgAD-photo"}))
    harness.pump.tick()
    with transaction(harness.app.sessions) as session:
        copies = [Outgoing.from_json(row.payload) for row in session.scalars(
            select(OutboxMessage).where(OutboxMessage.broadcast_id.is_not(None)))]
    by_platform = {platform: [c for c in copies if c.chat.platform == platform] for platform in ("telegram", "zalo")}
    assert (len(by_platform["telegram"]), len(by_platform["zalo"])) == (3, 2)
    assert all(c.attachments and c.attachments[0].file_ref == "AgAD-photo" for c in by_platform["telegram"])
    assert all(not c.attachments and c.html == "Lịch mới" for c in by_platform["zalo"])
