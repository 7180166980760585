"""The Excel workbook staff work with: every question on one sheet (write-only mode streams rows to
disk), the statistics on three more. Dates are dates and numbers are numbers (Excel shows them in
the reader's locale: 10,5 and 06/03/2023 in Vietnamese), every sheet has a filter, a frozen header,
a totals row and a print setup (landscape A4, one page wide, the header repeated on every page)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from reports.commitments import CommitmentRow, status_cell, summary
from reports.labels import Labels
from reports.rows import ReportRow
from reports.staff_actions import StaffActionRow, label
from reports.stats import DepartmentStats, Stats
from reports.table import DATE_COLUMNS, department_cells, department_headers, headers, local_time, typed_cells

COMMITMENT_WIDTHS = (24, 10, 40, 24, 45, 26, 12, 20)
STAFF_ACTION_WIDTHS = (18, 24, 12, 18, 18, 14)
WIDTHS = (10, 20, 20, 16, 45, 50, 24, 16, 16, 16, 16, 14, 14, 9, 40, 24)
WRAPPED = (1, 2, 3, 4, 5, 6, 14, 15)  # long texts read in their column, not across the sheet
EXCEL_MAX_CELL = 32767
LINE_POINTS = 15.0   # one line of 11 pt text
MAX_ROW_POINTS = 409  # Excel's highest row
DATE_FORMAT = "dd/mm/yyyy hh:mm"
COUNT_FORMAT = "#,##0"
RATE_FORMAT = "0%"
DAYS_FORMAT = "0.0"
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


def write_xlsx(rows: Iterable[ReportRow], stats: Stats, labels: Labels, out: Path,
               commitments: Sequence[CommitmentRow] = (), actions: Sequence[StaffActionRow] = ()) -> int:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(labels("sheet_questions"))
    prepare_sheet(sheet, WIDTHS)
    sheet.append([_bold(sheet, text) for text in headers(labels)])
    count = 0
    for row in rows:
        values = typed_cells(row, labels)
        cells = [_cell(sheet, value[:EXCEL_MAX_CELL] if isinstance(value, str) else value,
                       WRAP if index in WRAPPED else TOP, DATE_FORMAT if index in DATE_COLUMNS else None)
                 for index, value in enumerate(values)]
        sheet.row_dimensions[count + 2].height = _height(values, WIDTHS)
        sheet.append(cells)
        count += 1
    _finish(sheet, len(WIDTHS), count)
    sheet.append([_bold(sheet, labels("row_total")),
                  _bold(sheet, f"=SUBTOTAL(3,A2:A{count + 1})" if count else 0)])  # counts what the filter shows
    _write_departments(book, stats, labels)
    for title_key, column_key, counts in (("sheet_districts", "col_district", stats.by_district),
                                          ("sheet_categories", "col_category", stats.by_category)):
        _write_counts(book, labels(title_key), [labels(column_key), labels("col_count")], counts, labels)
    if commitments:
        _write_commitments(book, commitments, labels)
    _write_staff_actions(book, actions, labels)
    book.save(out)
    return count


def _write_departments(book: Workbook, stats: Stats, labels: Labels) -> None:
    """Received = answered + at the dialogue + overdue + pending; with the rejected and merged rows the
    received column adds up to the total."""
    sheet = book.create_sheet(labels("sheet_stats"))
    titles = department_headers(labels)
    prepare_sheet(sheet, (40,) + (14,) * (len(titles) - 1))
    sheet.append([_bold(sheet, text) for text in titles])
    for department in stats.departments:
        sheet.append(_department_row(sheet, department, labels))
    for key, count in (("row_rejected", stats.rejected), ("row_merged", stats.merged)):
        sheet.append([_cell(sheet, labels(key), TOP), _cell(sheet, count, TOP, COUNT_FORMAT)])
    _finish(sheet, len(titles), len(stats.departments) + 2)
    total = _department_row(sheet, stats.totals, labels, bold=True)
    total[0].value, total[1].value = labels("row_total"), stats.total
    sheet.append(total)


def _department_row(sheet: object, department: DepartmentStats, labels: Labels,
                    bold: bool = False) -> list[WriteOnlyCell]:
    values = department_cells(department)
    values[0] = values[0] or labels("no_department")
    formats = [None] + [COUNT_FORMAT] * 6 + [RATE_FORMAT, DAYS_FORMAT] + [COUNT_FORMAT] * 2
    cells = [_cell(sheet, value, TOP, number_format) for value, number_format in zip(values, formats, strict=True)]
    for cell in cells if bold else ():
        cell.font = Font(bold=True)
    return cells


def _write_counts(book: Workbook, title: str, titles: list[str], counts: list[tuple[str, int]],
                  labels: Labels) -> None:
    sheet = book.create_sheet(title)
    prepare_sheet(sheet, (40, 14))
    sheet.append([_bold(sheet, text) for text in titles])
    for name, count in counts:
        sheet.append([_cell(sheet, name, TOP), _cell(sheet, count, TOP, COUNT_FORMAT)])
    _finish(sheet, 2, len(counts))
    sheet.append([_bold(sheet, labels("row_total")), _bold(sheet, sum(count for _, count in counts))])


def _write_commitments(book: Workbook, rows: Sequence[CommitmentRow], labels: Labels) -> None:
    """Earlier dialogues' commitments: one row each, the due date a date, the status in words."""
    sheet = book.create_sheet(labels("sheet_commitments"))
    titles = [labels(k) for k in ("col_campaign", "col_code", "col_commitment_question", "col_promised_by",
                                  "col_commitment", "col_responsible", "col_due_on", "col_commitment_status")]
    prepare_sheet(sheet, COMMITMENT_WIDTHS)
    sheet.row_dimensions[1].height = 2 * LINE_POINTS
    sheet.append([_bold(sheet, text) for text in titles])
    for number, row in enumerate(rows, 2):
        texts = (row.campaign, row.code, row.question, row.promised_by, row.what, row.department, "",
                 status_cell(row, labels))
        sheet.row_dimensions[number].height = min(MAX_ROW_POINTS, LINE_POINTS * max(
            _lines(text, width) for text, width in zip(texts, COMMITMENT_WIDTHS, strict=True)))
        sheet.append([_cell(sheet, text, WRAP) for text in texts[:6]]
                     + [_cell(sheet, row.due_on, TOP, "dd/mm/yyyy"), _cell(sheet, texts[7], WRAP)])
    _finish(sheet, len(titles), len(rows))
    summary_cell = _cell(sheet, summary(list(rows), labels), TOP)  # not wrapped: it reads across the columns
    summary_cell.font = Font(bold=True)
    sheet.append([summary_cell])


def _write_staff_actions(book: Workbook, rows: Sequence[StaffActionRow], labels: Labels) -> None:
    """The audit log as staff read it: the time a date, the rest in the catalogue's words."""
    sheet = book.create_sheet(labels("sheet_staff_actions"))
    prepare_sheet(sheet, STAFF_ACTION_WIDTHS)
    sheet.append([_bold(sheet, labels(k)) for k in ("col_time", "col_action", "col_code", "col_role", "col_surface",
                                                     "col_status")])
    for row in rows:
        sheet.append([_cell(sheet, local_time(row.at, labels), TOP, DATE_FORMAT)]
                     + [_cell(sheet, text, TOP) for text in (
                         label(labels, "action", row.action), row.code, label(labels, "role", row.role),
                         label(labels, "surface", row.surface), label(labels, "audit_status", row.status))])
    _finish(sheet, len(STAFF_ACTION_WIDTHS), len(rows))
    sheet.append([_bold(sheet, labels("row_total")), _bold(sheet, len(rows))])


def prepare_sheet(sheet: object, widths: Sequence[float]) -> None:
    """Column widths, frozen header, print setup: landscape A4, one page wide, header on every page."""
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = True


def _finish(sheet: object, columns: int, rows: int) -> None:
    """The filter covers the header and the data, not the totals row below."""
    sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{rows + 1}"


def _height(values: Sequence[object], widths: Sequence[float]) -> float:
    """Enough points for the tallest wrapped cell: LibreOffice and Excel do not grow rows on opening."""
    lines = max((_lines(str(values[index]), widths[index]) for index in WRAPPED if values[index]), default=1)
    return min(MAX_ROW_POINTS, LINE_POINTS * lines)


def _lines(text: str, width: float) -> int:
    """Lines a text takes in a column `width` characters wide (a little less, for the cell's margins)."""
    return sum(max(1, math.ceil(len(part) / max(width - 2, 1))) for part in text.split("\n"))


def _bold(sheet: object, value: object) -> WriteOnlyCell:
    cell = _cell(sheet, value, WRAP)
    cell.font = Font(bold=True)
    return cell


def _cell(sheet: object, value: object, alignment: Alignment, number_format: str | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.alignment = alignment
    if number_format:
        cell.number_format = number_format
    return cell
