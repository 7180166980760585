"""The report's columns, shared by the spreadsheet, CSV and Word writers."""

from __future__ import annotations

from datetime import datetime

from reports.labels import Labels
from reports.rows import Compliance, ReportRow
from reports.stats import DepartmentStats

HEADERS = ("col_code", "col_department", "col_category", "col_district", "col_question", "col_answer",
           "col_answered_by", "col_asked_at", "col_forwarded_at", "col_due_at", "col_answered_at", "col_status",
           "col_compliance", "col_useful", "col_live_answer", "col_source")

COMPLIANCE_KEYS = {
    Compliance.ON_TIME: "compliance_on_time",
    Compliance.LATE: "compliance_late",
    Compliance.OVERDUE: "compliance_overdue",
    Compliance.PENDING: "compliance_pending",
    Compliance.AT_DIALOGUE: "compliance_at_dialogue",
    Compliance.CLOSED: "compliance_closed",
}


DATE_COLUMNS = (7, 8, 9, 10)


def headers(labels: Labels) -> list[str]:
    return [labels(key) for key in HEADERS]


def cells(row: ReportRow, labels: Labels) -> list[str]:
    """The row as text (CSV): dates as "HH:MM dd/mm/yyyy" in the bot's time zone."""
    values = typed_cells(row, labels)
    for index in DATE_COLUMNS:
        values[index] = values[index].strftime("%H:%M %d/%m/%Y") if values[index] else ""
    return values


def typed_cells(row: ReportRow, labels: Labels) -> list:
    """The row with its dates as local date-times without a zone (a spreadsheet's dates have none)."""
    return [
        row.code, row.department, row.category, row.district, row.question, answer_text(row, labels),
        answerers(row, labels, "; "), local_time(row.asked_at, labels), local_time(row.forwarded_at, labels),
        local_time(row.due_at, labels), local_time(row.answered_at, labels), labels(f"status_{row.status}"),
        labels(COMPLIANCE_KEYS[row.compliance]), useful_text(row, labels), row.live_answer,
        row.source or labels("source_chat"),
    ]


def answerers(row: ReportRow, labels: Labels, separator: str) -> str:
    """The officers who answered for their department, then the leader who answered at the dialogue."""
    speaker = row.live_speaker and labels("live_speaker_label", speaker=row.live_speaker)
    return separator.join(filter(None, (row.answered_by, speaker)))


def local_time(moment: datetime | None, labels: Labels) -> datetime | None:
    return moment.astimezone(labels.timezone).replace(tzinfo=None) if moment else None


def answer_text(row: ReportRow, labels: Labels) -> str:
    if row.rejection_reason and not row.answer:
        return labels("rejected_with_reason", reason=row.rejection_reason)
    return row.answer


def useful_text(row: ReportRow, labels: Labels) -> str:
    if row.useful is None:
        return ""
    return labels("useful_yes_label") if row.useful else labels("useful_no_label")


DEPARTMENT_COLUMNS = ("col_department", "col_received", "col_answered", "col_late", "col_at_dialogue",
                      "col_overdue", "col_pending", "col_answer_rate", "col_median_days", "col_useful_yes",
                      "col_useful_no")
DEPARTMENT_SHORT = 9  # the Word report's columns (without usefulness), to fit a portrait page


def department_headers(labels: Labels, columns: int = len(DEPARTMENT_COLUMNS)) -> list[str]:
    return [labels(key) for key in DEPARTMENT_COLUMNS[:columns]]


def department_cells(department: DepartmentStats, columns: int = len(DEPARTMENT_COLUMNS)) -> list[str | int | float]:
    """Counts as numbers; the answer rate as a fraction (0..1), the median in days ("" when none).
    Received = answered + at the dialogue + overdue + pending."""
    median = department.median_days
    return [department.name, department.received, department.answered, department.late, department.at_dialogue,
            department.overdue, department.pending, department.answer_rate, "" if median is None else median,
            department.useful_yes, department.useful_no][:columns]


def vietnamese_number(value: object) -> str:
    """A number as Vietnamese readers write it: a decimal comma (10,5)."""
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)
