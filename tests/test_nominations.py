"""Honouring exemplary youth: a young person nominates someone in the chat (consent first), admins
shortlist and order the nominations, and the shortlist is in the event's programme annex."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import func, select

from bot.cli import main as cli
from core.messages import Attachment, MediaKind
from handlers import nominations
from handlers.refused import Refused
from storage.db import transaction
from storage.models import Nomination, NominationStatus
from tests.conftest import EXAMPLE_CONFIG
from tests.harness import Delivered, Harness, Participant

PHOTO = Attachment(MediaKind.PHOTO, "photo-file-id-1", "bang-khen.jpg", "image/jpeg", 2048)


def said(harness: Harness, replies: list[Delivered], key: str, **values: object) -> bool:
    return harness.app.services.texts.render("vi", key, **values) in [r.text for r in replies]


def nominate(harness: Harness, person: Participant, name: str, unit: str, achievement: str) -> list[Delivered]:
    person.press(person.say("/nominate")[-1], "đã đồng ý")
    person.say(name)
    person.say(unit)
    person.say(achievement)
    person.say(attachments=(PHOTO,))
    return person.press(person.last(), "Xong")


def code_of(harness: Harness, number: int) -> str:
    with harness.app.sessions() as session:
        code = session.get_one(Nomination, number).consent_code
    assert code
    return code


def agree(harness: Harness, nominee: Participant, number: int, answer: str = "Tôi đồng ý") -> list[Delivered]:
    """The nominee, in their own chat, with the code the proposer forwarded."""
    asked = nominee.say(f"/dongy {code_of(harness, number).lower()}")  # typed in lower case: still the code
    return nominee.press(asked[-1], answer)


def count(harness: Harness) -> int:
    with harness.app.sessions() as session:
        return session.scalar(select(func.count()).select_from(Nomination)) or 0


def test_nothing_is_stored_without_the_nominees_consent(harness: Harness) -> None:
    an = harness.registered_youth("an")
    assert said(harness, an.press(an.say("/nominate")[-1], "Chưa hỏi"), "nominate_needs_consent")
    assert count(harness) == 0
    an.press(an.say("/nominate")[-1], "đã đồng ý")
    an.say("Nguyễn Thị Hoa")
    assert said(harness, an.say("/cancel"), "nominate_cancelled")
    assert count(harness) == 0
    # The flow is over: the next message is a question again.
    assert "Thương mại điện tử" in an.say("Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?")[-1].text


def test_nominate_shortlist_order_and_export(harness: Harness, tmp_path: Path) -> None:
    an, binh = harness.registered_youth("an"), harness.registered_youth("binh", "Khoái Châu")
    done = nominate(harness, an, "Nguyễn Thị Hoa", "Đoàn xã Long Hưng, huyện Văn Giang",
                    "Khởi nghiệp trồng nấm, tạo việc làm cho 20 thanh niên")
    assert said(harness, done, "nominate_received", number=1, name="Nguyễn Thị Hoa", count=1)
    assert said(harness, done, "nominate_consent_code", name="Nguyễn Thị Hoa", code=code_of(harness, 1))
    nominate(harness, binh, "Trần Văn Nam", "Trường THPT Khoái Châu", "Huy chương vàng Olympic Tin học")
    agree(harness, harness.registered_youth("hoa"), 1)
    agree(harness, harness.registered_youth("nam", "Khoái Châu"), 2)
    with harness.app.sessions() as session:
        first = session.get_one(Nomination, 1)
        assert first.status == NominationStatus.PROPOSED and first.consent_note == nominations.CONFIRMED
        assert first.evidence[0]["file_ref"] == "photo-file-id-1"

    admin = harness.admin()
    assert "Nguyễn Thị Hoa" in admin.say("/nominations")[-1].text
    admin.say("/shortlist 1")
    listing = admin.say("/shortlist 2 1")[-1].text  # Nam first, then Hoa
    assert listing.index("Trần Văn Nam") < listing.index("Nguyễn Thị Hoa")
    assert said(harness, admin.say("/shortlist 9"), "nomination_unknown", number=9)
    assert said(harness, admin.say("/shortlist 1 5"), "shortlist_position_invalid", count=2)
    officer = harness.officer("so-ct")
    officer.say("/shortlist 1 1")  # not theirs to decide: the order below is unchanged
    with harness.app.sessions() as session:
        ranks = dict(session.execute(select(Nomination.nominee_name, Nomination.rank)).all())
    assert ranks == {"Trần Văn Nam": 1, "Nguyễn Thị Hoa": 2}

    config = tmp_path / "config.toml"
    config.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8").replace(
        'url = "sqlite:///youthbot.sqlite3"', f'url = "{harness.settings.database_url}"'), encoding="utf-8")
    out = tmp_path / "phu-luc.docx"
    assert cli(["--config", str(config), "programme", "--out", str(out)]) == 0
    document = Document(str(out))
    honoured = document.tables[-1]
    assert [row.cells[1].text for row in honoured.rows[1:]] == ["Trần Văn Nam", "Nguyễn Thị Hoa"]
    assert honoured.rows[2].cells[4].text == "1 tệp"

    (sent,) = admin.say("/programme")  # the same annex, in the chat
    assert said(harness, [sent], "programme_ready", commitments=0, questions=0, honoured=2)
    assert sent.message.attachments[0].file_name.endswith("-phu-luc-chuong-trinh.docx")

    admin.say("/unshortlist 2")
    with harness.app.sessions() as session:
        assert session.get_one(Nomination, 1).rank == 1  # Hoa moves up when Nam leaves the list


def test_propose_needs_every_field_and_consent(harness: Harness) -> None:
    with transaction(harness.app.sessions) as session:
        campaign = harness.app.campaign(session)
        with pytest.raises(Refused) as refused:
            nominations.propose(session, campaign.id, harness.clock.now(), name="Hoa", unit="", achievement="x",
                                files=[], unit_declared_consent=True, proposer="console:vg")
        assert refused.value.key == "nomination_incomplete"
        with pytest.raises(Refused) as refused:
            nominations.propose(session, campaign.id, harness.clock.now(), name="Hoa", unit="Đoàn xã",
                                achievement="x", files=[], unit_declared_consent=False, proposer="console:vg")
        assert refused.value.key == "nomination_consent_required"
        added = nominations.propose(session, campaign.id, harness.clock.now(), name="Hoa", unit="Đoàn xã",
                                    achievement="x", files=[], unit_declared_consent=True, proposer="console:vg")
        assert added.consent_note == nominations.UNIT_DECLARED and added.consent_confirmed_at is not None
    assert count(harness) == 1


def test_the_nominee_confirms_their_own_consent_before_the_shortlist(harness: Harness) -> None:
    an, hoa = harness.registered_youth("an"), harness.registered_youth("hoa")
    nominate(harness, an, "Nguyễn Thị Hoa", "Đoàn xã Long Hưng", "Khởi nghiệp trồng nấm")
    admin = harness.admin()
    waiting = harness.app.services.texts.render("vi", "nominations_waiting")
    assert waiting in admin.say("/nominations")[-1].text
    assert said(harness, admin.say("/shortlist 1"), "nomination_consent_pending", number=1)
    code = code_of(harness, 1)
    assert said(harness, an.say(f"/dongy {code}"), "nominee_consent_not_yourself")  # the proposer cannot
    assert said(harness, hoa.say("/dongy ABCDEFGH"), "nominee_consent_code_unknown")
    assert said(harness, hoa.say("/dongy"), "nominee_consent_usage")
    asked = hoa.say(f"/dongy {code[:4]}-{code[4:]}")
    assert said(harness, asked, "nominee_consent_ask", name="Nguyễn Thị Hoa", unit="Đoàn xã Long Hưng",
                achievement="Khởi nghiệp trồng nấm", count=1)
    assert said(harness, hoa.press(asked[-1], "Tôi đồng ý"), "nominee_consent_confirmed", name="Nguyễn Thị Hoa")
    assert said(harness, an.inbox()[-1:], "nominate_nominee_agreed", number=1, name="Nguyễn Thị Hoa")
    with harness.app.sessions() as session:
        nomination = session.get_one(Nomination, 1)
        assert nomination.consent_note == nominations.CONFIRMED and nomination.consent_code is None
        assert nomination.consent_confirmed_at == harness.clock.now()
    assert said(harness, hoa.say(f"/dongy {code}"), "nominee_consent_code_unknown")  # one time only
    assert said(harness, hoa.press(asked[-1], "Tôi không đồng ý"), "nominee_consent_code_unknown")  # spent
    admin.say("/shortlist 1")
    with harness.app.sessions() as session:
        assert session.get_one(Nomination, 1).status == NominationStatus.SHORTLISTED


def test_a_nominee_who_says_no_is_erased(harness: Harness) -> None:
    an, hoa = harness.registered_youth("an"), harness.registered_youth("hoa")
    nominate(harness, an, "Nguyễn Thị Hoa", "Đoàn xã Long Hưng", "Khởi nghiệp trồng nấm")
    assert said(harness, agree(harness, hoa, 1, "Tôi không đồng ý"), "nominee_consent_declined")
    assert count(harness) == 0
    assert said(harness, an.inbox()[-1:], "nominate_nominee_declined", number=1, name="Nguyễn Thị Hoa")


def test_forgetting_the_proposer_keeps_sent_nominations_and_drops_a_half_done_one(harness: Harness) -> None:
    an = harness.registered_youth("an")
    nominate(harness, an, "Nguyễn Thị Hoa", "Đoàn xã Long Hưng", "Khởi nghiệp trồng nấm")
    an.press(an.say("/nominate")[-1], "đã đồng ý")
    an.say("Trần Văn Nam")  # left half-done
    an.press(an.say("/forget")[-1], "Xoá")
    with harness.app.sessions() as session:
        left = session.scalars(select(Nomination)).all()
        assert [(n.nominee_name, n.status, n.proposer) for n in left] == [
            ("Nguyễn Thị Hoa", NominationStatus.PROPOSED, "")]
