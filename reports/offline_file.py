"""The spreadsheet district unions fill with questions gathered at meetings and on paper: the template
they download, and reading it back (XLSX with openpyxl, or CSV as Excel saves it, with or without BOM).

Headers are the catalogue's (`import_col_*`), matched without diacritics in any configured language, so
a header retyped by hand still reads. Columns the reader does not know are ignored, and so are rows
with nothing in the known columns: the CSV template lists the units and fields to the right of them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from core.config import Settings
from core.normalize import fold
from core.texts import Texts
from reports.labels import Labels
from reports.xlsx_report import prepare_sheet

COLUMNS = ("number", "district", "category", "text", "asker")  # in the template's order
REQUIRED = ("district", "text")
LISTS = ("districts", "categories")  # the CSV template's reference columns, right of the data
WIDTHS = {"number": 6, "district": 24, "category": 34, "text": 70, "asker": 24}
HEADER_POINTS = 32  # two lines: the optional asker's header wraps
TEMPLATE_ROWS = 500  # rows the XLSX template's drop-down lists cover
CSV_DELIMITERS = ",;\t"


class ImportFileError(ValueError):
    """The file cannot be read as a question list; `key` is the catalogue's explanation."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values


@dataclass(frozen=True)
class RawRow:
    """One filled row as typed: `line` is its row number in the spreadsheet, so the admin can find it."""

    line: int
    district: str
    category: str
    text: str
    asker: str


def write_template(settings: Settings, texts: Texts, out: Path) -> None:
    """XLSX (drop-down lists from a second sheet of units and fields) or CSV (UTF-8 with BOM, for Excel)."""
    labels = Labels(texts, settings.default_language, settings.timezone)
    headers = [labels(f"import_col_{column}") for column in COLUMNS]
    districts = [d.name for d in settings.districts]
    categories = [c.name(settings.default_language) for c in settings.categories]
    if out.suffix.lower() == ".csv":
        _write_csv_template(out, headers + [labels(f"import_list_{name}") for name in LISTS], districts, categories)
    else:
        _write_xlsx_template(out, labels, headers, districts, categories)


def _write_csv_template(out: Path, headers: list[str], districts: list[str], categories: list[str]) -> None:
    with out.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(headers)
        blank = [""] * len(COLUMNS)
        for index in range(max(len(districts), len(categories))):
            writer.writerow(blank + [_at(districts, index), _at(categories, index)])


def _write_xlsx_template(out: Path, labels: Labels, headers: list[str], districts: list[str],
                         categories: list[str]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = labels("import_sheet_questions")
    prepare_sheet(sheet, [WIDTHS[column] for column in COLUMNS])  # landscape A4, one page wide, header repeated
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.row_dimensions[1].height = HEADER_POINTS  # LibreOffice and Excel do not grow a row on opening
    lists = book.create_sheet(labels("import_sheet_lists"))
    prepare_sheet(lists, (30, 45))
    lists.append([labels("import_list_districts"), labels("import_list_categories")])
    for cell in lists[1]:
        cell.font = Font(bold=True)
    for index in range(max(len(districts), len(categories))):
        lists.append([_at(districts, index), _at(categories, index)])
    for letter, column, count in (("B", "A", len(districts)), ("C", "B", len(categories))):
        # Typing is still allowed (showErrorMessage off): names without diacritics are matched on import.
        validation = DataValidation(type="list", formula1=f"'{lists.title}'!${column}$2:${column}${count + 1}",
                                    allow_blank=True, showErrorMessage=False)
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    book.save(out)


def _at(values: Sequence[str], index: int) -> str:
    return values[index] if index < len(values) else ""


def read_rows(path: Path, texts: Texts) -> list[RawRow]:
    """The filled rows of an XLSX or CSV file, by its header; ImportFileError when it is not one."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        table = _xlsx_cells(path)
    elif suffix == ".csv":
        table = _csv_cells(path)
    else:
        raise ImportFileError("import_file_kind", name=path.name)
    return list(_rows(table, _header_names(texts)))


def _xlsx_cells(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a file that is no workbook
        raise ImportFileError("import_file_unreadable", name=path.name) from error
    sheet = book.worksheets[0]
    for line, values in enumerate(sheet.iter_rows(values_only=True), 1):
        yield line, [_cell(value) for value in values]
    book.close()


def _csv_cells(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        content = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError("import_file_encoding", name=path.name) from error
    first = content.split("\n", 1)[0]
    delimiter = max(CSV_DELIMITERS, key=first.count)
    # Line numbers as a spreadsheet shows them: a quoted cell with line breaks is one row.
    for line, values in enumerate(csv.reader(io.StringIO(content), delimiter=delimiter), 1):
        yield line, [value.strip() for value in values]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header_names(texts: Texts) -> dict[str, str]:
    """Folded header text → column, in every configured language."""
    return {fold(texts.plain(language, f"import_col_{column}")): column
            for language in texts.languages for column in COLUMNS}


def _rows(table: Iterator[tuple[int, list[str]]], names: dict[str, str]) -> Iterator[RawRow]:
    positions: dict[str, int] | None = None
    for line, values in table:
        if positions is None:
            found = {names[fold(v)]: i for i, v in enumerate(values) if fold(v) in names}
            if all(column in found for column in REQUIRED):
                positions = found
            continue
        cells = {column: values[i] if i < len(values) else "" for column, i in positions.items()}
        if any(cells.get(column) for column in COLUMNS if column != "number"):
            yield RawRow(line, cells.get("district", ""), cells.get("category", ""), cells.get("text", ""),
                         cells.get("asker", ""))
    if positions is None:
        raise ImportFileError("import_file_no_header")
