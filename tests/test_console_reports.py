"""The leadership documents from the console: each format downloads with its content type and a Vietnamese
file name (RFC 5987), opens in python-docx / openpyxl / csv, and is built by the same action as chat and
the CLI (`report`, `programme`, `transmittal`), with its audit row; leaders may download, officers only
their own department's transmittal."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select
from starlette.testclient import TestClient

from core.clock import FakeClock
from core.config import Settings
from storage.models import AuditEntry
from tests.browser import serving
from tests.console_client import csrf_of, login_link, sign_in, signed_in_client, staff_chat
from tests.harness import Harness
from tests.report_data import ON_TIME, populate, reporting_harness
from tests.test_console_security import console_staff
from tests.test_migrate_lock import free_port
from webconsole.downloads import attachment

PAGE = "/console/reports"


@pytest.fixture
def site(example_settings: Settings, database_url: str, clock: FakeClock, tmp_path: Path) -> Iterator[Harness]:
    settings = console_staff(example_settings)
    settings = replace(settings, web=replace(settings.web, listen_port=free_port()))  # for the served test
    harness = reporting_harness(settings, database_url, clock, tmp_path)
    populate(harness)
    yield harness
    harness.dispose()


def download(client: TestClient, document: str, **fields: str):  # noqa: ANN201 - httpx's Response
    token = csrf_of(client.get(PAGE).text)
    return client.post(f"{PAGE}/{document}", data={"csrf": token, **fields})


def file_name(response) -> str:  # noqa: ANN001
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=\"")
    return unquote(disposition.split("filename*=UTF-8''")[1])


def audited(harness: Harness) -> list[tuple[str, str, str, str]]:
    with harness.app.sessions() as session:
        return [(e.action, e.role, e.surface, e.status) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(("report", "programme", "transmittal")))
            .order_by(AuditEntry.id))]


def test_each_format_downloads_and_opens(site: Harness) -> None:
    admin = signed_in_client(site, "console:admin")
    page = admin.get(PAGE).text
    for key in ("docx", "xlsx", "csv", "programme", "transmittal-so-ct"):
        assert f'id="download-{key}"' in page
    word = download(admin, "docx")
    assert word.status_code == 200
    assert word.headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert file_name(word) == f"Báo cáo kết quả đối thoại - hung-yen-2023 - {site.clock.now():%d-%m-%Y}.docx"
    assert ON_TIME in "\n".join(cell.text for table in Document(io.BytesIO(word.content)).tables
                                for row in table.rows for cell in row.cells)
    workbook = download(admin, "xlsx")
    assert workbook.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    assert ON_TIME in [cell.value for row in sheet.iter_rows() for cell in row]
    table = download(admin, "csv")
    assert table.headers["content-type"].startswith("text/csv") and table.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert len(rows) == 5 and any(ON_TIME in row for row in rows)
    programme = download(admin, "programme")
    assert file_name(programme).startswith("Phụ lục chương trình") and Document(io.BytesIO(programme.content))
    transmittal = download(admin, "transmittal", department="so-ct")
    assert file_name(transmittal) == f"Phiếu chuyển - Sở Công Thương - {site.clock.now():%d-%m-%Y}.docx"
    assert audited(site) == [("report", "admin", "web", "done")] * 3 + [("programme", "admin", "web", "done"),
                                                                       ("transmittal", "admin", "web", "done")]


def test_leaders_download_the_report(site: Harness) -> None:
    leader = signed_in_client(site, "console:leader")
    assert 'id="download-docx"' in leader.get(PAGE).text
    answer = download(leader, "docx")
    assert answer.status_code == 200 and Document(io.BytesIO(answer.content)).paragraphs
    assert audited(site) == [("report", "viewer", "web", "done")]


def test_officers_get_their_own_transmittal_only(site: Harness) -> None:
    officer = signed_in_client(site, "console:officer-so-ct")
    page = officer.get(PAGE).text
    assert 'id="download-transmittal-so-ct"' in page and 'id="download-docx"' not in page
    assert 'id="download-transmittal-so-gddt"' not in page
    assert download(officer, "docx").status_code == 403  # the table: the report is coordination's and leaders'
    assert download(officer, "transmittal", department="so-gddt").status_code == 403
    own = download(officer, "transmittal", department="so-ct")
    assert own.status_code == 200 and Document(io.BytesIO(own.content))
    assert audited(site) == [("transmittal", "officer", "web", "done")]


def test_a_download_needs_the_forms_token(site: Harness) -> None:
    admin = signed_in_client(site, "console:admin")
    assert admin.post(f"{PAGE}/docx", data={"csrf": "forged"}).status_code == 403
    assert admin.post(f"{PAGE}/nothing", data={"csrf": csrf_of(admin.get(PAGE).text)}).status_code == 403
    assert audited(site) == []


def test_file_names_are_vietnamese_with_an_ascii_fallback() -> None:
    header = attachment("Báo cáo - Đối thoại 2023.docx")
    assert header == ("attachment; filename=\"Bao cao - Doi thoai 2023.docx\"; "
                      "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20-%20%C4%90%E1%BB%91i%20tho%E1%BA%A1i%202023.docx")


def test_a_build_does_not_hold_the_server(site: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the product's own web server: while a report is being built (here: held until released), the
    server still answers, because the build runs in the thread pool; on PostgreSQL other pages too."""
    import handlers.reports

    building, release = threading.Event(), threading.Event()
    real = handlers.reports.write_report

    def slow(*args: object, **kwargs: object) -> int:
        building.set()
        assert release.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(handlers.reports, "write_report", slow)
    with serving(site) as base, httpx.Client(base_url=base) as client:
        sign_in(client, login_link(staff_chat(site, "console:admin")))
        token = csrf_of(client.get(PAGE).text)
        answers: list[httpx.Response] = []
        download = threading.Thread(target=lambda: answers.append(
            client.post(f"{PAGE}/csv", data={"csrf": token}, timeout=30)))
        download.start()
        assert building.wait(20)
        assert client.get("/console/static/console.css", timeout=5).status_code == 200  # the loop is free
        if site.app.engine.dialect.name == "postgresql":  # SQLite: the build's transaction holds the one writer
            assert client.get(PAGE, timeout=5).status_code == 200
        release.set()
        download.join(30)
    assert answers[0].status_code == 200 and answers[0].content.startswith(b"\xef\xbb\xbf")
