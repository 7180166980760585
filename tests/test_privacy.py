"""A young person's data: /mydata shows it, /forget erases it (questions and answers stay,
anonymised, for the report), and the retention job anonymises people inactive too long. A nominee who
confirmed a nomination from their chat sees it in /mydata and erases it with /forget; the retention job
deletes nominations (and their evidence files) untouched for too long."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

import storage.broadcasts
from core.clock import FakeClock
from core.config import Settings
from handlers.evidence import Evidence
from handlers.nominations import propose
from reports.rows import report_rows
from scheduler.retention import anonymise_expired
from storage.db import transaction
from storage.models import (
    Account,
    Broadcast,
    InboxUpdate,
    MessageLink,
    Nomination,
    NominationFile,
    OutboxMessage,
    Person,
    Question,
    QuestionEvent,
)
from tests.harness import Harness, Participant
from tests.report_data import ON_TIME, OVERDUE, populated_harness
from tests.test_nominations import agree, nominate


@pytest.fixture
def harness(example_settings: Settings, database_url: str, clock: FakeClock, tmp_path: Path) -> Harness:
    with populated_harness(example_settings, database_url, clock, tmp_path / "exports") as harness:
        yield harness


def forget(person: Participant) -> None:
    confirm = person.say("/forget")[-1]
    assert "Xoá dữ liệu cá nhân của bạn?" in confirm.text
    person.press(confirm, "Xoá dữ liệu của tôi")


def account_of(harness: Harness, question_code: str) -> Account:
    with harness.app.sessions() as session:
        question = session.scalars(select(Question).where(Question.code == question_code)).one()
        account = question.account
        _ = account.person
        return account


def test_mydata_shows_what_is_stored_about_me_only(harness: Harness) -> None:
    text = harness.youth("an").say("/mydata")[-1].text
    assert "console · an · id an" in text and "Huyện Văn Giang" in text and "09:00 10/02/2023" in text
    assert "<b>HY-0001</b> · đã trả lời" in text and "<b>HY-0004</b>" in text
    assert "HY-0002" not in text and "binh" not in text


def test_forget_can_be_cancelled(harness: Harness) -> None:
    an = harness.youth("an")
    an.press(an.say("/forget")[-1], "Không xoá")
    assert an.last().text == "Đã giữ nguyên dữ liệu của bạn."
    assert account_of(harness, "HY-0001").user_id == "an"


def test_forget_erases_personal_data_and_keeps_questions_for_the_report(harness: Harness) -> None:
    an = harness.youth("an")
    forget(an)
    assert an.last().text.startswith("Đã xoá dữ liệu cá nhân của bạn.")
    account = account_of(harness, "HY-0001")
    assert account.user_id.startswith("forgotten-") and account.chat_id == "" and account.display_name == ""
    assert account.person.forgotten_at == harness.clock.now() and account.person.district_key is None
    assert account.person.consent_at is None and not account.subscribed
    with harness.app.sessions() as session:
        questions = session.scalars(select(Question).where(Question.account_id == account.id)).all()
        assert sorted(q.code for q in questions) == ["HY-0001", "HY-0004"]
        assert all(q.source_message_id == "" for q in questions)
        assert session.scalars(select(QuestionEvent).where(QuestionEvent.actor == "console:an")).all() == []
        assert session.scalars(select(MessageLink).where(MessageLink.chat_id == "user-an")).all() == []
        left = session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == "user-an")).all()
        assert [row.payload["html"] for row in left] == [an.last().text]  # only the farewell
        updates = session.scalars(select(InboxUpdate).where(InboxUpdate.chat_key == "console:user-an")).all()
        assert [(u.payload["text"], u.payload["user_name"]) for u in updates] == [("", "")]  # the farewell's own
        codes = {r.code: r for r in report_rows(session, harness.settings, harness.app.processor.campaign_id,
                                                  harness.clock.now())}
    assert codes["HY-0001"].question == ON_TIME and codes["HY-0001"].answer
    assert codes["HY-0001"].district == "Huyện Văn Giang"  # the question's district stays for statistics


def test_forgotten_person_is_a_stranger_and_gets_no_more_messages(harness: Harness) -> None:
    binh = harness.youth("binh")
    forget(binh)
    before = len(binh.inbox())
    harness.officer("so-nv").reply(
        next(m for m in harness.messages_to("dept-so-nv") if OVERDUE in m.text), "Tỉnh đã có kế hoạch.")
    assert len(binh.inbox()) == before  # the answer is recorded, not sent to anyone
    assert "Nghị định 13/2023" in binh.say("xin chào")[-1].text  # asked for consent like a new user
    with harness.app.sessions() as session:
        assert session.scalars(select(Question).where(Question.code == "HY-0002")).one().status == "answered"
        assert len(session.scalars(select(Person)).all()) == 3  # no new person before consent
        audience = session.scalars(storage.broadcasts.audience(Broadcast(districts=[], language=None))).all()
        assert sorted(a.user_id for a in audience) == ["an", "chi"]  # broadcasts skip the forgotten


def test_retention_anonymises_people_inactive_for_too_long(harness: Harness) -> None:
    retention = timedelta(days=harness.settings.privacy.retention_days)
    dung = harness.registered_youth("dung", "Văn Lâm")  # joins later than the others
    harness.clock.advance(retention - timedelta(days=1))
    harness.flush()
    assert anonymise_expired(harness.app.sessions, harness.settings.privacy, harness.clock).people == 3
    assert anonymise_expired(harness.app.sessions, harness.settings.privacy, harness.clock).people == 0
    assert account_of(harness, "HY-0001").user_id.startswith("forgotten-")
    with harness.app.sessions() as session:
        remaining = session.scalars(select(Account).where(~Account.user_id.startswith("forgotten-"))).all()
        assert [a.user_id for a in remaining] == ["dung"]
        old = session.scalars(select(InboxUpdate).where(
            InboxUpdate.processed_at < harness.clock.now() - retention)).all()
        assert old == []
    assert "Nghị định" not in dung.say("/mydata")[-1].text  # still a known young person


def test_a_stranger_who_does_not_consent_leaves_no_text_behind(harness: Harness) -> None:
    stranger = harness.youth("lan")
    stranger.harness.deliver(stranger._incoming(text="Em tên Lan, số 0912345678", html="Em tên <b>Lan</b>"))
    with harness.app.sessions() as session:
        (update,) = session.scalars(select(InboxUpdate).where(InboxUpdate.chat_key == "console:user-lan")).all()
    assert (update.payload["text"], update.payload["html"], update.payload["user_name"]) == ("", "", "")


# --- nominees: what a nomination holds about them ------------------------------------------------------

def nominations_held(harness: Harness) -> list[tuple[int, str, int | None]]:
    """(number, nominee, place on the shortlist) of every nomination stored."""
    with harness.app.sessions() as session:
        return [(n.id, n.nominee_name, n.rank) for n in session.scalars(select(Nomination).order_by(Nomination.id))]


def files_held(harness: Harness) -> int:
    with harness.app.sessions() as session:
        return len(session.scalars(select(NominationFile)).all())


def nominated(harness: Harness) -> tuple[Participant, Participant]:
    """Hoa (1) and Nam (2), proposed by an in the chat and confirmed by each from their own chat, shortlisted
    in that order; a unit's nomination (3) with a file, whose nominee has no chat."""
    an = harness.youth("an")
    nominate(harness, an, "Nguyễn Thị Hoa", "Đoàn xã Long Hưng", "Khởi nghiệp trồng nấm, tạo việc làm")
    nominate(harness, an, "Trần Văn Nam", "Trường THPT Khoái Châu", "Huy chương vàng Olympic Tin học")
    hoa, nam = harness.registered_youth("hoa"), harness.registered_youth("nam", "Khoái Châu")
    agree(harness, hoa, 1)
    agree(harness, nam, 2)
    with transaction(harness.app.sessions) as session:
        propose(session, harness.app.processor.campaign_id, harness.clock.now(), name="Lê Thu Trang",
                unit="Đoàn phường Hiến Nam", achievement="Hiến máu 20 lần", unit_declared_consent=True,
                files=[Evidence("giay-khen.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)],
                proposer="console:admin")
    admin = harness.admin()
    admin.say("/shortlist 1")
    admin.say("/shortlist 2")
    return hoa, nam


def test_a_nominee_sees_in_mydata_the_nominations_they_confirmed(harness: Harness) -> None:
    hoa, _ = nominated(harness)
    texts = harness.app.services.texts
    shown = hoa.say("/mydata")[-1].text
    assert texts.render("vi", "mydata_nomination", number=1, name="Nguyễn Thị Hoa", unit="Đoàn xã Long Hưng",
                        achievement="Khởi nghiệp trồng nấm, tạo việc làm", count=1,
                        status=texts.render("vi", "mydata_nomination_shortlisted"),
                        confirmed=shown_time(harness)) in shown
    assert "Trần Văn Nam" not in shown and "Lê Thu Trang" not in shown  # others' nominations
    header = texts.render("vi", "mydata_nominations", items="").strip()
    assert header in shown
    assert header not in harness.youth("an").say("/mydata")[-1].text  # the proposer is not its nominee
    stranger = harness.registered_youth("lan")
    assert header not in stranger.say("/mydata")[-1].text


def shown_time(harness: Harness) -> str:
    return harness.clock.now().astimezone(harness.settings.timezone).strftime("%H:%M %d/%m/%Y")


def test_a_nominees_forget_erases_the_nominations_about_them(harness: Harness) -> None:
    hoa, _ = nominated(harness)
    forget(hoa)
    assert nominations_held(harness) == [(2, "Trần Văn Nam", 1), (3, "Lê Thu Trang", None)]  # Nam moves up
    assert files_held(harness) == 1  # the unit's nomination keeps its file
    programme = harness.admin().say("/nominations")[-1].text
    assert "Nguyễn Thị Hoa" not in programme and "Trần Văn Nam" in programme


def test_retention_deletes_nominations_and_their_files_untouched_for_too_long(harness: Harness) -> None:
    _, nam = nominated(harness)
    retention = timedelta(days=harness.settings.privacy.retention_days)
    harness.clock.advance(retention - timedelta(days=1))
    harness.ask(nam, "Em muốn vay vốn khởi nghiệp thì cần thủ tục gì ạ?")  # Nam is still active: kept as a person
    nominate(harness, nam, "Phạm Minh Đức", "Đoàn xã Tân Tiến", "Cứu người đuối nước")  # recent, waiting
    harness.clock.advance(timedelta(days=2))
    swept = anonymise_expired(harness.app.sessions, harness.settings.privacy, harness.clock)
    # 1 goes with Hoa, forgotten as inactive; 2 and 3 by their own age, though Nam, the nominee of 2, is active.
    assert swept.nominations == 2
    assert nominations_held(harness) == [(4, "Phạm Minh Đức", None)] and files_held(harness) == 0
    with harness.app.sessions() as session:
        assert session.scalars(select(Account).where(Account.user_id == "nam")).one().person.forgotten_at is None
    assert anonymise_expired(harness.app.sessions, harness.settings.privacy, harness.clock).nominations == 0
