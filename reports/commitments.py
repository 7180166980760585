"""Commitments of earlier campaigns as the new campaign's report and the event's programme show them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from core.config import Settings
from reports.labels import Labels
from storage.commitments import of_campaigns_before, shown_status
from storage.models import Campaign, Commitment

STATUSES = ("done", "in_progress", "pending", "overdue")  # the summary's order


@dataclass(frozen=True)
class CommitmentRow:
    number: int
    campaign: str
    code: str
    question: str
    promised_by: str  # the leader who answered at the dialogue, else the department that answered
    what: str
    department: str  # responsible for it
    due_on: date
    status: str  # pending, in_progress, done, overdue
    note: str


def commitment_rows(session: Session, settings: Settings, campaign: Campaign, today: date) -> list[CommitmentRow]:
    rows = []
    for commitment in of_campaigns_before(session, campaign):
        department = settings.department(commitment.department_key)
        rows.append(CommitmentRow(
            commitment.id, commitment.campaign.name, commitment.question.code or "", commitment.question.text,
            promised_by(settings, commitment), commitment.what,
            department.name if department else commitment.department_key, commitment.due_on,
            shown_status(commitment, today), commitment.note))
    return rows


def promised_by(settings: Settings, commitment: Commitment) -> str:
    """The leader who answered at the dialogue, else the department whose answer it was."""
    answer = commitment.answer
    if answer is None:
        return ""
    answering = settings.department(answer.department_key)
    return answer.speaker or (answering.name if answering else "")


def summary(rows: list[CommitmentRow], labels: Labels) -> str:
    """"5 cam kết: đã hoàn thành 2, đang thực hiện 1, chưa thực hiện 1, quá hạn 1"."""
    counts = Counter(row.status for row in rows)
    return labels("form_commitments_summary", total=len(rows),
                  **{status: counts.get(status, 0) for status in STATUSES})


def status_cell(row: CommitmentRow, labels: Labels) -> str:
    status = labels(f"commitment_status_{row.status}")
    return f"{status}\n{row.note}" if row.note else status
