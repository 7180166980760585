"""Statistics of a campaign: by district and category, and per department answer rate,
median time to answer, deadlines and usefulness. One streamed pass over a few columns."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, FromClause, and_, case, func, literal, null, outerjoin, select
from sqlalchemy.orm import Session

from core.config import Settings
from reports.rows import LIVE, Compliance
from storage.models import Answer, Question, QuestionStatus

DAY_SECONDS = 86400


@dataclass
class DepartmentStats:
    name: str
    received: int = 0
    answered: int = 0  # by the department (on time or late)
    late: int = 0      # answered after the deadline
    at_dialogue: int = 0  # answered only by a leader at the event: not the department's, not late
    overdue: int = 0   # unanswered past the deadline
    pending: int = 0   # unanswered, deadline ahead (or none yet)
    useful_yes: int = 0
    useful_no: int = 0
    days_to_answer: list[float] = field(default_factory=list, repr=False)
    key: str = ""  # the configured key; "" for questions not yet assigned

    @property
    def answer_rate(self) -> float:
        return self.answered / self.received if self.received else 0.0

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days_to_answer) if self.days_to_answer else None

    @property
    def useful_share(self) -> float | None:
        rated = self.useful_yes + self.useful_no
        return self.useful_yes / rated if rated else None


    @property
    def open(self) -> int:
        return self.overdue + self.pending


@dataclass
class Stats:
    """`total` = sum of `departments` received (questions not yet assigned included, as a row
    without a name at the end) + `rejected` + `merged`: every figure a reader sees adds up."""

    total: int
    by_district: list[tuple[str, int]]
    by_category: list[tuple[str, int]]
    departments: list[DepartmentStats]
    rejected: int = 0
    merged: int = 0

    def _sum(self, name: str) -> int:
        return sum(getattr(d, name) for d in self.departments)

    @property
    def totals(self) -> DepartmentStats:
        """The departments' total row (its median over every answer)."""
        total = DepartmentStats("", **{name: self._sum(name) for name in (
            "received", "answered", "late", "at_dialogue", "overdue", "pending", "useful_yes", "useful_no")})
        total.days_to_answer = [days for d in self.departments for days in d.days_to_answer]
        return total

    @property
    def answered(self) -> int:
        return self._sum("answered")

    @property
    def at_dialogue(self) -> int:
        return self._sum("at_dialogue")

    @property
    def overdue(self) -> int:
        return self._sum("overdue")

    @property
    def pending(self) -> int:
        return self._sum("pending")

    @property
    def open(self) -> int:
        return self.overdue + self.pending

    @property
    def late(self) -> int:
        return self._sum("late")


def gather_stats(session: Session, settings: Settings, campaign_id: int, now: datetime) -> Stats:
    """Rejected and merged questions count by district and category, not against departments; a
    leader's answer at the dialogue counts as such, never as the department's (late) answer.

    The database judges each question (`compliance_case`, the SQL twin of `rows.compliance`) and
    counts them by group, answer times (for the medians) included, as numbers: no datetime crosses
    into Python (reading 100,000 of them cost twice as long as all the rest)."""
    answered, live, joined = _judged(campaign_id)
    state = compliance_case(Question.status, Question.answer_due_at, answered, now, live)
    seconds = case((and_(state.in_((Compliance.ON_TIME, Compliance.LATE)), Question.forwarded_at.is_not(None)),
                    _seconds(session, answered, Question.forwarded_at)), else_=null())
    groups = (Question.district_key, Question.category_key, Question.department_key, Question.status, state,
              Question.useful, seconds)
    counted = select(*groups, func.count()).select_from(joined).where(
        Question.campaign_id == campaign_id, Question.status != QuestionStatus.DRAFT).group_by(*groups)
    districts: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    departments: dict[str, DepartmentStats] = defaultdict(lambda: DepartmentStats(""))
    total = 0
    for district, category, department, status, judged, useful, duration, count in session.execute(counted):
        total += count
        districts[district] += count
        categories[category or ""] += count
        if judged == Compliance.CLOSED:
            closed[status] += count
            continue
        _count(departments[department or ""], Compliance(judged), useful, count)
        if duration is not None:
            departments[department or ""].days_to_answer += [float(duration) / DAY_SECONDS] * count
    return Stats(
        total=total,
        by_district=_in_order([(d.key, d.name) for d in settings.districts], districts),
        by_category=_in_order([(c.key, c.name(settings.default_language)) for c in settings.categories],
                              categories),
        departments=_departments(settings, departments),
        rejected=closed[QuestionStatus.REJECTED],
        merged=closed[QuestionStatus.MERGED],
    )


def _judged(campaign_id: int) -> tuple[ColumnElement[Any], ColumnElement[bool], FromClause]:
    """When the department first answered (none when only a leader did), whether a leader answered at
    the dialogue, and the questions joined to both."""
    by_department = (select(Answer.question_id, func.min(Answer.created_at).label("at"))
                     .where(Answer.source != LIVE).group_by(Answer.question_id).subquery())
    live = select(Answer.question_id).where(Answer.source == LIVE).distinct().subquery()
    answered = case((by_department.c.at.is_not(None), by_department.c.at),
                    (live.c.question_id.is_not(None), null()), else_=Question.answered_at)
    joined = (outerjoin(Question, by_department, by_department.c.question_id == Question.id)
              .outerjoin(live, live.c.question_id == Question.id))
    return answered, live.c.question_id.is_not(None), joined


def compliance_case(status: ColumnElement[Any], due_at: ColumnElement[Any], answered_at: ColumnElement[Any],
                    now: datetime, live: ColumnElement[bool]) -> ColumnElement[str]:
    """`reports.rows.compliance` as SQL, branch for branch (tests/test_reports.py holds them equal)."""
    return case(
        (status.in_((QuestionStatus.REJECTED, QuestionStatus.MERGED)), literal(Compliance.CLOSED.value)),
        (and_(answered_at.is_not(None), status == QuestionStatus.ANSWERED),
         case((and_(due_at.is_not(None), answered_at > due_at), literal(Compliance.LATE.value)),
              else_=literal(Compliance.ON_TIME.value))),
        (and_(live, status == QuestionStatus.ANSWERED), literal(Compliance.AT_DIALOGUE.value)),
        (and_(due_at.is_not(None), due_at < now), literal(Compliance.OVERDUE.value)),
        else_=literal(Compliance.PENDING.value))


def _seconds(session: Session, later: ColumnElement[Any], earlier: ColumnElement[Any]) -> ColumnElement[Any]:
    """Seconds between two stored moments, computed by the database (whole seconds on SQLite)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.round((func.julianday(later) - func.julianday(earlier)) * DAY_SECONDS)
    return func.extract("epoch", later - earlier)


def _count(department: DepartmentStats, state: Compliance, useful: bool | None, count: int) -> None:
    department.received += count
    department.answered += count * (state in (Compliance.ON_TIME, Compliance.LATE))
    department.late += count * (state is Compliance.LATE)
    department.at_dialogue += count * (state is Compliance.AT_DIALOGUE)
    department.overdue += count * (state is Compliance.OVERDUE)
    department.pending += count * (state is Compliance.PENDING)
    department.useful_yes += count * (useful is True)
    department.useful_no += count * (useful is False)


def _in_order(configured: list[tuple[str, str]], counts: Counter[str]) -> list[tuple[str, int]]:
    """Configured entries first, in order (zero included), then keys no longer configured."""
    known = {key for key, _ in configured}
    return [(name, counts[key]) for key, name in configured] + [
        (key, count) for key, count in sorted(counts.items()) if key not in known]


def _departments(settings: Settings, counted: dict[str, DepartmentStats]) -> list[DepartmentStats]:
    result = []
    for department in settings.departments:
        stats = counted.pop(department.key, DepartmentStats(""))
        stats.name, stats.key = department.name, department.key
        result.append(stats)
    unassigned = counted.pop("", None)
    for key, stats in sorted(counted.items()):
        stats.name = stats.key = key
        result.append(stats)
    return result + ([unassigned] if unassigned else [])
