"""The Word report officials read: statistics and charts first, then every question and its
answer, under a heading per department and per category, in landscape A4 tables."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt
from docx.table import Table, _Cell

from reports.charts import Chart
from reports.labels import Labels
from reports.rows import ReportRow
from reports.stats import Stats
from reports.table import COMPLIANCE_KEYS, answer_text, department_cells, department_headers, useful_text

QUESTION_HEADERS = ("col_code", "col_district", "col_question", "col_answer", "col_answered_by", "col_dates",
                    "col_status")
QUESTION_WIDTHS_CM = (2.0, 3.0, 6.5, 8.5, 3.5, 3.0, 2.5)


def write_docx(rows: Iterable[ReportRow], stats: Stats, charts: list[Chart], labels: Labels, campaign: str,
               now: datetime, out: str) -> int:
    document = Document()
    _landscape(document)
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(labels("report_title", campaign=campaign), level=0)
    document.add_paragraph(labels("report_generated", at=labels.moment(now)))
    _statistics(document, stats, charts, labels)
    count = _questions(document, rows, labels)
    document.save(out)
    return count


def _landscape(document: Document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))


def _statistics(document: Document, stats: Stats, charts: list[Chart], labels: Labels) -> None:
    document.add_heading(labels("report_stats_heading"), level=1)
    document.add_paragraph(labels("stats_total", total=stats.total, answered=stats.answered))
    document.add_paragraph(labels("stats_deadlines", late=stats.late, overdue=stats.overdue))
    table = _table(document, department_headers(labels))
    for department in stats.departments:
        _add_row(table, [str(value) for value in department_cells(department)])
    for chart in charts:
        document.add_picture(str(chart.path), width=Cm(16))


def _questions(document: Document, rows: Iterable[ReportRow], labels: Labels) -> int:
    document.add_heading(labels("report_questions_heading"), level=1)
    count = 0
    group: tuple[str, str] | None = None
    table: Table | None = None
    for row in rows:
        if group is None or row.department != group[0]:
            document.add_heading(row.department or labels("no_department"), level=2)
        if (row.department, row.category) != group:
            group = (row.department, row.category)
            document.add_heading(row.category, level=3)
            table = _table(document, [labels(key) for key in QUESTION_HEADERS], QUESTION_WIDTHS_CM)
        assert table is not None
        _add_row(table, _question_cells(row, labels))
        count += 1
    if count == 0:
        document.add_paragraph(labels("report_empty"))
    return count


def _question_cells(row: ReportRow, labels: Labels) -> list[str]:
    dates = "\n".join(line for line in (
        labels("date_asked", date=labels.date(row.asked_at)),
        labels("date_due", date=labels.date(row.due_at)) if row.due_at else "",
        labels("date_answered", date=labels.date(row.answered_at)) if row.answered_at else "",
    ) if line)
    status = "\n".join(filter(None, (labels(f"status_{row.status}"), labels(COMPLIANCE_KEYS[row.compliance]),
                                     useful_text(row, labels))))
    return [row.code, row.district, row.question, answer_text(row, labels), row.answered_by, dates, status]


def _table(document: Document, header: list[str], widths_cm: tuple[float, ...] = ()) -> Table:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for column, width in zip(table.columns, widths_cm, strict=False):
        column.width = Cm(width)
    return table


def _add_row(table: Table, values: list[str]) -> None:
    """Cells by their XML elements: `row.cells` recomputes the grid, too slow for 100,000 rows."""
    row = table.add_row()
    for tc, value in zip(row._tr.tc_lst, values, strict=True):
        _Cell(tc, table).text = value
