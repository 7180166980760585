"""The Word report officials read: statistics and charts first, then every question and its
answer, under a heading per department and per category, in landscape A4 tables.

python-docx builds the document's frame (styles, title, statistics, charts). The question
tables are streamed into `word/document.xml` as WordprocessingML text while the file is
zipped: python-docx holds the whole XML tree in memory and takes milliseconds per table row,
which at 100,000 questions means gigabytes and minutes (bench/README.md).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt

from reports.charts import Chart
from reports.labels import Labels
from reports.rows import ReportRow
from reports.stats import Stats
from reports.table import COMPLIANCE_KEYS, answer_text, department_cells, department_headers, useful_text

QUESTION_HEADERS = ("col_code", "col_district", "col_question", "col_answer", "col_answered_by", "col_dates",
                    "col_status")
QUESTION_WIDTHS_CM = (2.0, 3.0, 6.5, 8.5, 3.5, 2.7, 2.5)
TWIPS_PER_CM = 567
MARKER = "@@youthbot-questions@@"
BODY = "word/document.xml"


def write_docx(rows: Iterable[ReportRow], stats: Stats, charts: list[Chart], labels: Labels, campaign: str,
               now: datetime, out: Path) -> int:
    frame = io.BytesIO()
    _frame(stats, charts, labels, campaign, now).save(frame)
    with zipfile.ZipFile(frame) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        count = 0
        for item in source.infolist():
            if item.filename != BODY:
                target.writestr(item, source.read(item.filename))
                continue
            head, tail = _split_at_marker(source.read(BODY).decode("utf-8"))
            with target.open(BODY, "w", force_zip64=True) as body:
                body.write(head.encode("utf-8"))
                count = _write_questions(body, rows, labels)
                body.write(tail.encode("utf-8"))
    return count


def _frame(stats: Stats, charts: list[Chart], labels: Labels, campaign: str, now: datetime) -> Document:
    document = Document()
    _landscape(document)
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(labels("report_title", campaign=campaign), level=0)
    document.add_paragraph(labels("report_generated", at=labels.moment(now)))
    document.add_heading(labels("report_stats_heading"), level=1)
    document.add_paragraph(labels("stats_total", total=stats.total, answered=stats.answered))
    document.add_paragraph(labels("stats_deadlines", late=stats.late, overdue=stats.overdue))
    table = document.add_table(rows=1, cols=len(department_headers(labels)))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, department_headers(labels), strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for department in stats.departments:
        for cell, value in zip(table.add_row().cells, department_cells(department), strict=True):
            cell.text = str(value)
    for chart in charts:
        document.add_picture(str(chart.path), width=Cm(16))
    document.add_heading(labels("report_questions_heading"), level=1)
    document.add_paragraph(MARKER)
    return document


def _landscape(document: Document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))


def _split_at_marker(xml: str) -> tuple[str, str]:
    """The body before and after the marker's paragraph, which the questions replace."""
    at = xml.index(MARKER)
    start = max(xml.rfind("<w:p>", 0, at), xml.rfind("<w:p ", 0, at))
    end = xml.index("</w:p>", at) + len("</w:p>")
    return xml[:start], xml[end:]


def _write_questions(body: IO[bytes], rows: Iterable[ReportRow], labels: Labels) -> int:
    header = _row([labels(key) for key in QUESTION_HEADERS], header=True)
    count = 0
    group: tuple[str, str] | None = None
    for row in rows:
        parts = []
        if group is not None and (row.department, row.category) != group:
            parts.append("</w:tbl>")
        if group is None or row.department != group[0]:
            parts.append(_paragraph(row.department or labels("no_department"), "Heading2"))
        if (row.department, row.category) != group:
            group = (row.department, row.category)
            parts += [_paragraph(row.category, "Heading3"), _table_start(), header]
        parts.append(_row(_question_cells(row, labels)))
        body.write("".join(parts).encode("utf-8"))
        count += 1
    body.write(("</w:tbl>" if count else _paragraph(labels("report_empty"))).encode("utf-8"))
    return count


def _question_cells(row: ReportRow, labels: Labels) -> list[str]:
    dates = "\n".join(line for line in (
        labels("date_asked", date=labels.date(row.asked_at)),
        labels("date_due", date=labels.date(row.due_at)) if row.due_at else "",
        labels("date_answered", date=labels.date(row.answered_at)) if row.answered_at else "",
    ) if line)
    status = "\n".join(filter(None, (labels(f"status_{row.status}"), labels(COMPLIANCE_KEYS[row.compliance]),
                                     useful_text(row, labels))))
    answer = "\n\n".join(filter(None, (answer_text(row, labels), row.live_answer and labels(
        "live_answer_label", answer=row.live_answer))))
    return [row.code, row.district, row.question, answer, row.answered_by, dates, status]


# --- WordprocessingML, written as text ----------------------------------------------------

def _paragraph(text: str, style: str = "") -> str:
    properties = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{properties}{_run(text)}</w:p>"


def _run(text: str, bold: bool = False) -> str:
    """A run; line breaks become <w:br/>, spaces are kept."""
    lines = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in text.split("\n"))
    return f"<w:r>{'<w:rPr><w:b/></w:rPr>' if bold else ''}{lines}</w:r>"


def _table_start() -> str:
    widths = [round(cm * TWIPS_PER_CM) for cm in QUESTION_WIDTHS_CM]
    columns = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return ('<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/>'
            f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
            f'<w:tblLook w:val="04A0"/></w:tblPr><w:tblGrid>{columns}</w:tblGrid>')


def _row(values: list[str], header: bool = False) -> str:
    """A table row; the header row repeats on every page the table spans."""
    widths = [round(cm * TWIPS_PER_CM) for cm in QUESTION_WIDTHS_CM]
    cells = "".join(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr><w:p>{_run(v, header)}</w:p></w:tc>'
                    for w, v in zip(widths, values, strict=True))
    return f"<w:tr>{'<w:trPr><w:tblHeader/></w:trPr>' if header else ''}{cells}</w:tr>"
