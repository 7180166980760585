"""The Word report Home Affairs signs, in the form of a "Báo cáo" of Decree 30/2020/NĐ-CP (Appendix I):
the issuing body and the national title, number, place and date, the figures, the leaders' answers at
the dialogue, the open questions, an editable assessment, recipients and signature; then, in a
landscape section of its own, the annex of every question and its answer.

python-docx builds the document's frame. The annex tables are streamed into `word/document.xml` as
WordprocessingML text while the file is zipped: python-docx holds the whole XML tree in memory and
takes milliseconds per table row, which at 100,000 questions means gigabytes and minutes
(bench/README.md).
"""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from core.config import ReportSettings
from reports.charts import Chart
from reports.commitments import CommitmentRow
from reports.commitments import status_cell as commitment_status
from reports.commitments import summary as commitment_summary
from reports.labels import Labels
from reports.rows import ReportRow
from reports.staff_actions import StaffActionRow
from reports.staff_actions import summary as staff_actions_summary
from reports.stats import DepartmentStats, Stats
from reports.table import (
    COMPLIANCE_KEYS,
    DEPARTMENT_SHORT,
    answer_text,
    answerers,
    department_cells,
    department_headers,
    useful_text,
    vietnamese_number,
)

FONT = "Times New Roman"
LANGUAGE = "vi-VN"
BODY_PT, TABLE_PT = 14, 11
PAGE_CM = (21.0, 29.7)
MARGINS_CM = {"top_margin": 2.0, "bottom_margin": 2.0, "left_margin": 3.0, "right_margin": 1.5}  # Decree 30
PORTRAIT_TEXT_CM = PAGE_CM[0] - 3.0 - 1.5    # 16.5
LANDSCAPE_TEXT_CM = PAGE_CM[1] - 3.0 - 1.5   # 25.2
QUESTION_HEADERS = ("col_code", "col_district", "col_source", "col_question", "col_answer", "col_answered_by",
                    "col_dates", "col_status")
QUESTION_WIDTHS_CM = (1.9, 2.3, 2.2, 5.5, 6.0, 2.5, 2.6, 2.2)  # sums to the landscape text width
DEPARTMENT_WIDTHS_CM = (4.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5)
COUNT_WIDTHS_CM = (1.2, 11.3, 4.0)
OPEN_WIDTHS_CM = (1.2, 2.0, 5.3, 3.5, 2.0, 2.5)
COMMITMENT_WIDTHS_CM = (1.0, 1.9, 5.6, 2.9, 2.5, 2.6)
TWIPS_PER_CM = 1440 / 2.54
MARKER = "@@youthbot-questions@@"
BODY = "word/document.xml"
OpenRow = tuple[ReportRow, str]  # an open question and what is left of its deadline ("còn 2 ngày làm việc")


def write_docx(rows: Iterable[ReportRow], stats: Stats, charts: list[Chart], labels: Labels, form: ReportSettings,
               campaign: str, now: datetime, live: Sequence[ReportRow], open_rows: Sequence[OpenRow],
               out: Path, commitments: Sequence[CommitmentRow] = (), actions: Sequence[StaffActionRow] = ()) -> int:
    frame = io.BytesIO()
    OfficialFrame(labels, form, campaign, now).build(stats, charts, live, open_rows, commitments, actions).save(frame)
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


def official_date(labels: Labels, form: ReportSettings, moment: datetime) -> dict[str, str]:
    """Day and month as the decree writes them: a leading zero for days below 10 and for January, February."""
    local = moment.astimezone(labels.timezone)
    return {"day": f"{local.day:02d}", "month": f"{local.month:02d}" if local.month < 3 else str(local.month),
            "year": str(local.year), "place": form.place or labels("form_blank")}


class OfficialFrame:
    """A document in the decree's form: the report's frame around the streamed annex, or (built block
    by block) the per-department transmittal (reports/transmittal.py)."""

    def __init__(self, labels: Labels, form: ReportSettings, campaign: str, now: datetime) -> None:
        self.labels, self.form, self.campaign, self.now = labels, form, campaign, now
        self.document = Document()
        self.issuer = form.issuing_body or labels("form_blank")  # as it reads in a sentence
        self.date = official_date(labels, form, now)

    def build(self, stats: Stats, charts: list[Chart], live: Sequence[ReportRow],
              open_rows: Sequence[OpenRow], commitments: Sequence[CommitmentRow] = (),
              actions: Sequence[StaffActionRow] = ()) -> Document:
        self.start()
        self.letterhead(self.form.number_prefix)
        self.title(self.labels("form_kind"), self.labels("form_subject", campaign=self.campaign), self.form.addressee)
        self.paragraph(self.labels("form_purpose", campaign=self.campaign, issuer=self.issuer,
                                    at=self.labels.moment(self.now)), space_before=12)
        self.figures(stats, charts)
        self.staff_actions(actions)
        self.live_answers(live)
        self.open_questions(open_rows)
        self.commitments(commitments)
        self.proposals()
        self.signature_block()
        self.annex_start()
        return self.document

    # --- the form's blocks --------------------------------------------------------------

    def start(self) -> None:
        _typography(self.document)
        section = self.document.sections[0]
        _page(section, landscape=False)
        section.different_first_page_header_footer = True  # Decree 30: no number on the first page
        _page_number(section.header.paragraphs[0])

    def letterhead(self, prefix: str) -> None:
        """Issuing body under its parent, number and symbol; national title, motto, place and date."""
        labels, form = self.labels, self.form
        table = self._layout_table((7.0, 9.5))
        left, right = table.rows[0].cells
        _text(left.paragraphs[0], (form.parent_body or labels("form_blank")).upper(), size=12)
        _text(left.add_paragraph(), self.issuer.upper(), size=13, bold=True, rule=True)
        _text(left.add_paragraph(), labels("form_number", prefix=prefix), size=13, space_before=6)
        _text(right.paragraphs[0], labels("form_national_title"), size=12, bold=True)
        _text(right.add_paragraph(), labels("form_motto"), size=14, bold=True, rule=True)
        _text(right.add_paragraph(), labels("form_place_date", **self.date), size=14, italic=True, space_before=6)

    def title(self, kind: str, subject: str, addressee: str) -> None:
        self.paragraph(kind, bold=True, center=True, space_before=18, indent=False)
        self.paragraph(subject, bold=True, center=True, indent=False)
        if addressee:
            self.paragraph(self.labels("form_addressee", addressee=addressee), center=True, space_before=12,
                            indent=False)

    def figures(self, stats: Stats, charts: list[Chart]) -> None:
        labels, totals = self.labels, stats.totals
        self.paragraph(labels("form_section_figures"), bold=True, indent=False, space_before=6)
        self.paragraph(labels("form_figures_total", total=stats.total), bold=True)
        for key, values in (
                ("form_figure_answered", {"answered": totals.answered, "on_time": totals.answered - totals.late,
                                          "late": totals.late}),
                ("form_figure_at_dialogue", {"count": totals.at_dialogue}),
                ("form_figure_open", {"open": totals.open, "overdue": totals.overdue, "pending": totals.pending}),
                ("form_figure_rejected", {"count": stats.rejected}),
                ("form_figure_merged", {"count": stats.merged})):
            self.paragraph(labels(key, **values))
        self.paragraph(labels("form_by_department"), bold=True)
        self.data_table(department_headers(labels, DEPARTMENT_SHORT), DEPARTMENT_WIDTHS_CM,
                         [self._department(d) for d in stats.departments]
                         + [self._closed("row_rejected", stats.rejected), self._closed("row_merged", stats.merged)],
                         self._department(totals, labels("row_total"), received=stats.total))
        for title, counts in (("form_by_district", stats.by_district), ("form_by_category", stats.by_category)):
            self.paragraph(labels(title), bold=True, space_before=6)
            self.data_table([labels("col_number"), labels(title.replace("form_by_", "col_")), labels("col_count")],
                             COUNT_WIDTHS_CM, [[str(n), name, str(count)] for n, (name, count) in
                                               enumerate(counts, 1)],
                             ["", labels("row_total"), str(sum(count for _, count in counts))])
        if charts:
            self.paragraph(labels("form_charts"), bold=True, space_before=6)
            for chart in charts:
                self.document.add_picture(str(chart.path), width=Cm(PORTRAIT_TEXT_CM - 0.5))
                self.document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    def staff_actions(self, actions: Sequence[StaffActionRow]) -> None:
        """The last item of part I: staff actions counted by kind, from the audit log."""
        self.paragraph(self.labels("form_staff_actions"), bold=True, space_before=6)
        self.paragraph(staff_actions_summary(actions, self.labels))

    def live_answers(self, live: Sequence[ReportRow]) -> None:
        labels = self.labels
        self.paragraph(labels("form_section_live"), bold=True, indent=False, space_before=6)
        if not live:
            self.paragraph(labels("form_live_none"))
        for number, row in enumerate(live, 1):
            self.paragraph(labels("form_live_question", number=number, code=row.code, district=row.district,
                                   category=row.category, question=row.question), bold=True)
            speaker = row.live_speaker or labels("form_live_speaker_unknown")
            self.paragraph(labels("form_live_answer", speaker=speaker, answer=row.live_answer))

    def open_questions(self, open_rows: Sequence[OpenRow]) -> None:
        labels = self.labels
        self.paragraph(labels("form_section_open"), bold=True, indent=False, space_before=6)
        if not open_rows:
            self.paragraph(labels("form_open_none"))
            return
        headers = [labels(k) for k in ("col_number", "col_code", "col_question", "col_department", "col_due_at",
                                       "col_deadline_note")]
        self.data_table(headers, OPEN_WIDTHS_CM, [
            [str(n), row.code, row.question, row.department or labels("no_department"), labels.date(row.due_at),
             remaining or labels(COMPLIANCE_KEYS[row.compliance])]
            for n, (row, remaining) in enumerate(open_rows, 1)], left=(2, 3))

    def commitments(self, rows: Sequence[CommitmentRow], title: str = "form_section_commitments") -> None:
        """What earlier dialogues promised and where each promise stands (the plan opens with it)."""
        labels = self.labels
        self.paragraph(labels(title), bold=True, indent=False, space_before=6)
        if not rows:
            self.paragraph(labels("form_commitments_none"))
            return
        self.paragraph(commitment_summary(rows, labels))
        self.commitment_table(rows)

    def commitment_table(self, rows: Sequence[CommitmentRow]) -> None:
        """One table per earlier campaign, under its name."""
        labels = self.labels
        headers = [labels(k) for k in ("col_number", "col_code", "col_commitment", "col_responsible", "col_due_on",
                                       "col_commitment_status")]
        for campaign, group in itertools.groupby(rows, key=lambda row: row.campaign):
            self.paragraph(campaign, italic=True, indent=False, space_before=6)
            self.data_table(headers, COMMITMENT_WIDTHS_CM, [
                [str(n), row.code, _promise(row, labels), row.department, row.due_on.strftime("%d/%m/%Y"),
                 commitment_status(row, labels)]
                for n, row in enumerate(group, 1)], left=(2, 3, 5))

    def proposals(self) -> None:
        self.paragraph(self.labels("form_section_proposals"), bold=True, indent=False, space_before=6)
        placeholder = self.paragraph(self.labels("form_proposals_placeholder"), italic=True)
        placeholder.runs[0].font.highlight_color = WD_COLOR_INDEX.YELLOW
        self.paragraph(self.labels("form_closing", issuer=self.issuer,
                                    addressee=self.form.addressee or self.labels("form_blank")), space_before=6)

    def signature_block(self, recipients: Sequence[str] | None = None) -> None:
        """"Nơi nhận" on the left (the configured recipients unless given), the signatory on the right."""
        form, labels = self.form, self.labels
        table = self._layout_table((8.0, 8.5))
        left, right = table.rows[0].cells
        _text(left.paragraphs[0], labels("form_recipients"), size=12, bold=True, italic=True, center=False)
        for recipient in form.recipients if recipients is None else recipients:
            _text(left.add_paragraph(), f"- {recipient}", size=11, center=False)
        lines = [line for line in (form.signatory_authority.upper(), form.signatory_title.upper()) if line]
        for index, line in enumerate(lines or [labels("form_blank")]):
            _text(right.paragraphs[0] if index == 0 else right.add_paragraph(), line, size=14, bold=True)
        for _ in range(4):
            right.add_paragraph()
        _text(right.add_paragraph(), form.signatory_name or labels("form_blank"), size=14, bold=True)

    def annex_start(self) -> None:
        """A landscape section of its own: the tables fit its text width, the header row repeats."""
        labels = self.labels
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        _page(section, landscape=True)
        section.different_first_page_header_footer = False
        section.header.is_linked_to_previous = False  # a header of its own: LibreOffice numbers its first page too
        _page_number(section.header.paragraphs[0])
        self.paragraph(labels("form_annex_title"), bold=True, center=True, indent=False)
        self.paragraph(labels("form_annex_subtitle"), bold=True, center=True, indent=False)
        self.paragraph(labels("form_annex_reference", prefix=self.form.number_prefix, issuer=self.issuer,
                               **self.date), italic=True, center=True, indent=False)
        self.document.add_paragraph(MARKER)

    # --- building blocks ------------------------------------------------------------------

    def paragraph(self, text: str, *, bold: bool = False, italic: bool = False, center: bool = False,
                   indent: bool = True, space_before: int = 0) -> Paragraph:
        paragraph = self.document.add_paragraph()
        _text(paragraph, text, size=BODY_PT, bold=bold, italic=italic, center=center, space_before=space_before)
        if not center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            if indent:
                paragraph.paragraph_format.first_line_indent = Cm(1)
        return paragraph

    def _layout_table(self, widths: Sequence[float]) -> Table:
        """A borderless table placing two blocks side by side, as the decree's layout has them."""
        table = self.document.add_table(rows=1, cols=len(widths))
        _fixed_widths(table, widths)
        return table

    def data_table(self, headers: list[str], widths: Sequence[float], rows: list[list[str]],
                   total: list[str] | None = None, left: tuple[int, ...] = (1,)) -> Table:
        """A grid whose rows do not break across pages, the header repeated; `left` columns are not centred."""
        table = self.document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            _text(cell.paragraphs[0], text, size=TABLE_PT, bold=True)
        _row_properties(table.rows[0], header=True)
        for values in rows + ([total] if total else []):
            row = table.add_row()
            for index, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
                _text(cell.paragraphs[0], text, size=TABLE_PT, bold=values is total, center=index not in left)
            _row_properties(row)
        _fixed_widths(table, widths)
        return table

    def _department(self, department: DepartmentStats, name: str = "", received: int | None = None) -> list[str]:
        values = [vietnamese_number(value) for value in department_cells(department, DEPARTMENT_SHORT)]
        values[0] = name or department.name or self.labels("no_department")
        values[7] = f"{100 * department.answer_rate:.0f}%"
        if received is not None:
            values[1] = str(received)
        return values

    def _closed(self, key: str, count: int) -> list[str]:
        return [self.labels(key), str(count)] + [""] * (len(DEPARTMENT_WIDTHS_CM) - 2)


# --- python-docx details ------------------------------------------------------------------

def _typography(document: Document) -> None:
    """Times New Roman everywhere (no theme fonts), black, Vietnamese as the proofing language."""
    document.core_properties.language = LANGUAGE
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(run_defaults)
    for style_name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Title", "Table Grid"):
        style = document.styles[style_name]
        _fonts(style.element.get_or_add_rPr())
        style.font.color.rgb = RGBColor(0, 0, 0)
        if style_name.startswith("Heading"):
            style.font.size = Pt(13)
            style.font.bold = True
            style.paragraph_format.space_before = Pt(6)
    document.styles["Normal"].font.size = Pt(BODY_PT)


def _fonts(run_properties: object) -> None:
    for tag in ("w:rFonts", "w:lang"):
        for old in run_properties.findall(qn(tag)):
            run_properties.remove(old)
    run_properties.insert(0, parse_xml(f'<w:rFonts {nsdecls("w")} w:ascii="{FONT}" w:hAnsi="{FONT}" '
                                       f'w:eastAsia="{FONT}" w:cs="{FONT}"/>'))
    run_properties.append(parse_xml(f'<w:lang {nsdecls("w")} w:val="{LANGUAGE}" w:eastAsia="{LANGUAGE}" '
                                    f'w:bidi="ar-SA"/>'))


def _promise(row: CommitmentRow, labels: Labels) -> str:
    """What was promised, and who promised it when that was not the responsible department (a leader)."""
    if not row.promised_by or row.promised_by == row.department:
        return row.what
    return f"{row.what}\n({labels('col_promised_by')}: {row.promised_by})"


def _page(section: object, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (PAGE_CM[1], PAGE_CM[0]) if landscape else PAGE_CM
    section.page_width, section.page_height = Cm(width), Cm(height)
    for side, cm in MARGINS_CM.items():
        setattr(section, side, Cm(cm))
    section.header_distance = Cm(1.0)


def _page_number(paragraph: Paragraph) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph._p.append(parse_xml(
        f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:rPr><w:sz w:val="{2 * BODY_PT}"/></w:rPr>'
        '<w:t>1</w:t></w:r></w:fldSimple>'))


def _text(paragraph: Paragraph, text: str, *, size: int, bold: bool = False, italic: bool = False,
          center: bool = True, rule: bool = False, space_before: int = 0) -> None:
    """A run of `text`; `rule` draws the short line the decree puts under the body's name and the motto."""
    run = paragraph.add_run(text)
    run.font.size, run.font.bold, run.font.italic = Pt(size), bold, italic
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
    paragraph.paragraph_format.space_before = Pt(space_before)
    paragraph.paragraph_format.space_after = Pt(3)
    if rule:
        _short_rule(paragraph)


def _short_rule(paragraph: Paragraph) -> None:
    properties = paragraph._p.get_or_add_pPr()
    properties.append(parse_xml(f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="1" '
                                'w:color="000000"/></w:pBdr>'))
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Cm(1.5)


def _fixed_widths(table: Table, widths: Sequence[float]) -> None:
    table.autofit = False
    properties = table._tbl.tblPr
    for old in properties.findall(qn("w:tblW")):
        properties.remove(old)
    properties.append(parse_xml(f'<w:tblW {nsdecls("w")} w:w="{_twips(sum(widths))}" w:type="dxa"/>'))
    properties.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        column.set(qn("w:w"), str(_twips(width)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def _row_properties(row: object, header: bool = False) -> None:
    """Rows never break across pages; a header row repeats on each page the table spans."""
    properties = row._tr.get_or_add_trPr()
    properties.append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
    if header:
        properties.append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))


def _twips(cm: float) -> int:
    """Rounded down, so that columns summing to the text width never exceed it."""
    return int(cm * TWIPS_PER_CM)


def _split_at_marker(xml: str) -> tuple[str, str]:
    """The body before and after the marker's paragraph, which the questions replace."""
    at = xml.index(MARKER)
    start = max(xml.rfind("<w:p>", 0, at), xml.rfind("<w:p ", 0, at))
    end = xml.index("</w:p>", at) + len("</w:p>")
    return xml[:start], xml[end:]


# --- the annex, WordprocessingML written as text --------------------------------------------

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
    return [row.code, row.district, row.source or labels("source_chat"), row.question, answer,
            answerers(row, labels, "\n"), dates, status]


def _paragraph(text: str, style: str = "") -> str:
    properties = f'<w:pPr><w:pStyle w:val="{style}"/><w:keepNext/></w:pPr>' if style else ""
    return f"<w:p>{properties}{_run(text)}</w:p>"


def _run(text: str, bold: bool = False, size: int = 0) -> str:
    """A run; line breaks become <w:br/>, spaces are kept."""
    lines = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in text.split("\n"))
    properties = ("<w:b/>" if bold else "") + (f'<w:sz w:val="{2 * size}"/>' if size else "")
    return f"<w:r>{f'<w:rPr>{properties}</w:rPr>' if properties else ''}{lines}</w:r>"


def _table_start() -> str:
    widths = [_twips(cm) for cm in QUESTION_WIDTHS_CM]
    columns = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return ('<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/>'
            f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
            f'<w:tblLook w:val="04A0"/></w:tblPr><w:tblGrid>{columns}</w:tblGrid>')


def _row(values: list[str], header: bool = False) -> str:
    """A table row that does not break across pages; the header row repeats on every page."""
    widths = [_twips(cm) for cm in QUESTION_WIDTHS_CM]
    cells = "".join(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr><w:p>{_run(v, header, TABLE_PT)}</w:p>'
                    '</w:tc>' for w, v in zip(widths, values, strict=True))
    return f"<w:tr><w:trPr><w:cantSplit/>{'<w:tblHeader/>' if header else ''}</w:trPr>{cells}</w:tr>"

