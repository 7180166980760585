"""The report's rows: questions of a campaign with their answers, streamed from the database.

Rows come out grouped by department then category, in the configuration's order, so that
writers can open a heading whenever the group changes without holding everything in memory.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, case, select
from sqlalchemy.orm import Session

from core.config import Settings
from storage.models import Answer, AnswerSource, Question, QuestionStatus

BATCH = 2000
LIVE = AnswerSource.LIVE  # a leader's answer at the event, the reports' short name
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # Word and Excel files refuse these


class Compliance(StrEnum):
    """How a question stands against its answer deadline."""

    ON_TIME = "on_time"
    LATE = "late"          # answered after the deadline
    OVERDUE = "overdue"    # not answered, deadline passed
    PENDING = "pending"    # not answered, deadline still ahead (or none yet)
    AT_DIALOGUE = "at_dialogue"  # answered by a leader at the event, not by the department
    CLOSED = "closed"      # rejected or merged: no answer was due


@dataclass(frozen=True)
class ReportRow:
    code: str
    department: str
    category: str
    district: str
    question: str
    answer: str
    live_answer: str  # the secretariat's summary of what a leader answered at the event
    live_speaker: str  # that leader, name and office (campaign.hosts)
    answered_by: str  # the officers who answered for their department
    asked_at: datetime
    forwarded_at: datetime | None
    due_at: datetime | None
    answered_at: datetime | None
    status: QuestionStatus
    compliance: Compliance
    useful: bool | None
    rejection_reason: str


def compliance(status: str, due_at: datetime | None, answered_at: datetime | None, now: datetime,
               live: bool = False) -> Compliance:
    """`answered_at` is the department's first answer: a leader's answer at the dialogue (`live`) is
    theirs, never the department's, so it is not judged against the department's deadline."""
    if status in (QuestionStatus.REJECTED, QuestionStatus.MERGED):
        return Compliance.CLOSED
    if answered_at is not None and status == QuestionStatus.ANSWERED:
        return Compliance.LATE if due_at is not None and answered_at > due_at else Compliance.ON_TIME
    if live and status == QuestionStatus.ANSWERED:
        return Compliance.AT_DIALOGUE
    if due_at is not None and due_at < now:
        return Compliance.OVERDUE
    return Compliance.PENDING


def config_order(settings: Settings) -> tuple[object, object]:
    """SQL sort keys putting departments and categories in the configuration's order (unknown keys last)."""
    departments = {d.key: i for i, d in enumerate(settings.departments)}
    categories = {c.key: i for i, c in enumerate(settings.categories)}
    return (case(departments, value=Question.department_key, else_=len(departments)),
            case(categories, value=Question.category_key, else_=len(categories)))


class Subset(StrEnum):
    """The few questions the report's body lists apart from the annex."""

    ALL = "all"
    LIVE = "live"  # answered by a leader at the dialogue
    OPEN = "open"  # accepted, neither answered nor closed
    ASSIGNED = "assigned"  # the department's, neither rejected nor merged (with `department`)


def report_rows(session: Session, settings: Settings, campaign_id: int, now: datetime,
                subset: Subset = Subset.ALL, department: str = "",
                within: Select[tuple[int]] | None = None) -> Iterator[ReportRow]:
    """Every accepted question of the campaign with its answers (several when followed up); only one
    department's when `department` names it, only those of `within` (ids: the board's filter) when given."""
    department_order, category_order = config_order(settings)
    statement = (
        select(Question.id, Question.code, Question.department_key, Question.category_key, Question.district_key,
               Question.text, Question.status, Question.accepted_at, Question.created_at, Question.forwarded_at,
               Question.answer_due_at, Question.answered_at, Question.useful, Question.rejection_reason,
               Answer.text, Answer.officer_name, Answer.department_key, Answer.source, Answer.speaker,
               Answer.created_at)
        .outerjoin(Answer, Answer.question_id == Question.id)
        .where(Question.campaign_id == campaign_id, Question.status != QuestionStatus.DRAFT, *_subset(subset),
               *([Question.department_key == department] if department else []),
               *([Question.id.in_(within)] if within is not None else []))
        .order_by(department_order, Question.department_key, category_order, Question.category_key,
                  Question.number, Question.id, Answer.id)
        .execution_options(yield_per=BATCH)
    )
    names = _Names(settings)
    for _, group in itertools.groupby(session.execute(statement), key=lambda r: r[0]):
        lines = list(group)
        first = lines[0]
        answers = [line for line in lines if line[14] is not None and line[17] != LIVE]
        live = [line for line in lines if line[14] is not None and line[17] == LIVE]
        yield ReportRow(
            code=first[1] or "",
            department=names.department(first[2]),
            category=names.category(first[3]),
            district=names.district(first[4]),
            question=printable(first[5]),
            answer=printable("\n\n".join(line[14] for line in answers)),
            live_answer=printable("\n\n".join(line[14] for line in live)),
            live_speaker="; ".join(dict.fromkeys(line[18] for line in live if line[18])),
            answered_by="; ".join(dict.fromkeys(_answerer(names, line[15], line[16]) for line in answers)),
            asked_at=first[7] or first[8],
            forwarded_at=first[9],
            due_at=first[10],
            answered_at=first[11],
            status=QuestionStatus(first[6]),
            compliance=compliance(first[6], first[10], _department_answered_at(answers, live, first[11]), now,
                                  live=bool(live)),
            useful=first[12],
            rejection_reason=printable(first[13] or ""),
        )


def _subset(subset: Subset) -> list[object]:
    if subset is Subset.LIVE:
        return [Question.id.in_(select(Answer.question_id).where(Answer.source == LIVE))]
    if subset is Subset.OPEN:
        return [Question.status.not_in((QuestionStatus.ANSWERED, QuestionStatus.REJECTED, QuestionStatus.MERGED))]
    if subset is Subset.ASSIGNED:
        return [Question.status.not_in((QuestionStatus.REJECTED, QuestionStatus.MERGED))]
    return []


def _department_answered_at(answers: list, live: list, answered_at: datetime | None) -> datetime | None:
    """When the department first answered: its first answer's time; none if only a leader answered."""
    if answers:
        return min(line[19] for line in answers)
    return None if live else answered_at


def printable(text: str) -> str:
    """Text without the control characters XML cannot hold (a pasted form feed, say)."""
    return NOT_IN_XML.sub("", text)


def _answerer(names: _Names, officer_name: str, department_key: str) -> str:
    department = names.department(department_key)
    return f"{officer_name} ({department})" if officer_name else department


class _Names:
    """Configured names for stored keys; a key no longer configured shows as itself."""

    def __init__(self, settings: Settings) -> None:
        language = settings.default_language
        self._departments = {d.key: d.name for d in settings.departments}
        self._categories = {c.key: c.name(language) for c in settings.categories}
        self._districts = {d.key: d.name for d in settings.districts}

    def department(self, key: str | None) -> str:
        return self._departments.get(key or "", key or "")

    def category(self, key: str | None) -> str:
        return self._categories.get(key or "", key or "")

    def district(self, key: str | None) -> str:
        return self._districts.get(key or "", key or "")
