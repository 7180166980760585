"""The report for the leadership: rows grouped by department then category, deadline
compliance, statistics, and the same content in CSV, XLSX and DOCX, from the CLI too."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from bot.cli import main
from core.clock import FakeClock
from core.config import Settings
from reports.build import ReportScope, write_report
from reports.labels import Labels
from reports.rows import Compliance, ReportRow, report_rows
from reports.stats import Stats, gather_stats
from storage.db import transaction
from storage.models import Answer, AuditEntry, Question, QuestionStatus
from tests.harness import Harness
from tests.report_data import (
    ANSWER_LATE,
    ANSWER_ON_TIME,
    LATE,
    ON_TIME,
    OVERDUE,
    REJECT_REASON,
    REJECTED,
    populate,
    reporting_harness,
)


def rows(harness: Harness) -> list[ReportRow]:
    with harness.app.sessions() as session:
        return list(report_rows(session, harness.settings, harness.app.processor.campaign_id, harness.clock.now()))


def stats(harness: Harness) -> Stats:
    with harness.app.sessions() as session:
        return gather_stats(session, harness.settings, harness.app.processor.campaign_id, harness.clock.now())


def write(harness: Harness, format: str, out: Path) -> int:
    with harness.app.sessions() as session:
        campaign = harness.app.campaign(session)
        scope = ReportScope(harness.settings, harness.app.services.texts, campaign, harness.clock.now())
        return write_report(session, scope, format, out)


def test_rows_are_grouped_by_department_then_category_in_config_order(populated: Harness) -> None:
    found = rows(populated)
    # so-tttt, so-ct, so-nv in the configuration's order; within so-ct by number
    assert [r.code for r in found] == ["HY-0003", "HY-0001", "HY-0004", "HY-0002"]
    assert [r.department for r in found] == ["Sở Thông tin và Truyền thông", "Sở Công Thương", "Sở Công Thương",
                                             "Sở Nội vụ"]
    assert found[1].category == "Thương mại điện tử" and found[1].district == "Huyện Văn Giang"


def test_rows_carry_answers_and_deadline_compliance(populated: Harness) -> None:
    by_code = {r.code: r for r in rows(populated)}
    assert by_code["HY-0001"].answer == ANSWER_ON_TIME
    assert by_code["HY-0001"].answered_by == "can-bo-ct (Sở Công Thương)"
    assert by_code["HY-0001"].compliance is Compliance.ON_TIME
    assert by_code["HY-0004"].answer == ANSWER_LATE and by_code["HY-0004"].compliance is Compliance.LATE
    assert by_code["HY-0002"].compliance is Compliance.OVERDUE and by_code["HY-0002"].answer == ""
    assert by_code["HY-0003"].status == QuestionStatus.REJECTED
    assert by_code["HY-0003"].compliance is Compliance.CLOSED
    assert by_code["HY-0003"].rejection_reason == REJECT_REASON


def test_statistics_per_department(populated: Harness) -> None:
    result = stats(populated)
    assert result.total == 4 and result.answered == 2 and result.late == 1 and result.overdue == 1
    assert ("Huyện Văn Giang", 2) in result.by_district and ("Huyện Yên Mỹ", 1) in result.by_district
    assert ("Thương mại điện tử", 2) in result.by_category
    so_ct = next(d for d in result.departments if d.name == "Sở Công Thương")
    assert (so_ct.received, so_ct.answered, so_ct.answer_rate, so_ct.late) == (2, 2, 1.0, 1)
    assert so_ct.median_days == pytest.approx((1 + (datetime(2023, 3, 10, 2, tzinfo=UTC)
                                                    - datetime(2023, 2, 10, 2, tzinfo=UTC)).days) / 2)
    so_nv = next(d for d in result.departments if d.name == "Sở Nội vụ")
    assert (so_nv.received, so_nv.answered, so_nv.overdue, so_nv.median_days) == (1, 0, 1, None)
    so_tttt = next(d for d in result.departments if d.name == "Sở Thông tin và Truyền thông")
    assert so_tttt.received == 0  # a rejected question is not held against the department


def test_usefulness_is_counted(changeable: Harness) -> None:
    """The askers' verdicts (recorded by the usefulness follow-up, tested in test_reminders)."""
    with transaction(changeable.app.sessions) as session:
        for code, useful in (("HY-0001", True), ("HY-0004", False)):
            session.scalars(select(Question).where(Question.code == code)).one().useful = useful
    so_ct = next(d for d in stats(changeable).departments if d.name == "Sở Công Thương")
    assert (so_ct.useful_yes, so_ct.useful_no, so_ct.useful_share) == (1, 1, 0.5)
    assert [r.useful for r in rows(changeable) if r.code in ("HY-0001", "HY-0004")] == [True, False]


def test_csv_has_a_header_and_a_row_per_question(populated: Harness, tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    assert write(populated, "csv", out) == 4
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    with out.open(encoding="utf-8-sig", newline="") as file:
        table = list(csv.reader(file))
    assert table[0][:5] == ["Mã", "Cơ quan trả lời", "Lĩnh vực", "Đơn vị", "Câu hỏi"]
    assert [line[0] for line in table[1:]] == ["HY-0003", "HY-0001", "HY-0004", "HY-0002"]
    first = dict(zip(table[0], table[2], strict=True))
    assert first["Câu hỏi"] == ON_TIME and first["Trả lời"] == ANSWER_ON_TIME
    assert first["Thời hạn"] == "đúng hạn" and first["Trạng thái"] == "đã trả lời"
    assert first["Hạn trả lời"] == "23:59 06/03/2023"
    assert dict(zip(table[0], table[1], strict=True))["Trả lời"] == f"Không tiếp nhận: {REJECT_REASON}"


def test_xlsx_holds_questions_and_statistics(populated: Harness, tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    assert write(populated, "xlsx", out) == 4
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["Câu hỏi", "Thống kê", "Theo đơn vị", "Theo lĩnh vực", "Nhật ký thao tác"]
    questions = list(book["Câu hỏi"].iter_rows(values_only=True))
    assert questions[0][0] == "Mã" and len(questions) == 6 and questions[5][0] == "Tổng cộng"
    assert (questions[3][0], questions[3][4], questions[3][5]) == ("HY-0004", LATE, ANSWER_LATE)
    assert questions[3][12] == "sau hạn" and questions[4][12] == "quá hạn"
    statistics = {row[0]: row for row in book["Thống kê"].iter_rows(values_only=True) if row and row[0]}
    assert statistics["Sở Công Thương"][:4] == ("Sở Công Thương", 2, 2, 1)  # received, answered, late
    book.close()
    questions_sheet = load_workbook(out)["Câu hỏi"]
    assert questions_sheet["E2"].alignment.wrap_text and questions_sheet["F2"].alignment.wrap_text
    assert not questions_sheet["A2"].alignment.wrap_text


def test_docx_has_headings_per_department_and_category_and_the_charts(populated: Harness, tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    assert write(populated, "docx", out) == 4
    document = Document(str(out))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Sở Thông tin và Truyền thông", "Chuyển đổi số, chính quyền số",
                        "Sở Công Thương", "Thương mại điện tử",
                        "Sở Nội vụ", "Chính sách thanh niên, vấn đề khác"]
    assert len(document.inline_shapes) == 6  # the charts
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    still_open = next(table for table in tables if table[0][-1] == "Thời hạn còn lại")  # section III
    assert [(row[1], row[-1]) for row in still_open[1:]] == [("HY-0002", "quá hạn 4 ngày")]
    tables = [table for table in tables if table[0][0] == "Mã"]  # the annex: one table per category
    so_ct = tables[1]
    assert [row[0] for row in so_ct] == ["Mã", "HY-0001", "HY-0004"]
    assert so_ct[0][2] == "Nguồn" and so_ct[1][2] == "Hỏi qua chat"
    assert so_ct[1][3] == ON_TIME and so_ct[1][4] == ANSWER_ON_TIME
    assert "Hạn: 06/03/2023" in so_ct[1][6] and "đúng hạn" in so_ct[1][7]
    assert any(REJECTED == row[3] for row in tables[0])
    assert any(OVERDUE == row[3] and "quá hạn" in row[7] for row in tables[2])


def test_the_report_counts_staff_actions_from_the_audit_log(populated: Harness, tmp_path: Path) -> None:
    """Issue 12: the audit log in the XLSX (one row per action, in staff words) and counted by kind in the
    DOCX; question codes, never a platform id."""
    labels = Labels(populated.app.services.texts, "vi", populated.settings.timezone)
    with populated.app.sessions() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        whos = {entry.who for entry in entries}
    assert [(e.action, e.status) for e in entries] == [("answer", "done"), ("reject", "done"), ("answer", "done")]
    write(populated, "xlsx", tmp_path / "report.xlsx")
    book = load_workbook(tmp_path / "report.xlsx", read_only=True)
    sheet = list(book[labels("sheet_staff_actions")].iter_rows(values_only=True))
    book.close()
    assert sheet[0] == tuple(labels(k) for k in ("col_time", "col_action", "col_code", "col_role", "col_surface",
                                                  "col_status"))
    officer, done = labels("role_officer"), labels("audit_status_done")
    assert [row[1:] for row in sheet[1:-1]] == [
        (labels("action_answer"), "HY-0001", officer, labels("surface_reply"), done),
        (labels("action_reject"), "HY-0003", officer, labels("surface_command"), done),
        (labels("action_answer"), "HY-0004", officer, labels("surface_reply"), done)]
    assert all(isinstance(row[0], datetime) for row in sheet[1:-1]) and sheet[-1] == (labels("row_total"), 3)
    assert not whos & {str(cell) for row in sheet for cell in row}
    write(populated, "docx", tmp_path / "report.docx")
    paragraphs = [p.text for p in Document(str(tmp_path / "report.docx")).paragraphs]
    counted = paragraphs[paragraphs.index(labels("form_staff_actions")) + 1]
    assert counted == labels("form_staff_actions_summary", total=3, refused=0,
                             kinds=f"{labels('action_answer')} 2, {labels('action_reject')} 1")
    assert not any(who in text for who in whos for text in paragraphs)


def test_report_of_an_empty_campaign(example_settings: Settings, database_url: str, clock: FakeClock,
                                     tmp_path: Path) -> None:
    populated = reporting_harness(example_settings, database_url, clock, tmp_path)
    try:
        assert write(populated, "docx", tmp_path / "empty.docx") == 0
        assert "Chưa có câu hỏi nào." in [p.text for p in Document(str(tmp_path / "empty.docx")).paragraphs]
        assert write(populated, "xlsx", tmp_path / "empty.xlsx") == 0
        with pytest.raises(ValueError, match="unknown report format 'pdf'"):
            write(populated, "pdf", tmp_path / "x.pdf")
    finally:
        populated.dispose()


def test_command_line_writes_the_report(tmp_path: Path, clock: FakeClock, example_settings: Settings,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "bot.sqlite3"
    populated = reporting_harness(example_settings, f"sqlite:///{database}", clock, tmp_path)
    populate(populated)
    populated.dispose()
    config = tmp_path / "config.toml"
    example = (Path(__file__).resolve().parents[1] / "config.example.toml").read_text(encoding="utf-8")
    config.write_text(example.replace('url = "sqlite:///youthbot.sqlite3"', f'url = "sqlite:///{database}"'),
                      encoding="utf-8")
    out = tmp_path / "out" / "bao-cao.csv"
    assert main(["--config", str(config), "report", "--format", "csv", "--out", str(out)]) == 0
    assert "4 questions" in capsys.readouterr().err
    assert ON_TIME in out.read_text(encoding="utf-8-sig")
    with pytest.raises(SystemExit):
        main(["--config", str(config), "report", "--format", "pdf", "--out", str(out)])
    past = tmp_path / "2022.csv"
    assert main(["--config", str(config), "report", "--format", "csv", "--out", str(past),
                 "--campaign", "hung-yen-2022"]) == 2
    assert "no campaign 'hung-yen-2022' in the database (there are: hung-yen-2023)" in capsys.readouterr().err
    assert main(["--config", str(config), "report", "--format", "csv", "--out", str(past),
                 "--campaign", "hung-yen-2023"]) == 0 and ON_TIME in past.read_text(encoding="utf-8-sig")


def test_control_characters_do_not_break_word_or_excel(changeable: Harness, tmp_path: Path) -> None:
    with transaction(changeable.app.sessions) as session:
        session.scalars(select(Question).where(Question.code == "HY-0002")).one().text = "Sân\x0cchơi\x0b thể thao"
    write(changeable, "docx", tmp_path / "r.docx")
    write(changeable, "xlsx", tmp_path / "r.xlsx")
    assert any("Sânchơi thể thao" in cell.text for table in Document(str(tmp_path / "r.docx")).tables
               for row in table.rows for cell in row.cells)
    book = load_workbook(tmp_path / "r.xlsx", read_only=True)
    assert "Sânchơi thể thao" in [row[4] for row in book["Câu hỏi"].iter_rows(values_only=True) if len(row) > 4]
    book.close()


def test_a_leaders_answer_at_the_event_has_its_own_column_and_label(changeable: Harness, tmp_path: Path) -> None:
    """/live (handlers/event_day.py) stores the summary as an answer with source "live"."""
    with transaction(changeable.app.sessions) as session:
        question = session.scalars(select(Question).where(Question.code == "HY-0002")).one()
        question.answers.append(Answer(department_key="so-nv", platform="console", chat_id="coordinator",
                                       message_id="live-1", officer="console:thu-ky", officer_name="Thư ký",
                                       text="Tỉnh sẽ xây sân chơi trong năm 2023.", created_at=changeable.clock.now(),
                                       source="live"))
        question.status, question.answered_at = QuestionStatus.ANSWERED, changeable.clock.now()
    by_code = {r.code: r for r in rows(changeable)}
    assert (by_code["HY-0002"].answer, by_code["HY-0002"].live_answer) == ("", "Tỉnh sẽ xây sân chơi trong năm 2023.")
    assert by_code["HY-0002"].answered_by == ""  # the secretary typed it; the department did not answer
    assert by_code["HY-0002"].compliance is Compliance.AT_DIALOGUE
    so_nv = next(d for d in stats(changeable).departments if d.name == "Sở Nội vụ")
    assert (so_nv.overdue, so_nv.at_dialogue, so_nv.late, so_nv.answered) == (0, 1, 0, 0)
    write(changeable, "csv", tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as file:
        table = list(csv.reader(file))
    assert dict(zip(table[0], table[-1], strict=True))["Trả lời tại buổi đối thoại"] == by_code["HY-0002"].live_answer
    write(changeable, "docx", tmp_path / "r.docx")
    cells = [cell.text for table in Document(str(tmp_path / "r.docx")).tables for row in table.rows
             for cell in row.cells]
    assert "Tại buổi đối thoại: Tỉnh sẽ xây sân chơi trong năm 2023." in cells
