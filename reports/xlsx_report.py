"""The Excel workbook: every question on one sheet (write-only mode streams rows to disk),
and the statistics on a second one."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from reports.labels import Labels
from reports.rows import ReportRow
from reports.stats import Stats
from reports.table import cells, department_cells, department_headers, headers

WIDTHS = (10, 24, 22, 20, 60, 60, 28, 17, 17, 17, 17, 16, 16, 10, 60)
WRAPPED = (4, 5, 14)  # question and answers: long texts read in their column, not across the sheet
EXCEL_MAX_CELL = 32767


def write_xlsx(rows: Iterable[ReportRow], stats: Stats, labels: Labels, out: Path) -> int:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(labels("sheet_questions"))
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_bold(sheet, text) for text in headers(labels)])
    count = 0
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        values: list[str | WriteOnlyCell] = [value[:EXCEL_MAX_CELL] for value in cells(row, labels)]
        for index in WRAPPED:
            values[index] = _cell(sheet, values[index], wrap)
        sheet.append(values)
        count += 1
    _write_stats(book, stats, labels)
    book.save(out)
    return count


def _write_stats(book: Workbook, stats: Stats, labels: Labels) -> None:
    sheet = book.create_sheet(labels("sheet_stats"))
    sheet.column_dimensions["A"].width = 40
    sheet.append([_bold(sheet, labels("stats_total", total=stats.total, answered=stats.answered))])
    sheet.append([])
    sheet.append([_bold(sheet, text) for text in department_headers(labels)])
    for department in stats.departments:
        sheet.append(department_cells(department))
    for title_key, counts in (("col_district", stats.by_district), ("col_category", stats.by_category)):
        sheet.append([])
        sheet.append([_bold(sheet, labels(title_key)), _bold(sheet, labels("col_count"))])
        for name, count in counts:
            sheet.append([name, count])


def _bold(sheet: object, text: str) -> WriteOnlyCell:
    cell = _cell(sheet, text, Alignment(wrap_text=True, vertical="top"))
    cell.font = Font(bold=True)
    return cell


def _cell(sheet: object, value: object, alignment: Alignment) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.alignment = alignment
    return cell
