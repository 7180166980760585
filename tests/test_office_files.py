"""The exported files open in LibreOffice: converted to PDF, they read back with their
Vietnamese diacritics. Slow (LibreOffice starts once for both files), so SQLite only.

CI installs LibreOffice (.ci/run) and sets YOUTHBOT_REQUIRE_OFFICE=1, so that there a
missing `soffice` fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from core.clock import FakeClock
from core.config import Settings
from reports.build import ReportScope, write_report
from tests.report_data import ANSWER_LATE, ANSWER_ON_TIME, ON_TIME, REJECT_REASON, populate, reporting_harness

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def pdf_text(path: Path) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return unicodedata.normalize("NFC", " ".join(text.split()))


def test_docx_and_xlsx_open_in_libreoffice_with_diacritics(
        example_settings: Settings, clock: FakeClock, tmp_path: Path) -> None:
    if SOFFICE is None:
        if os.environ.get("YOUTHBOT_REQUIRE_OFFICE"):
            pytest.fail("LibreOffice (soffice) is required but not installed")
        pytest.skip("LibreOffice (soffice) is not installed")
    harness = reporting_harness(example_settings, f"sqlite:///{tmp_path / 'bot.sqlite3'}", clock, tmp_path)
    try:
        populate(harness)
        with harness.app.sessions() as session:
            scope = ReportScope(harness.settings, harness.app.services.texts, harness.app.campaign(session),
                                harness.clock.now())
            for format in ("docx", "xlsx"):
                write_report(session, scope, format, tmp_path / f"report-{format}.{format}")
    finally:
        harness.dispose()
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), str(tmp_path / "report-docx.docx"), str(tmp_path / "report-xlsx.xlsx")],
        check=True, capture_output=True, timeout=180,
    )
    for format in ("docx", "xlsx"):
        text = pdf_text(tmp_path / "pdf" / f"report-{format}.pdf")
        for expected in (ON_TIME, "Thương mại điện tử", "Huyện Văn Giang", "Sở Công Thương", "đúng hạn",
                         REJECT_REASON, ANSWER_LATE, "hộ kinh doanh & kê khai thuế"):
            assert expected in text, f"{expected!r} missing from the {format} PDF"
    docx_text = pdf_text(tmp_path / "pdf" / "report-docx.pdf")
    assert "BÁO CÁO Kết quả tiếp nhận và trả lời câu hỏi của thanh niên" in docx_text
    assert ANSWER_ON_TIME in docx_text  # markup typed by an officer stays literal text
