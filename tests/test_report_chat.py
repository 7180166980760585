"""Reports, statistics and FAQ publishing from chat: admins and the coordinator chat only;
generated files travel as uploads, through the outbox, to Telegram as multipart requests."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import select

from bot.channels.console import COORDINATOR_CHAT
from bot.channels.telegram.adapter import TelegramTransport
from bot.transport import PermanentFailure
from core.clock import FakeClock
from core.config import Settings
from core.messages import Attachment, ChatKind, ChatRef, MediaKind, Outgoing
from storage.models import Question
from tests.harness import Harness, Participant
from tests.report_data import ON_TIME
from tests.test_telegram import Deployment, register, run

ADMIN = 100000001  # telegram:100000001 is an admin in config.example.toml


def coordinator(harness: Harness) -> Participant:
    """Home Affairs staff writing in the coordinator group."""
    return Participant(harness, "nv-staff", COORDINATOR_CHAT, ChatKind.GROUP)


def published(harness: Harness, code: str) -> bool:
    with harness.app.sessions() as session:
        return session.scalars(select(Question).where(Question.code == code)).one().published_at is not None


def test_admin_gets_the_report_as_a_document(populated: Harness) -> None:
    sent = populated.admin().say("/report docx")
    assert len(sent) == 1 and "Báo cáo docx: 4 câu hỏi" in sent[0].text
    (document,) = sent[0].message.attachments
    assert document.kind is MediaKind.DOCUMENT and document.file_name.endswith(".docx")
    path = Path(document.path)
    assert path.parent == populated.settings.reports.folder and path.stat().st_size == document.size
    assert "Sở Công Thương" in [p.text for p in Document(str(path)).paragraphs]


def test_coordinator_chat_gets_spreadsheet_and_csv(populated: Harness) -> None:
    staff = coordinator(populated)
    for format in ("xlsx", "csv"):
        (reply,) = staff.say(f"/report {format.upper()}")
        assert reply.message.chat.chat_id == COORDINATOR_CHAT and reply.message.attachments[0].path.endswith(format)
    assert ON_TIME in Path(reply.message.attachments[0].path).read_text(encoding="utf-8-sig")


def test_unknown_report_format_gets_the_usage(populated: Harness) -> None:
    (reply,) = populated.admin().say("/report pdf")
    assert reply.text == "Cách dùng: /report docx | xlsx | csv" and not reply.message.attachments


def test_stats_sends_a_summary_and_six_charts(populated: Harness) -> None:
    (reply,) = coordinator(populated).say("/stats")
    assert ("4 câu hỏi = các cơ quan đã trả lời 2 (sau hạn 1) + lãnh đạo trả lời tại buổi đối thoại 0"
            " + chưa trả lời 1 (quá hạn 1) + không tiếp nhận 1 + đã gộp 0") in reply.text  # 2 + 0 + 1 + 1 = 4
    assert "<b>Sở Công Thương</b>: 2 câu · trả lời 2 (100%)" in reply.text
    assert "<b>Tổng cộng</b>: 3 câu · trả lời 2 (67%)" in reply.text
    charts = reply.message.attachments
    assert len(charts) == 6 and all(c.kind is MediaKind.PHOTO for c in charts)
    assert all(Path(c.path).read_bytes().startswith(b"\x89PNG") for c in charts)


def test_publish_and_unpublish(changeable: Harness) -> None:
    admin = changeable.admin()
    assert "Đã công khai câu hỏi HY-0001" in admin.say("/publish hy-0001")[-1].text
    assert published(changeable, "HY-0001")
    assert "Đã gỡ câu hỏi HY-0001" in admin.say("/unpublish HY-0001")[-1].text
    assert not published(changeable, "HY-0001")


def test_publish_refuses_unanswered_unknown_and_missing_codes(changeable: Harness) -> None:
    admin = changeable.admin()
    assert admin.say("/publish HY-0002")[-1].text == "Câu hỏi HY-0002 chưa được trả lời nên chưa thể công khai."
    assert admin.say("/publish HY-0099")[-1].text == "Không có câu hỏi HY-0099."
    assert admin.say("/publish")[-1].text.startswith("Cách dùng: /publish MÃ")
    assert not published(changeable, "HY-0002")


def test_young_people_and_officers_are_refused(changeable: Harness) -> None:
    for command in ("/report docx", "/stats", "/publish HY-0001", "/unpublish HY-0001"):
        for person, refusal in ((changeable.youth("an"), "staff_only"), (changeable.officer("so-ct"), "not_admin")):
            (reply,) = person.say(command)
            assert reply.text == changeable.app.services.texts.render("vi", refusal), command
            assert not reply.message.attachments
    assert not published(changeable, "HY-0001")
    assert not changeable.settings.reports.folder.exists() or not any(changeable.settings.reports.folder.iterdir())


def test_report_and_charts_are_uploaded_to_telegram(example_settings: Settings, database_url: str,
                                                    clock: FakeClock, tmp_path: Path) -> None:
    settings = replace(example_settings, reports=replace(example_settings.reports, folder=tmp_path / "exports"))

    async def scenario(d: Deployment) -> None:
        await register(d, 501)
        d.fake.add_user(ADMIN, "Quản trị Tỉnh đoàn")
        d.fake.user_sends(ADMIN, text="/report docx")
        await d.step()
        document, caption = d.fake.bot_messages(ADMIN)[-2:]
        report = next((tmp_path / "exports").glob("*.docx"))
        assert document["document"]["file_name"] == report.name
        assert document["document"]["file_size"] == report.stat().st_size
        assert document["document"]["mime_type"].endswith("wordprocessingml.document")
        assert "Báo cáo docx: 0 câu hỏi" in caption["text"]
        d.fake.user_sends(ADMIN, text="/stats")
        await d.step()
        photos = [m for m in d.fake.bot_messages(ADMIN) if "photo" in m]
        assert len(photos) == 6 and all(m["photo"][-1]["file_size"] > 0 for m in photos)
        assert "Thống kê" in d.fake.bot_messages(ADMIN)[-1]["text"]
        gone = Attachment(MediaKind.DOCUMENT, "", "gone.csv", path=str(tmp_path / "gone.csv"))
        with pytest.raises(PermanentFailure, match="file to upload is gone"):
            await TelegramTransport(d.bot).send(Outgoing(ChatRef("telegram", str(ADMIN)), "x", attachments=(gone,)))

    run(settings, database_url, clock, scenario)
