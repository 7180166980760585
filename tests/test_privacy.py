"""A young person's data: /mydata shows it, /forget erases it (questions and answers stay,
anonymised, for the report), and the retention job anonymises people inactive too long."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

import storage.broadcasts
from core.clock import FakeClock
from core.config import Settings
from reports.rows import report_rows
from scheduler.retention import anonymise_expired
from storage.models import (
    Account,
    Broadcast,
    InboxUpdate,
    MessageLink,
    OutboxMessage,
    Person,
    Question,
    QuestionEvent,
)
from tests.harness import Harness, Participant
from tests.report_data import ON_TIME, OVERDUE, populated_harness


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
    assert anonymise_expired(harness.app.sessions, harness.settings.privacy, harness.clock) == 3
    assert anonymise_expired(harness.app.sessions, harness.settings.privacy, harness.clock) == 0
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
