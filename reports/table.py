"""The report's columns, shared by the spreadsheet, CSV and Word writers."""

from __future__ import annotations

from reports.labels import Labels
from reports.rows import Compliance, ReportRow
from reports.stats import DepartmentStats

HEADERS = ("col_code", "col_department", "col_category", "col_district", "col_question", "col_answer",
           "col_answered_by", "col_asked_at", "col_forwarded_at", "col_due_at", "col_answered_at", "col_status",
           "col_compliance", "col_useful", "col_live_answer")

COMPLIANCE_KEYS = {
    Compliance.ON_TIME: "compliance_on_time",
    Compliance.LATE: "compliance_late",
    Compliance.OVERDUE: "compliance_overdue",
    Compliance.PENDING: "compliance_pending",
    Compliance.CLOSED: "compliance_closed",
}


def headers(labels: Labels) -> list[str]:
    return [labels(key) for key in HEADERS]


def cells(row: ReportRow, labels: Labels) -> list[str]:
    return [
        row.code, row.department, row.category, row.district, row.question, answer_text(row, labels),
        row.answered_by, labels.moment(row.asked_at), labels.moment(row.forwarded_at), labels.moment(row.due_at),
        labels.moment(row.answered_at), labels(f"status_{row.status}"), labels(COMPLIANCE_KEYS[row.compliance]),
        useful_text(row, labels), row.live_answer,
    ]


def answer_text(row: ReportRow, labels: Labels) -> str:
    if row.rejection_reason and not row.answer:
        return labels("rejected_with_reason", reason=row.rejection_reason)
    return row.answer


def useful_text(row: ReportRow, labels: Labels) -> str:
    if row.useful is None:
        return ""
    return labels("useful_yes_label") if row.useful else labels("useful_no_label")


def department_headers(labels: Labels) -> list[str]:
    return [labels(key) for key in ("col_department", "col_received", "col_answered", "col_answer_rate",
                                    "col_median_days", "col_late", "col_overdue", "col_useful_yes",
                                    "col_useful_no")]


def department_cells(department: DepartmentStats) -> list[str | int | float]:
    median = department.median_days
    return [department.name, department.received, department.answered, f"{100 * department.answer_rate:.0f}%",
            "" if median is None else round(median, 1), department.late, department.overdue,
            department.useful_yes, department.useful_no]
