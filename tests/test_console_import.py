"""Questions gathered offline, uploaded from the console: who may, the template, refused files, a preview
that stores nothing, a confirmation that imports every good row once with its source through the
action of the command line, and the board filtered by that source."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from starlette.testclient import TestClient

from core.clock import FakeClock
from core.config import Settings
from storage.models import AuditEntry, Question, QuestionSource, QuestionStatus
from tests.console_client import csrf_of, server, signed_in_client
from tests.harness import Harness
from tests.test_console_security import console_staff
from webconsole import importpage

HEADERS = ["STT", "Huyện/đơn vị", "Lĩnh vực", "Câu hỏi", "Người hỏi (không bắt buộc)"]
SHOPEE = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"
SOURCE = "Trực tiếp, Huyện đoàn Văn Giang"
ROWS = [
    [1, "van giang", "Thương mại điện tử", SHOPEE, "Nguyễn Văn A"],
    [2, "Huyện Khoái Châu", "", "Có lớp tập huấn dùng drone phun thuốc cho nông dân trẻ không ạ?", ""],
    [3, "Huyện Atlantis", "", "Tỉnh có hỗ trợ thanh niên khởi nghiệp bán hàng qua mạng không?", ""],
    [4, "Văn Lâm", "Du hành vũ trụ", "Tỉnh có chương trình nào cho thanh niên yêu khoa học vũ trụ không?", ""],
    [5, "Văn Lâm", "", "", ""],
    [6, "Văn Giang", "", "Bán hàng online trên Shopee có phải nộp thuế không ạ?", ""],
]
BAD = {  # by spreadsheet row (the header is row 1): the reason and its values
    4: ("import_district_unknown", {"district": "Huyện Atlantis", "fitting": ""}),
    5: ("import_category_unknown", {"category": "Du hành vũ trụ"}),
    6: ("import_text_missing", {}),
    7: ("import_duplicate_in_file", {"line": 2}),
}


@pytest.fixture
def site(example_settings: Settings, database_url: str, clock: FakeClock, tmp_path: Path) -> Iterator[Harness]:
    settings = console_staff(example_settings)
    harness = Harness(replace(settings, reports=replace(settings.reports, folder=tmp_path / "exports")),
                      database_url, clock)
    yield harness
    harness.dispose()


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def upload(client: TestClient, content: bytes, name: str = "vg.xlsx", source: str = SOURCE,
           csrf: str | None = None):  # noqa: ANN201 - an httpx response
    token = csrf if csrf is not None else csrf_of(client.get("/console/import").text)
    return client.post("/console/import", data={"csrf": token, "source": source},
                       files={"file": (name, content, "application/octet-stream")})


def upload_id(page: str) -> str:
    found = re.search(r'name="upload" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def confirm(client: TestClient, preview: str):  # noqa: ANN201
    return client.post("/console/import/confirm", data={"csrf": csrf_of(preview), "upload": upload_id(preview)})


def text(harness: Harness, key: str, **values: object) -> str:
    return harness.app.services.texts.render("vi", key, **values)


def questions(harness: Harness) -> list[Question]:
    with harness.app.sessions() as session:
        found = list(session.scalars(select(Question).order_by(Question.number)))
        session.expunge_all()
        return found


def audit_count(harness: Harness) -> int:
    with harness.app.sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "import_questions")) or 0


def test_only_admins_and_the_coordinator_may_import(site: Harness) -> None:
    assert server(site).get("/console/import").status_code == 401
    for account in ("console:officer-so-ct", "console:leader"):
        client = signed_in_client(site, account)
        assert client.get("/console/import").status_code == 403
        assert client.get("/console/import/template.xlsx").status_code == 403
        assert "/console/import" not in client.get("/console/").text  # no link in the header
        token = csrf_of(client.get("/console/").text)
        assert upload(client, xlsx(ROWS), csrf=token).status_code == 403
    for account in ("console:admin", "console:coord"):
        page = signed_in_client(site, account).get("/console/import")
        assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
        assert "Trực tiếp, Huyện đoàn Văn Giang" in page.text  # the district unions offered as sources
    assert questions(site) == []


def test_the_templates_download_with_vietnamese_headers_and_lists(site: Harness, tmp_path: Path) -> None:
    admin = signed_in_client(site, "console:admin")
    answer = admin.get("/console/import/template.xlsx")
    assert answer.status_code == 200 and "mau-cau-hoi.xlsx" in answer.headers["content-disposition"]
    (tmp_path / "t.xlsx").write_bytes(answer.content)
    book = load_workbook(tmp_path / "t.xlsx")
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert len(sheet.data_validations.dataValidation) == 2  # the district and category drop-downs
    rows = list(csv.reader(io.StringIO(admin.get("/console/import/template.csv").content.decode("utf-8-sig"))))
    assert rows[0][:5] == HEADERS and "Huyện Văn Giang" in [row[5] for row in rows[1:]]
    assert admin.get("/console/import/template.pdf").status_code == 404


def test_csrf_and_bad_files_are_refused_with_a_clear_message(site: Harness) -> None:
    admin = signed_in_client(site, "console:admin")
    assert upload(admin, xlsx(ROWS), csrf="forged").status_code == 403
    cases = [(upload(admin, b"%PDF-1.4", "vg.pdf"), "import_file_kind", {"name": "vg.pdf"}),
             (upload(admin, b"not a zip", "vg.xlsx"), "import_file_unreadable", {"name": "vg.xlsx"}),
             (upload(admin, "STT,Câu hỏi\n".encode("utf-16"), "vg.csv"), "import_file_encoding", {"name": "vg.csv"}),
             (upload(admin, b"a,b\n1,2\n", "vg.csv"), "import_file_no_header", {}),
             (upload(admin, csv_bytes([[1, "Văn Giang", "", "x" * 200_000, ""]]), "vg.csv"),
              "console_import_unreadable", {"name": "vg.csv"}),  # a cell over the csv module's limit
             (upload(admin, xlsx(ROWS), source="  "), "console_import_source_missing", {}),
             (upload(admin, b"x" * (importpage.MAX_BYTES + 1), "big.csv"), "console_import_too_big",
              {"megabytes": 2}),  # counted while read
             (upload(admin, b"x" * (importpage.MAX_BYTES + importpage.MULTIPART_SLACK), "big.csv"),
              "console_import_too_big", {"megabytes": 2})]  # refused by its length, unread
    for answer, key, values in cases:
        assert answer.status_code in (400, 413), key
        assert str(text(site, key, **values)) in answer.text, key
    assert list((site.settings.reports.folder / "uploads").glob("*.json")) == []  # nothing refused is kept
    near_limit = csv_bytes(ROWS) + b";;;;\r\n" * (importpage.MAX_BYTES // 6 - 200)  # blank rows: under the limit, read
    assert len(near_limit) > importpage.MAX_BYTES * 0.9 and upload(admin, near_limit, "vg.csv").status_code == 200
    assert questions(site) == [] and audit_count(site) == 0


def test_the_preview_lists_every_row_and_stores_nothing(site: Harness) -> None:
    admin = signed_in_client(site, "console:admin")
    answer = upload(admin, xlsx(ROWS))
    assert answer.status_code == 200 and "/console/import/preview?upload=" in str(answer.url)
    page = answer.text
    for line, (key, values) in BAD.items():
        row = re.search(rf'<tr data-line="{line}">(.*?)</tr>', page, re.S)
        assert row and str(text(site, key, **values)) in row.group(1), (line, key)
    good = re.search(r'id="good-rows">(.*?)</table>', page, re.S)
    assert good and good.group(1).count("<tr data-line=") == 2
    assert "Nguyễn Văn A" not in page  # the asker's name is never shown
    assert admin.get(str(answer.url)).status_code == 200  # a reload shows it again
    assert questions(site) == [] and audit_count(site) == 0
    assert [d for d in site.transport.delivered if d.message.chat.chat_id.startswith("dept-")] == []


def test_confirm_imports_every_good_row_once_with_its_source(site: Harness) -> None:
    admin = signed_in_client(site, "console:admin")
    preview = upload(admin, xlsx(ROWS)).text
    done = confirm(admin, preview)
    assert done.status_code == 200, done.text
    imported = questions(site)
    assert [(q.code, q.status, q.district_key) for q in imported] == [
        ("HY-0001", QuestionStatus.FORWARDED, "van-giang"), ("HY-0002", QuestionStatus.FORWARDED, "khoai-chau")]
    with site.app.sessions() as session:
        source = session.scalars(select(QuestionSource)).one()
        assert (source.label, source.file_name, source.imported_by) == (SOURCE, "vg.xlsx", "console:admin")
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "import_questions")).one()
        assert (entry.surface, entry.status) == ("web", "done")
    assert {q.source_id for q in imported} == {source.id}
    link = re.search(r'id="imported-board" href="([^"]+)"|href="([^"]+)" id="imported-board"', done.text)
    assert link
    board = admin.get((link.group(1) or link.group(2)).replace("&amp;", "&")).text
    assert "HY-0001" in board and "HY-0002" in board and SOURCE in board
    # The same upload again (a second press, a reload of the form): it is gone, nothing more imported.
    again = confirm(admin, preview)
    assert again.status_code == 409 and len(questions(site)) == 2 and audit_count(site) == 1


def test_the_same_file_uploaded_again_is_all_duplicates(site: Harness) -> None:
    admin = signed_in_client(site, "console:admin")
    confirm(admin, upload(admin, csv_bytes(ROWS[:2]), "vg.csv").text)
    site.flush()
    page = upload(admin, csv_bytes(ROWS[:2]), "vg.csv").text
    for code in ("HY-0001", "HY-0002"):
        assert str(text(site, "import_duplicate_stored", code=code)) in page
    assert 'id="confirm"' not in page  # no good row: nothing to confirm
    assert len(questions(site)) == 2


def test_another_session_cannot_use_the_upload(site: Harness) -> None:
    preview = upload(signed_in_client(site, "console:admin"), xlsx(ROWS)).text
    coordinator = signed_in_client(site, "console:coord")
    token = csrf_of(coordinator.get("/console/import").text)
    answer = coordinator.post("/console/import/confirm", data={"csrf": token, "upload": upload_id(preview)})
    assert answer.status_code == 409 and questions(site) == []
    assert coordinator.get(f"/console/import/preview?upload={upload_id(preview)}").status_code == 404


def test_a_failed_import_rolls_everything_back(site: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    from handlers import offline

    admin = signed_in_client(site, "console:admin")
    preview = upload(admin, xlsx(ROWS)).text
    calls = []

    def failing(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the second question fails")
    monkeypatch.setattr(offline, "_route", failing)
    with pytest.raises(RuntimeError):
        confirm(admin, preview)
    assert questions(site) == [] and audit_count(site) == 0
    monkeypatch.undo()
    assert confirm(admin, preview).status_code == 200  # the file was given back: confirm again
    assert len(questions(site)) == 2


def test_with_approval_required_imported_questions_wait_for_review(example_settings: Settings, database_url: str,
                                                                   clock: FakeClock, tmp_path: Path) -> None:
    settings = console_staff(example_settings)
    settings = replace(settings, curation=replace(settings.curation, approval_required=True),
                       reports=replace(settings.reports, folder=tmp_path))
    harness = Harness(settings, database_url, clock)
    try:
        coordinator = signed_in_client(harness, "console:coord")
        assert confirm(coordinator, upload(coordinator, xlsx(ROWS[:2])).text).status_code == 200
        assert [q.status for q in questions(harness)] == [QuestionStatus.IN_REVIEW] * 2
        assert "HY-0001" not in coordinator.get("/console/?source=999").text  # another import's: none
    finally:
        harness.dispose()
