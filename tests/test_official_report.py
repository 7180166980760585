"""Issue 13: the report in the official form of Decree 30/2020/NĐ-CP, the leaders' answers credited to
them and never a department's late answer, totals that add up. The files are rendered by LibreOffice
and read back from the PDF (SQLite only, like test_office_files: LibreOffice is slow to start)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
import zipfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from pypdf import PdfReader

from bot.channels.registry import parse_settings
from bot.cli import main as cli
from core.clock import FakeClock
from core.config import ConfigError, Settings
from core.texts import Texts
from reports.build import ReportScope, write_report
from reports.deadline_note import deadline_note
from reports.labels import Labels
from reports.rows import Compliance, report_rows
from reports.stats import gather_stats
from reports.transmittal import write_transmittal
from storage.models import Answer
from tests.harness import Harness
from tests.report_data import OVERDUE, populate, populate_campaign, reporting_harness
from tests.test_office_files import pdf_text

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"
HOST = "Ông Nguyễn Duy Hưng, Phó Chủ tịch UBND tỉnh"
SECOND_HOST = "Bà Trần Thị B, Giám đốc Sở Thông tin và Truyền thông"
LIVE_SUMMARY = "Năm 2023 tỉnh đầu tư sân chơi thể thao cho thanh niên ở mỗi xã."
SIGNATORY = "Nguyễn Văn Thử"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def two_hosts(settings: Settings) -> Settings:
    return replace(settings, campaign=replace(settings.campaign, hosts=(HOST, SECOND_HOST)),
                   reports=replace(settings.reports, signatory_name=SIGNATORY))


@pytest.fixture
def campaign(example_settings: Settings, database_url: str, clock: FakeClock, tmp_path: Path) -> Harness:
    harness = reporting_harness(two_hosts(example_settings), database_url, clock, tmp_path / "exports")
    populate(harness)
    yield harness
    harness.dispose()


def write(harness: Harness, format: str, out: Path) -> int:
    with harness.app.sessions() as session:
        scope = ReportScope(harness.settings, harness.app.services.texts, harness.app.campaign(session),
                            harness.clock.now())
        return write_report(session, scope, format, out)


# --- configuration ------------------------------------------------------------------------

def test_the_example_holds_the_2023_plans_form() -> None:
    settings = parse_settings(tomllib.loads(EXAMPLE.read_text(encoding="utf-8")))
    form = settings.reports
    assert (form.parent_body, form.issuing_body, form.number_prefix, form.place) == (
        "UBND tỉnh Hưng Yên", "Sở Nội vụ", "BC-SNV", "Hưng Yên")
    assert form.addressee == "Ủy ban nhân dân tỉnh Hưng Yên" and form.recipients[-1] == "Lưu: VT, XDCQ."
    assert settings.campaign.hosts == (HOST,)


@pytest.mark.parametrize(("table", "key", "value", "message"), [
    ("reports", "signatory", "X", "reports.signatory: is not a setting of \\[reports\\]"),
    ("reports", "number_prefix", "bc/snv", "reports.number_prefix: 'bc/snv' must be upper-case"),
    ("reports", "recipients", ["Như trên;", ""], "reports.recipients\\[1\\]: must be a non-empty string"),
    ("reports", "place", 3, "reports.place: must be a string"),
    ("campaign", "hosts", [HOST, HOST], "campaign.hosts: names a leader twice"),
])
def test_wrong_form_settings_are_named(table: str, key: str, value: object, message: str) -> None:
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    data[table][key] = value
    with pytest.raises(ConfigError, match=message):
        parse_settings(data)


# --- the leaders' answers are their own -----------------------------------------------------

def test_a_live_answer_is_credited_to_the_chosen_host_and_is_no_late_answer(campaign: Harness) -> None:
    admin = campaign.admin()
    (reply,) = admin.say(f"/live HY-0002 {LIVE_SUMMARY}")  # two hosts: which one answered?
    assert f"1. {HOST}" in reply.text and f"2. {SECOND_HOST}" in reply.text
    with campaign.app.sessions() as session:
        assert session.query(Answer).filter_by(source="live").count() == 0
    admin.say(f"/live HY-0002 2 {LIVE_SUMMARY}")
    with campaign.app.sessions() as session:
        answer = session.query(Answer).filter_by(source="live").one()
        assert (answer.speaker, answer.officer, answer.text) == (SECOND_HOST, "console:admin", LIVE_SUMMARY)
        now = campaign.clock.now()
        row = next(r for r in report_rows(session, campaign.settings, campaign.app.processor.campaign_id, now)
                   if r.code == "HY-0002")
        stats = gather_stats(session, campaign.settings, campaign.app.processor.campaign_id, now)
    assert (row.live_speaker, row.answered_by, row.compliance) == (SECOND_HOST, "", Compliance.AT_DIALOGUE)
    so_nv = next(d for d in stats.departments if d.name == "Sở Nội vụ")
    assert (so_nv.received, so_nv.answered, so_nv.late, so_nv.at_dialogue, so_nv.overdue) == (1, 0, 0, 1, 0)
    assert stats.total == sum(d.received for d in stats.departments) + stats.rejected + stats.merged == 4
    assert stats.rejected == 1 and stats.late == 1  # HY-0004, the department's own late answer
    (summary,) = admin.say("/stats")
    assert "lãnh đạo trả lời tại buổi đối thoại 1" in summary.text and "không tiếp nhận 1" in summary.text
    admin.say("/publish HY-0002")
    youth = campaign.registered_youth("dung", "Văn Giang")
    (found,) = youth.say("/faq sân chơi thể thao")
    assert f"Tại buổi đối thoại, {SECOND_HOST} trả lời: {LIVE_SUMMARY}" in found.text


def test_the_only_host_needs_no_number(example_settings: Settings, database_url: str, clock: FakeClock,
                                       tmp_path: Path) -> None:
    harness = reporting_harness(example_settings, database_url, clock, tmp_path)
    try:
        populate(harness)
        harness.admin().say("/live HY-0002 3 sân chơi mỗi xã")  # "3" is no host number: part of the summary
        with harness.app.sessions() as session:
            answer = session.query(Answer).filter_by(source="live").one()
        assert (answer.speaker, answer.text) == (HOST, "3 sân chơi mỗi xã")
    finally:
        harness.dispose()


# --- the documents ----------------------------------------------------------------------------

def test_the_word_report_has_the_decrees_form_and_its_totals_add_up(campaign: Harness, tmp_path: Path) -> None:
    campaign.admin().say(f"/live HY-0002 1 {LIVE_SUMMARY}")
    out = tmp_path / "bao-cao.docx"
    assert write(campaign, "docx", out) == 4
    document = Document(str(out))
    assert document.core_properties.language == "vi-VN"
    styles = zipfile.ZipFile(out).read("word/styles.xml").decode()
    assert 'w:lang w:val="vi-VN"' in styles and "Theme" not in styles.split("<w:docDefaults>")[1].split(
        "</w:docDefaults>")[0]
    assert 'w:ascii="Times New Roman"' in styles
    first, annex = document.sections
    assert (round(first.page_width.cm, 1), round(first.page_height.cm, 1)) == (21.0, 29.7)
    assert (round(first.left_margin.cm), round(first.right_margin.cm, 1), round(first.top_margin.cm)) == (3, 1.5, 2)
    assert annex.page_width > annex.page_height and first.different_first_page_header_footer
    assert "PAGE" in first.header._element.xml
    for section, tables in zip(document.sections, tables_per_section(document), strict=True):
        text_width = section.page_width - section.left_margin - section.right_margin
        for table in tables:
            grid = sum(int(col.get(qn("w:w"))) for col in table.findall(qn("w:tblGrid") + "/" + qn("w:gridCol")))
            assert grid * 635 <= text_width  # twips to EMU
    departments = next(t for t in document.tables if t.rows[0].cells[0].text == "Cơ quan trả lời")
    received = {row.cells[0].text: row.cells[1].text for row in departments.rows[1:]}
    assert int(received.pop("Tổng cộng")) == 4 == sum(int(value) for value in received.values())
    assert received["Không tiếp nhận"] == "1"
    so_nv = next(row for row in departments.rows if row.cells[0].text == "Sở Nội vụ")
    assert [so_nv.cells[i].text for i in (2, 3, 4, 5)] == ["0", "0", "1", "0"]  # answered, late, at dialogue, overdue


def tables_per_section(document: Document) -> list[list[object]]:
    """The body's tables, grouped by the section they are in (a section ends at a paragraph's sectPr)."""
    sections: list[list[object]] = [[]]
    for child in document.element.body:
        if child.tag == qn("w:tbl"):
            sections[-1].append(child)
        elif child.tag == qn("w:p") and child.find(qn("w:pPr") + "/" + qn("w:sectPr")) is not None:
            sections.append([])
    return sections


def test_the_spreadsheet_has_dates_filters_totals_and_print_setup(campaign: Harness, tmp_path: Path) -> None:
    out = tmp_path / "bao-cao.xlsx"
    write(campaign, "xlsx", out)
    book = load_workbook(out)
    questions = book["Câu hỏi"]
    assert questions["H2"].is_date and questions["H2"].number_format == "dd/mm/yyyy hh:mm"
    assert questions.auto_filter.ref == "A1:O5" and questions.freeze_panes == "A2"
    assert questions.page_setup.orientation == "landscape" and questions.page_setup.fitToWidth == 1
    assert questions.print_title_rows == "$1:$1" and questions.row_dimensions[2].height >= 15
    assert (questions["A6"].value, questions["B6"].value) == ("Tổng cộng", "=SUBTOTAL(3,A2:A5)")
    stats = book["Thống kê"]
    rows = {row[0].value: row for row in stats.iter_rows(min_row=2)}
    assert rows["Tổng cộng"][1].value == 4 == sum(r[1].value for name, r in rows.items() if name != "Tổng cộng")
    assert rows["Sở Công Thương"][7].value == 1 and rows["Sở Công Thương"][7].number_format == "0%"
    assert stats.auto_filter.ref is not None and book["Theo đơn vị"].auto_filter.ref == "A1:B12"


def test_rendered_by_libreoffice_the_report_reads_as_the_decree_wants(campaign: Harness, tmp_path: Path) -> None:
    if SOFFICE is None:
        if os.environ.get("YOUTHBOT_REQUIRE_OFFICE"):
            pytest.fail("LibreOffice (soffice) is required but not installed")
        pytest.skip("LibreOffice (soffice) is not installed")
    if "postgresql" in campaign.settings.database_url:
        pytest.skip("the rendering does not depend on the database; SQLite shows it")
    campaign.admin().say(f"/live HY-0002 1 {LIVE_SUMMARY}")
    write(campaign, "docx", tmp_path / "bao-cao.docx")
    write(campaign, "xlsx", tmp_path / "bang-tinh.xlsx")
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), str(tmp_path / "bao-cao.docx"), str(tmp_path / "bang-tinh.xlsx")],
        check=True, capture_output=True, timeout=180,
    )
    text = pdf_text(tmp_path / "pdf" / "bao-cao.pdf")
    for expected in ("UBND TỈNH HƯNG YÊN", "SỞ NỘI VỤ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Độc lập - Tự do - Hạnh phúc", "/BC-SNV", "Hưng Yên, ngày 10 tháng 3 năm 2023", "BÁO CÁO",
                     "Kính gửi: Ủy ban nhân dân tỉnh Hưng Yên.", "Tổng số câu hỏi tiếp nhận: 4",
                     "Không tiếp nhận (không thuộc phạm vi): 1", "Lãnh đạo trả lời tại buổi đối thoại: 1",
                     f"{HOST} trả lời: {LIVE_SUMMARY}", "CÂU HỎI CHƯA ĐƯỢC TRẢ LỜI", "ĐỀ XUẤT VÀ KIẾN NGHỊ",
                     "Nơi nhận:", "- Lưu: VT, XDCQ.", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", SIGNATORY, "PHỤ LỤC", OVERDUE):
        assert expected in text, f"{expected!r} missing from the report's PDF"
    pages = PdfReader(tmp_path / "pdf" / "bao-cao.pdf").pages
    assert len(pages) >= 3
    first_lines = [page.extract_text().strip().split("\n")[0].strip() for page in pages]
    assert first_lines[0] != "1" and first_lines[1:] == [str(n) for n in range(2, len(pages) + 1)]
    sheet = pdf_text(tmp_path / "pdf" / "bang-tinh.pdf")
    assert "Tổng cộng" in sheet and "06/03/2023" in sheet


# --- the per-department transmittal and deadlines left ---------------------------------------

def test_deadline_note_counts_working_days_ahead_and_days_late(example_settings: Settings) -> None:
    labels = Labels(Texts(example_settings.languages), "vi", example_settings.timezone)
    tz = example_settings.timezone
    due = datetime(2023, 3, 6, 23, 59, tzinfo=tz)  # a Monday
    note = lambda *when: deadline_note(example_settings, labels, due, datetime(*when, tzinfo=tz))  # noqa: E731
    assert note(2023, 3, 2, 10) == "còn 2 ngày làm việc"  # Thursday: Friday and Monday are left
    assert note(2023, 3, 6, 8) == "hết hạn hôm nay"
    assert note(2023, 3, 9, 8) == "quá hạn 3 ngày"
    assert deadline_note(example_settings, labels, None, due) == ""


def test_a_department_gets_its_transmittal_in_chat_and_from_the_command_line(campaign: Harness,
                                                                              tmp_path: Path) -> None:
    (reply,) = campaign.officer("so-ct", "can-bo-ct").say("/transmittal")
    assert "Sở Công Thương: 2 câu hỏi" in reply.text
    (document,) = reply.message.attachments
    transmittal = Document(document.path)
    text = "\n".join([p.text for p in transmittal.paragraphs]
                     + [cell.text for table in transmittal.tables for row in table.rows for cell in row.cells])
    assert "PHIẾU CHUYỂN" in text and "/PC-SNV" in text and "Kính gửi: Sở Công Thương." in text
    table = next(t for t in Document(document.path).tables if t.rows[0].cells[0].text == "STT")
    assert [(r.cells[1].text, r.cells[5].text, r.cells[6].text) for r in table.rows[1:]] == [
        ("HY-0001", "06/03/2023", "đúng hạn"), ("HY-0004", "06/03/2023", "sau hạn")]
    (usage,) = campaign.admin().say("/transmittal so-xyz")
    assert "so-ct" in usage.text and not usage.message.attachments
    (refused,) = campaign.registered_youth("em", "Văn Giang").say("/transmittal so-ct")
    assert not refused.message.attachments
    nv = Document(write_transmittal_for(campaign, "so-nv", tmp_path / "so-nv.docx"))
    table = next(t for t in nv.tables if t.rows[0].cells[0].text == "STT")
    assert [(r.cells[1].text, r.cells[6].text) for r in table.rows[1:]] == [("HY-0002", "quá hạn 4 ngày")]


def write_transmittal_for(harness: Harness, department: str, out: Path) -> str:
    with harness.app.sessions() as session:
        scope = ReportScope(harness.settings, harness.app.services.texts, harness.app.campaign(session),
                            harness.clock.now())
        assert write_transmittal(session, scope, department, out) == 1
    return str(out)


def test_transmittal_and_progress_from_the_command_line(tmp_path: Path, clock: FakeClock,
                                                       example_settings: Settings, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    database = tmp_path / "bot.sqlite3"
    harness = reporting_harness(example_settings, f"sqlite:///{database}", clock, tmp_path)
    populate(harness)
    harness.dispose()
    config = tmp_path / "config.toml"
    config.write_text(EXAMPLE.read_text(encoding="utf-8").replace(
        'url = "sqlite:///youthbot.sqlite3"', f'url = "sqlite:///{database}"'), encoding="utf-8")
    out = tmp_path / "phieu.docx"
    monkeypatch.setattr("reports.build.PROGRESS_EVERY", 2)
    assert cli(["--config", str(config), "report", "--format", "csv", "--out", str(tmp_path / "r.csv")]) == 0
    assert "… 2 questions written" in capsys.readouterr().err  # a long report shows its progress
    assert cli(["--config", str(config), "transmittal", "--department", "so-ct", "--out", str(out)]) == 0
    assert "2 questions" in capsys.readouterr().err and out.exists()
    assert cli(["--config", str(config), "transmittal", "--department", "so-x", "--out", str(out)]) == 2
    assert "'so-x' is not a department key" in capsys.readouterr().err


def test_a_campaign_of_three_hundred_questions_adds_up(example_settings: Settings, database_url: str,
                                                       clock: FakeClock, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    harness = reporting_harness(example_settings, database_url, clock, tmp_path)
    try:
        counts = populate_campaign(harness, 300)
        with harness.app.sessions() as session:
            stats = gather_stats(session, harness.settings, harness.app.processor.campaign_id, harness.clock.now())
        totals = stats.totals
        assert stats.total == 300 == totals.received + stats.rejected + stats.merged
        assert totals.received == totals.answered + totals.at_dialogue + totals.overdue + totals.pending
        assert (totals.late, totals.at_dialogue, stats.rejected, stats.merged) == (
            counts["late"], counts["live"], counts["rejected"], counts["merged"])
        assert totals.answered == counts["on_time"] + counts["late"] + counts["both"]
        assert totals.pending == counts["pending"] + counts["in_review"] + counts["received"]
        progress: list[int] = []
        monkeypatch.setattr("reports.build.PROGRESS_EVERY", 100)
        with harness.app.sessions() as session:
            scope = ReportScope(harness.settings, harness.app.services.texts, harness.app.campaign(session),
                                harness.clock.now())
            assert write_report(session, scope, "docx", tmp_path / "r.docx", progress=progress.append) == 300
        assert progress == [100, 200, 300]
        document = Document(str(tmp_path / "r.docx"))
        departments = next(t for t in document.tables if t.rows[0].cells[0].text == "Cơ quan trả lời")
        received = [int(row.cells[1].text) for row in departments.rows[1:-1]]
        assert departments.rows[-1].cells[1].text == "300" and sum(received) == 300
    finally:
        harness.dispose()


def test_cards_pending_and_my_show_the_deadline_and_what_is_left(harness: Harness) -> None:
    an = harness.registered_youth("an", "Văn Giang")
    harness.ask(an, "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?", "Thương mại")
    card = next(m for m in harness.messages_to("dept-so-ct") if "HY-0001" in m.text and m.buttons)
    assert "⏰ hạn 23:59 06/03/2023, còn 16 ngày làm việc" in card.text  # Friday 10/02: 16 working days to 06/03
    officer = harness.officer("so-ct", "can-bo-ct")
    (pending,) = officer.say("/pending")
    assert "HY-0001" in pending.text and "còn 16 ngày làm việc" in pending.text
    (mine,) = an.say("/my")
    assert "hạn 23:59 06/03/2023, còn 16 ngày làm việc" in mine.text
    harness.clock.advance(datetime(2023, 3, 9, 9, tzinfo=harness.settings.timezone) - harness.clock.now())
    (pending,) = officer.say("/pending")
    assert "quá hạn 3 ngày" in pending.text
