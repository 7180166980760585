"""The screenshots of docs/reports.md: a campaign of 300 questions with every status (tests/report_data.py),
its Word report and spreadsheet rendered by LibreOffice, pages drawn as small PNGs (poppler's pdftoppm).

Usage: PYTHONPATH=. .venv/bin/python bench/report_screenshots.py   (writes docs/img/report-*.png)
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bot.channels.registry import load_settings
from core.clock import FakeClock
from reports.build import ReportScope, write_report
from tests.report_data import populate_campaign, reporting_harness

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "img"
SHEET_CROP = ["-r", "150", "-x", "105", "-y", "140", "-W", "900", "-H", "420"]  # a sheet fits a page's width:
# its top left corner, readable
NOW = datetime(2023, 3, 29, 3, 0, tzinfo=UTC)  # the day after the dialogue


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        settings = load_settings(ROOT / "config.example.toml")
        harness = reporting_harness(settings, f"sqlite:///{work / 'bot.sqlite3'}", FakeClock(NOW), work)
        try:
            populate_campaign(harness, 300)
            with harness.app.sessions() as session:
                scope = ReportScope(harness.settings, harness.app.services.texts, harness.app.campaign(session), NOW)
                write_report(session, scope, "docx", work / "bao-cao.docx")
                write_report(session, scope, "xlsx", work / "bang-tinh.xlsx")
        finally:
            harness.dispose()
        subprocess.run([shutil.which("soffice"), f"-env:UserInstallation=file://{work / 'profile'}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(work), str(work / "bao-cao.docx"),
                        str(work / "bang-tinh.xlsx")], check=True, capture_output=True, timeout=300)
        annex = _first_landscape_page(work / "bao-cao.pdf")
        for pdf, page, name, crop in (("bao-cao", 1, "report-first-page", []),
                                      ("bao-cao", annex, "report-annex-page", []),
                                      ("bang-tinh", 1, "report-spreadsheet-page", SHEET_CROP)):
            subprocess.run(["pdftoppm", "-png", "-r", "60", *crop, "-f", str(page), "-l", str(page), "-singlefile",
                            str(work / f"{pdf}.pdf"), str(IMAGES / name)], check=True)
            print(IMAGES / f"{name}.png")


def _first_landscape_page(pdf: Path) -> int:
    from pypdf import PdfReader

    pages = PdfReader(pdf).pages
    return next(n for n, page in enumerate(pages, 1) if page.mediabox.width > page.mediabox.height)


if __name__ == "__main__":
    main()
