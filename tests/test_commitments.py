"""Last year's promises followed up: an answer marked as a commitment in one campaign, its status kept
by the responsible department, and the commitment listed in the next campaign's report."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from core.clock import FakeClock
from core.config import Settings
from reports.build import ReportScope, write_report
from storage.commitments import shown_status
from storage.models import Commitment, CommitmentStatus
from tests.harness import Delivered, Harness

SHOPEE = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"
PROMISE = "Tổ chức 3 lớp tập huấn kê khai thuế cho thanh niên bán hàng trực tuyến."
DAY = 86400


def said(harness: Harness, replies: list[Delivered], key: str, **values: object) -> bool:
    """One of `replies` is the catalogue entry `key` with `values` (staff's language)."""
    return harness.app.services.texts.render("vi", key, **values) in [r.text for r in replies]


def answered_campaign(settings: Settings, database_url: str, clock: FakeClock) -> Harness:
    """2023: one question answered by Sở Công Thương, one still open."""
    harness = Harness(settings, database_url, clock)
    an = harness.registered_youth("an")
    harness.ask(an, SHOPEE)
    harness.ask(harness.registered_youth("binh"), "Sóng 4G ở xã em rất yếu, tỉnh có kế hoạch phủ sóng không?")
    officer = harness.officer("so-ct")
    officer.reply(officer.inbox()[0], "Có, em cần đăng ký hộ kinh doanh và kê khai thuế; Sở sẽ mở lớp hướng dẫn.")
    return harness


def report_text(harness: Harness, out: Path) -> str:
    with harness.app.sessions() as session:
        scope = ReportScope(harness.settings, harness.app.services.texts, harness.app.campaign(session),
                            harness.clock.now())
        write_report(session, scope, out.suffix[1:], out)
    if out.suffix == ".xlsx":
        book = load_workbook(out)
        return "\n".join(str(c.value) for sheet in book.worksheets if sheet.title == "Cam kết"
                         for row in sheet.iter_rows() for c in row if c.value is not None)
    document = Document(str(out))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_a_commitment_is_marked_followed_up_and_reported_the_next_year(
        example_settings: Settings, database_url: str, clock: FakeClock, tmp_path: Path) -> None:
    first = answered_campaign(example_settings, database_url, clock)
    admin = first.admin()
    assert said(first, admin.say("/commit HY-0002 31/12/2023 Phủ sóng 4G"), "commitment_not_answered",
                code="HY-0002")
    assert said(first, admin.say(f"/commit HY-0001 30/06/2023 {PROMISE}"), "commitment_marked", number=1,
                code="HY-0001", department="Sở Công Thương", due="30/06/2023")
    youth = first.youth("an")
    before = len(youth.inbox())
    youth.say("/commit HY-0001 30/06/2023 tự hứa")  # not staff: no commitment
    assert said(first, youth.inbox()[before:], "staff_only")
    none = first.app.services.texts.render("vi", "form_commitments_none")
    assert none in report_text(first, tmp_path / "2023.docx")  # this year's promise is next year's to report
    first.dispose()

    next_year = replace(example_settings.campaign, key="hung-yen-2024", name="Đối thoại 2024")
    second = Harness(replace(example_settings, campaign=next_year), database_url, clock)
    try:
        clock.advance(300 * DAY)  # past 30/06/2023: not done, so overdue
        officer, other = second.officer("so-ct"), second.officer("so-tttt")
        listing = officer.say("/commitments")[-1].text
        assert PROMISE in listing and "quá hạn" in listing
        assert said(second, other.say("/commitment 1 xong"), "commitment_wrong_department", number=1)
        assert said(second, officer.say("/commitment 1 dang Đã mở 1 lớp ở Văn Giang"), "commitment_updated",
                    number=1, status="quá hạn")
        assert said(second, officer.say("/commitment 1 xong Đã mở đủ 3 lớp"), "commitment_updated",
                    number=1, status="đã hoàn thành")
        assert said(second, officer.say("/commitment 1 maybe"), "commitment_status_usage")
        with second.app.sessions() as session:
            commitment = session.scalars(select(Commitment)).one()
            assert (commitment.status, commitment.note) == (CommitmentStatus.DONE, "Đã mở đủ 3 lớp")
            assert commitment.campaign.key == "hung-yen-2023"
        word = report_text(second, tmp_path / "2024.docx")
        summary = second.app.services.texts.render("vi", "form_commitments_summary", total=1, done=1,
                                                   in_progress=0, pending=0, overdue=0)
        assert "IV. KẾT QUẢ THỰC HIỆN CAM KẾT" in word and summary in word
        assert PROMISE in word and "Đã mở đủ 3 lớp" in word and "Sở Công Thương" in word
        sheet = report_text(second, tmp_path / "2024.xlsx")
        assert PROMISE in sheet and SHOPEE in sheet
        assert "đã hoàn thành" in sheet
    finally:
        second.dispose()


def test_overdue_is_open_past_its_date() -> None:
    commitment = Commitment(due_on=date(2024, 6, 30), status=CommitmentStatus.IN_PROGRESS)
    assert shown_status(commitment, date(2024, 6, 30)) == "in_progress"
    assert shown_status(commitment, date(2024, 7, 1)) == "overdue"
    commitment.status = CommitmentStatus.DONE
    assert shown_status(commitment, date(2025, 1, 1)) == "done"


def test_the_responsible_department_may_be_named(example_settings: Settings, database_url: str,
                                                 clock: FakeClock) -> None:
    harness = answered_campaign(example_settings, database_url, clock)
    try:
        admin = harness.admin()
        assert said(harness, admin.say("/commit HY-0001 31/12/2023 so-tttt Phủ sóng 4G cho các xã còn lõm sóng"),
                    "commitment_marked", number=1, code="HY-0001", department="Sở Thông tin và Truyền thông",
                    due="31/12/2023")
        assert said(harness, admin.say("/commit HY-0001 31-12-2023 Phủ sóng"), "commitment_due_invalid",
                    due="31-12-2023")
        with harness.app.sessions() as session:
            commitment = session.scalars(select(Commitment)).one()
            assert (commitment.department_key, commitment.what) == ("so-tttt", "Phủ sóng 4G cho các xã còn lõm sóng")
            assert commitment.answer is not None and commitment.answer.department_key == "so-ct"
        # Sở Công Thương answered, but Sở TT&TT is responsible: only it may update the commitment.
        assert said(harness, harness.officer("so-ct").say("/commitment 1 xong"), "commitment_wrong_department",
                    number=1)
    finally:
        harness.dispose()
