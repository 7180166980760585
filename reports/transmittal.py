"""The per-department transmittal ("phiếu chuyển", step IV.1 of the plan): Home Affairs sends each
department the questions assigned to it, with each one's deadline and what is left of it, in the
same official form as the report (reports/docx_report.py)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from reports.build import ReportScope
from reports.deadline_note import deadline_note
from reports.docx_report import OfficialFrame
from reports.rows import ReportRow, Subset, report_rows
from reports.table import COMPLIANCE_KEYS

WIDTHS_CM = (1.0, 1.9, 2.4, 2.4, 4.9, 1.9, 2.0)  # the portrait text width, 16.5 cm


def write_transmittal(session: Session, scope: ReportScope, department_key: str, out: Path) -> int:
    """The department's questions (neither rejected nor merged) as a Word document; how many."""
    settings, labels = scope.settings, scope.labels
    department = settings.department(department_key)
    name = department.name if department else department_key
    rows = list(report_rows(session, settings, scope.campaign.id, scope.now, Subset.ASSIGNED, department_key))
    frame = OfficialFrame(labels, settings.reports, scope.campaign.name, scope.now)
    frame.start()
    frame.letterhead(settings.reports.transmittal_prefix)
    frame.title(labels("transmittal_kind"), labels("transmittal_subject", department=name), name)
    frame.paragraph(labels("transmittal_purpose", campaign=scope.campaign.name, issuer=frame.issuer, count=len(rows),
                           department=name, at=labels.moment(scope.now)), space_before=12)
    if rows:
        headers = [labels(key) for key in ("col_number", "col_code", "col_district", "col_category", "col_question",
                                           "col_due_at", "col_deadline_note")]
        frame.data_table(headers, WIDTHS_CM, [
            [str(n), row.code, row.district, row.category, row.question, labels.date(row.due_at),
             _left(scope, row)] for n, row in enumerate(rows, 1)], left=(2, 3, 4))
    else:
        frame.paragraph(labels("transmittal_none"))
    frame.signature_block([labels("transmittal_recipient_addressee"), labels("transmittal_recipient_archive")])
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.document.save(str(out))
    return len(rows)


def _left(scope: ReportScope, row: ReportRow) -> str:
    """An open question's time left; an answered one's compliance (on time, late, at the dialogue)."""
    if row.answered_at is not None:
        return scope.labels(COMPLIANCE_KEYS[row.compliance])
    return deadline_note(scope.settings, scope.labels, row.due_at, scope.now) or scope.labels(
        COMPLIANCE_KEYS[row.compliance])
