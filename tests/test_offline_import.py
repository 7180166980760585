"""Questions gathered offline: the template, the checked preview (nothing stored), the import in one
transaction, and imported questions routed, carded, answered and reported like chat questions."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.cli import main as cli
from core.clock import FakeClock
from core.texts import Texts
from handlers import offline
from handlers.context import Job
from reports.build import ReportScope, write_report
from reports.offline_file import ImportFileError, RawRow, read_rows, write_template
from storage.db import make_engine, transaction
from storage.models import Account, AuditEntry, Question, QuestionSource, QuestionStatus
from storage.privacy import forget_person
from tests.conftest import EXAMPLE_CONFIG
from tests.harness import Harness

HEADERS = ["STT", "Huyện/đơn vị", "Lĩnh vực", "Câu hỏi", "Người hỏi (không bắt buộc)"]
SHOPEE = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"
ROWS = [  # district typed without diacritics, an empty field (suggested), and five kinds of bad rows
    [1, "van giang", "Thương mại điện tử", SHOPEE, "Nguyễn Văn A"],
    [2, "Huyện Khoái Châu", "", "Có lớp tập huấn dùng drone phun thuốc cho nông dân trẻ không ạ?", ""],
    [3, "Huyện Atlantis", "Thương mại điện tử", "Tỉnh có hỗ trợ thanh niên khởi nghiệp bán hàng qua mạng không?", ""],
    [4, "Văn Lâm", "Du hành vũ trụ", "Tỉnh có chương trình nào cho thanh niên yêu khoa học vũ trụ không?", ""],
    [5, "Văn Lâm", "", "", ""],
    [6, "Văn Lâm", "", "x" * 3001, ""],
    [7, "Văn Giang", "", "Bán hàng online trên Shopee có phải nộp thuế không ạ?", ""],
]


def xlsx_of(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["Danh sách câu hỏi hội nghị đối thoại Huyện đoàn Văn Giang"])  # a title above the header
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def job_of(harness: Harness, session: Session) -> Job:
    return Job(harness.app.services, session, harness.clock.now(), campaign=harness.app.campaign(session))


def checked(harness: Harness, rows: list[RawRow]) -> offline.Preview:
    with transaction(harness.app.sessions) as session:
        return offline.check(job_of(harness, session), rows)


def imported(harness: Harness, rows: list[RawRow], source: str = "Trực tiếp, Huyện đoàn Văn Giang") -> list[str]:
    with transaction(harness.app.sessions) as session:
        codes = [q.code or "" for q in offline.confirm(job_of(harness, session), rows, source, "vg.xlsx", "cli:admin")]
    harness.flush()
    return codes


def question_count(harness: Harness) -> int:
    with harness.app.sessions() as session:
        return session.scalar(select(func.count()).select_from(Question)) or 0


def test_preview_lists_bad_rows_with_reasons_and_stores_nothing(harness: Harness, tmp_path: Path) -> None:
    rows = read_rows(xlsx_of(tmp_path / "vg.xlsx", ROWS), harness.app.services.texts)
    assert [r.line for r in rows] == [3, 4, 5, 6, 7, 8, 9]  # spreadsheet row numbers, below title and header
    preview = checked(harness, rows)
    reasons = {row.line: [p.key for p in row.problems] for row in preview.rows}
    assert reasons == {3: [], 4: [], 5: ["import_district_unknown"], 6: ["import_category_unknown"],
                       7: ["import_text_missing"], 8: ["import_text_long"], 9: ["import_duplicate_in_file"]}
    good = {row.line: (row.district_key, row.category_key) for row in preview.good}
    assert good == {3: ("van-giang", "ecommerce"), 4: ("khoai-chau", "agriculture")}
    assert preview.rows[-1].problems[0].values == {"line": 3}
    assert question_count(harness) == 0
    assert harness.transport.delivered == []


def test_confirm_imports_good_rows_routed_and_carded_with_their_source(harness: Harness, tmp_path: Path) -> None:
    rows = read_rows(xlsx_of(tmp_path / "vg.xlsx", ROWS), harness.app.services.texts)
    codes = imported(harness, rows)
    assert codes == ["HY-0001", "HY-0002"]
    with harness.app.sessions() as session:
        questions = session.scalars(select(Question).order_by(Question.id)).all()
        assert [(q.status, q.department_key, q.district_key) for q in questions] == [
            (QuestionStatus.FORWARDED, "so-ct", "van-giang"), (QuestionStatus.FORWARDED, "so-nnptnt", "khoai-chau")]
        assert all(q.answer_due_at is not None for q in questions)
        source = session.scalars(select(QuestionSource)).one()
        assert source.label == "Trực tiếp, Huyện đoàn Văn Giang"
        assert {q.source_id for q in questions} == {source.id}
        assert questions[0].asker_name == "Nguyễn Văn A"
        placeholder = session.get_one(Account, source.account_id)
        assert (placeholder.chat_id, placeholder.subscribed) == ("", False)  # no chat, no broadcasts
    card = harness.messages_to("dept-so-ct")[-1]
    assert "HY-0001" in card.text and "Huyện đoàn Văn Giang" in card.text
    assert harness.messages_to("dept-so-nnptnt")[-1].text.count("HY-0002") == 1
    # The same file again: every good row now repeats a stored question, so nothing is imported twice.
    again = checked(harness, rows)
    assert [p.key for row in again.rows[:2] for p in row.problems] == ["import_duplicate_stored"] * 2
    assert imported(harness, rows) == []
    assert question_count(harness) == 2


def test_an_imported_question_is_answered_and_the_answer_stored(harness: Harness, tmp_path: Path) -> None:
    imported(harness, read_rows(xlsx_of(tmp_path / "vg.xlsx", ROWS[:1]), harness.app.services.texts))
    officer = harness.officer("so-ct")
    told = officer.reply(harness.messages_to("dept-so-ct")[-1], "Có, em cần đăng ký và kê khai thuế.")
    with harness.app.sessions() as session:
        question = session.scalars(select(Question)).one()
        assert question.status == QuestionStatus.ANSWERED
        assert question.answers[0].text.startswith("Có, em cần")
    notices = [d.text for d in told + harness.messages_to("dept-so-ct") if "HY-0001" in d.text]
    expected = harness.app.services.texts.render("vi", "notice_offline", codes="HY-0001")
    assert expected in notices  # not "the asker erased their data"
    out = tmp_path / "report.csv"
    with harness.app.sessions() as session:
        write_report(session, ReportScope(harness.settings, harness.app.services.texts, harness.app.campaign(session),
                                          harness.clock.now()), "csv", out)
    (row,) = csv.DictReader(out.open(encoding="utf-8-sig"))
    assert row["Trả lời"].startswith("Có, em cần") and row["Nguồn"] == "Trực tiếp, Huyện đoàn Văn Giang"
    with harness.app.sessions() as session:  # the Word report's annex has the source too
        write_report(session, ReportScope(harness.settings, harness.app.services.texts, harness.app.campaign(session),
                                          harness.clock.now()), "docx", tmp_path / "report.docx")
    annex = [[c.text for c in r.cells] for t in Document(str(tmp_path / "report.docx")).tables for r in t.rows
             if r.cells[0].text == "HY-0001"]
    assert annex and annex[-1][2] == "Trực tiếp, Huyện đoàn Văn Giang"


def test_templates_list_units_and_fields_and_read_back(example_settings, tmp_path: Path) -> None:  # noqa: ANN001
    texts = Texts(example_settings.languages, {})
    write_template(example_settings, texts, tmp_path / "mau.xlsx")
    book = load_workbook(tmp_path / "mau.xlsx")
    questions, lists = book.worksheets
    assert [c.value for c in questions[1]] == HEADERS
    assert [r[0].value for r in lists.iter_rows(min_row=2)][:len(example_settings.districts)] == [
        d.name for d in example_settings.districts]
    assert {str(v.sqref) for v in questions.data_validations.dataValidation} == {"B2:B501", "C2:C501"}
    write_template(example_settings, texts, tmp_path / "mau.csv")
    raw = (tmp_path / "mau.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert table[0][:5] == HEADERS
    assert table[1][5] == example_settings.districts[0].name
    assert read_rows(tmp_path / "mau.csv", texts) == []  # the lists beside the columns are no questions
    with (tmp_path / "mau.csv").open("a", encoding="utf-8", newline="") as file:
        csv.writer(file).writerow(["1", "khoai chau", "", SHOPEE, ""])
    assert read_rows(tmp_path / "mau.csv", texts)[-1].district == "khoai chau"


def test_a_file_that_is_no_question_list_is_refused(example_settings, tmp_path: Path) -> None:  # noqa: ANN001
    texts = Texts(example_settings.languages, {})
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "utf16.csv").write_bytes("Huyện,Câu hỏi\n".encode("utf-16"))  # Excel's "Unicode text"
    (tmp_path / "q.pdf").write_bytes(b"%PDF")
    for name, key in (("notes.csv", "import_file_no_header"), ("utf16.csv", "import_file_encoding"),
                      ("q.pdf", "import_file_kind")):
        with pytest.raises(ImportFileError) as error:
            read_rows(tmp_path / name, texts)
        assert error.value.key == key


def test_cli_previews_then_imports(database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8").replace(
        'url = "sqlite:///youthbot.sqlite3"', f'url = "{database_url}"'), encoding="utf-8")
    file = xlsx_of(tmp_path / "vg.xlsx", ROWS)
    arguments = ["--config", str(config), "import", str(file), "--source", "Trực tiếp, Huyện đoàn Văn Giang"]
    assert cli(arguments) == 0
    preview = capsys.readouterr().out
    assert "2 câu hỏi hợp lệ, 5 dòng lỗi" in preview and "Dòng 5:" in preview
    assert cli(arguments + ["--confirm"]) == 0
    assert "HY-0001 … HY-0002" in capsys.readouterr().out
    assert cli(arguments + ["--confirm"]) == 1  # a second time: all duplicates, nothing imported
    with make_engine(database_url).connect() as connection:  # the import is in the audit log, the previews not
        rows = connection.execute(select(AuditEntry.action, AuditEntry.status)).all()
    assert [tuple(r) for r in rows] == [("import_questions", "done"), ("import_questions", "refused")]


def test_retention_erases_the_offline_askers_names(harness: Harness, tmp_path: Path) -> None:
    imported(harness, read_rows(xlsx_of(tmp_path / "vg.xlsx", ROWS[:1]), harness.app.services.texts))
    with transaction(harness.app.sessions) as session:
        source = session.scalars(select(QuestionSource)).one()
        forget_person(session, source.account.person, harness.clock.now())
    with harness.app.sessions() as session:
        question = session.scalars(select(Question)).one()
        assert question.asker_name is None and question.text == SHOPEE
        assert question.source.label == "Trực tiếp, Huyện đoàn Văn Giang"  # a union's name is no personal data


def test_with_approval_required_imported_questions_wait_for_review(example_settings, database_url: str,  # noqa: ANN001
                                                                   clock: FakeClock, tmp_path: Path) -> None:
    settings = replace(example_settings, curation=replace(example_settings.curation, approval_required=True))
    harness = Harness(settings, database_url, clock)
    try:
        imported(harness, read_rows(xlsx_of(tmp_path / "vg.xlsx", ROWS[:2]), harness.app.services.texts))
        with harness.app.sessions() as session:
            statuses = session.scalars(select(Question.status).order_by(Question.id)).all()
        assert statuses == [QuestionStatus.IN_REVIEW, QuestionStatus.IN_REVIEW]
        assert harness.messages_to("dept-so-ct") == []  # departments see it once the Youth Union approves
        review = [d.text for d in harness.messages_to("coordinator")]
        assert any("HY-0001" in text for text in review) and any("HY-0002" in text for text in review)
    finally:
        harness.dispose()
