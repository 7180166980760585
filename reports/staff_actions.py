"""Staff actions for the leadership report (issue 12): the audit log as staff read it — labels from the
catalogue and question codes, never a platform id (the log keeps none of young people)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.texts import plain_text
from reports.labels import Labels
from storage.models import AuditEntry, Question


@dataclass(frozen=True)
class StaffActionRow:
    at: datetime
    action: str  # the action's name (`reassign`); `label` makes it words
    code: str
    role: str
    surface: str
    status: str  # done, refused


def staff_action_rows(session: Session, campaign_id: int) -> list[StaffActionRow]:
    """The campaign's audit entries, oldest first, each with its question's code ("" for none)."""
    found = session.execute(
        select(AuditEntry, Question.code).outerjoin(Question, Question.id == AuditEntry.question_id)
        .where(AuditEntry.campaign_id == campaign_id).order_by(AuditEntry.id)).all()
    return [StaffActionRow(entry.at, entry.action, code or "", entry.role, entry.surface, entry.status)
            for entry, code in found]


def action_counts(rows: Sequence[StaffActionRow]) -> list[tuple[str, int]]:
    """Done actions per kind, most frequent first (ties by name, so the report reads the same each time)."""
    counts = Counter(row.action for row in rows if row.status == "done")
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def label(labels: Labels, prefix: str, value: str) -> str:
    """The catalogue's word for an internal value (`action_reassign`) as plain text (`Texts.label`)."""
    return plain_text(labels.texts.label(labels.language, prefix, value))


def summary(rows: Sequence[StaffActionRow], labels: Labels) -> str:
    """"Cán bộ đã thực hiện 5 thao tác: trả lời 2, chuyển sở 2, từ chối 1; 1 lượt bị từ chối quyền."."""
    if not rows:
        return labels("audit_empty")
    counts = action_counts(rows)
    kinds = ", ".join(f"{label(labels, 'action', action)} {count}" for action, count in counts)
    refused = sum(1 for row in rows if row.status == "refused")
    return labels("form_staff_actions_summary", total=sum(count for _, count in counts), kinds=kinds or "0",
                  refused=refused)
