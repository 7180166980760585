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
    nominate(harness, binh, "Trần Văn Nam", "Trường THPT Khoái Châu", "Huy chương vàng Olympic Tin học")
    with harness.app.sessions() as session:
        first = session.get_one(Nomination, 1)
        assert first.status == NominationStatus.PROPOSED and first.consent_note == nominations.DECLARED
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
                                evidence=[], consent_note="in writing", proposer="console:vg")
        assert refused.value.key == "nomination_incomplete"
        nominations.propose(session, campaign.id, harness.clock.now(), name="Hoa", unit="Đoàn xã", achievement="x",
                            evidence=[], consent_note="in writing", proposer="console:vg")
    assert count(harness) == 1


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
