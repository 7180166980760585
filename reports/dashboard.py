"""A campaign's progress at a glance, for the web console's dashboard: the report's statistics
(`gather_stats`, the very function the report uses, so the figures are the report's), questions by
status, and each department's nearest deadline and oldest overdue one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from core.config import Settings
from reports.stats import DepartmentStats, Stats, gather_stats
from storage.board import UNANSWERED
from storage.models import Question, QuestionStatus


@dataclass(frozen=True)
class Deadlines:
    next_due: datetime | None = None        # the nearest deadline still ahead
    oldest_overdue: datetime | None = None  # the deadline passed longest ago


@dataclass(frozen=True)
class DepartmentRow:
    stats: DepartmentStats  # its `key` is "" for questions not yet assigned
    deadlines: Deadlines

    @property
    def behind(self) -> bool:
        return self.stats.overdue > 0


@dataclass(frozen=True)
class Dashboard:
    stats: Stats
    by_status: list[tuple[QuestionStatus, int]]
    departments: list[DepartmentRow]
    at: datetime


def dashboard(session: Session, settings: Settings, campaign_id: int, now: datetime) -> Dashboard:
    stats = gather_stats(session, settings, campaign_id, now)
    counts = dict(session.execute(select(Question.status, func.count()).where(
        Question.campaign_id == campaign_id, Question.status != QuestionStatus.DRAFT).group_by(Question.status)).all())
    by_status = [(status, counts.get(status, 0)) for status in QuestionStatus if status is not QuestionStatus.DRAFT]
    deadlines = _deadlines(session, campaign_id, now)
    rows = [DepartmentRow(d, deadlines.get(d.key, Deadlines())) for d in stats.departments]
    return Dashboard(stats, by_status, rows, now)


def _deadlines(session: Session, campaign_id: int, now: datetime) -> dict[str, Deadlines]:
    due = Question.answer_due_at
    statement = (select(Question.department_key, func.min(case((due >= now, due))), func.min(case((due < now, due))))
                 .where(Question.campaign_id == campaign_id, Question.status.in_(UNANSWERED), due.is_not(None))
                 .group_by(Question.department_key))
    return {key or "": Deadlines(ahead, behind) for key, ahead, behind in session.execute(statement)}
