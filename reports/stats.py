"""Statistics of a campaign: by district and category, and per department answer rate,
median time to answer, deadlines and usefulness. One streamed pass over a few columns."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.config import Settings
from reports.rows import BATCH, LIVE, Compliance, compliance
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
    leader's answer at the dialogue counts as such, never as the department's (late) answer."""
    by_department = (select(Answer.question_id, func.min(Answer.created_at).label("at"))
                     .where(Answer.source != LIVE).group_by(Answer.question_id).subquery())
    live = select(Answer.question_id).where(Answer.source == LIVE).distinct().subquery()
    statement = (
        select(Question.district_key, Question.category_key, Question.department_key, Question.status,
               Question.forwarded_at, Question.answer_due_at, Question.answered_at, Question.useful,
               by_department.c.at, live.c.question_id)
        .outerjoin(by_department, by_department.c.question_id == Question.id)
        .outerjoin(live, live.c.question_id == Question.id)
        .where(Question.campaign_id == campaign_id, Question.status != QuestionStatus.DRAFT)
        .execution_options(yield_per=BATCH)
    )
    districts: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    departments: dict[str, DepartmentStats] = defaultdict(lambda: DepartmentStats(""))
    total = 0
    for (district, category, department, status, forwarded_at, due_at, answered_at, useful, department_at,
         live_id) in session.execute(statement):
        total += 1
        districts[district] += 1
        categories[category or ""] += 1
        answered = department_at if department_at is not None or live_id is not None else answered_at
        state = compliance(status, due_at, answered, now, live=live_id is not None)
        if state is Compliance.CLOSED:
            closed[status] += 1
            continue
        _count(departments[department or ""], state, forwarded_at, answered, useful)
    return Stats(
        total=total,
        by_district=_in_order([(d.key, d.name) for d in settings.districts], districts),
        by_category=_in_order([(c.key, c.name(settings.default_language)) for c in settings.categories],
                              categories),
        departments=_departments(settings, departments),
        rejected=closed[QuestionStatus.REJECTED],
        merged=closed[QuestionStatus.MERGED],
    )


def _count(department: DepartmentStats, state: Compliance, forwarded_at: datetime | None,
           answered_at: datetime | None, useful: bool | None) -> None:
    department.received += 1
    if state in (Compliance.ON_TIME, Compliance.LATE):
        department.answered += 1
        if forwarded_at is not None and answered_at is not None:
            department.days_to_answer.append((answered_at - forwarded_at).total_seconds() / DAY_SECONDS)
    department.late += state is Compliance.LATE
    department.at_dialogue += state is Compliance.AT_DIALOGUE
    department.overdue += state is Compliance.OVERDUE
    department.pending += state is Compliance.PENDING
    department.useful_yes += useful is True
    department.useful_no += useful is False


def _in_order(configured: list[tuple[str, str]], counts: Counter[str]) -> list[tuple[str, int]]:
    """Configured entries first, in order (zero included), then keys no longer configured."""
    known = {key for key, _ in configured}
    return [(name, counts[key]) for key, name in configured] + [
        (key, count) for key, count in sorted(counts.items()) if key not in known]


def _departments(settings: Settings, counted: dict[str, DepartmentStats]) -> list[DepartmentStats]:
    result = []
    for department in settings.departments:
        stats = counted.pop(department.key, DepartmentStats(""))
        stats.name = department.name
        result.append(stats)
    unassigned = counted.pop("", None)
    for key, stats in sorted(counted.items()):
        stats.name = key
        result.append(stats)
    return result + ([unassigned] if unassigned else [])
