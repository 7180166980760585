"""The staff board's queries: a campaign's questions filtered, searched and paged.

Paging is by keyset (the last row's number, or its deadline and number), never by OFFSET, so a page
costs the same at question 100 and at question 99,900: it walks `uq (campaign_id, number)` or
`ix_questions_board_due` from the cursor and stops when the page is full. The search matches
`questions.search_text`, the code and words folded (migration 0027), so "thue" finds "thuế".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from core.normalize import words
from storage.models import Account, Question, QuestionStatus

PAGE_SIZE = 50
EXCERPT = 160  # characters of a question's text on the board
CODE = re.compile(r"[A-Za-z]+-\d+")  # a tracking code typed whole, e.g. HY-0042
UNANSWERED = (QuestionStatus.RECEIVED, QuestionStatus.FORWARDED, QuestionStatus.IN_REVIEW)


class Sort(StrEnum):
    NEWEST = "newest"      # the latest question first (number descending)
    OLDEST = "oldest"
    DEADLINE = "deadline"  # the nearest deadline first; questions without one after


class Due(StrEnum):
    ANY = ""
    OVERDUE = "overdue"  # unanswered, deadline passed: Compliance.OVERDUE of the report
    TODAY = "today"      # unanswered, due before midnight today (local time)


@dataclass(frozen=True)
class BoardFilter:
    """What the board shows; every field is a key or a word, never a person, so it may sit in a URL."""

    status: str = ""
    department: str = ""
    category: str = ""
    district: str = ""
    platform: str = ""
    language: str = ""
    due: Due = Due.ANY
    picked: bool = False  # on the event's list (/pick)
    source: str = ""  # a question_sources id: the questions of one offline import
    search: str = ""
    sort: Sort = Sort.NEWEST

    @classmethod
    def from_query(cls, query: dict[str, str]) -> BoardFilter:
        """From a GET form's fields; unknown fields and values are ignored, not errors."""
        values = {f.name: query.get(f.name, "").strip() for f in fields(cls)}
        return cls(
            status=values["status"] if values["status"] in set(QuestionStatus) - {QuestionStatus.DRAFT} else "",
            department=values["department"], category=values["category"], district=values["district"],
            platform=values["platform"], language=values["language"],
            due=Due(values["due"]) if values["due"] in set(Due) else Due.ANY,
            picked=values["picked"] in ("1", "on", "true"),
            source=values["source"] if values["source"].isdigit() else "", search=values["search"][:200],
            sort=Sort(values["sort"]) if values["sort"] in set(Sort) else Sort.NEWEST)

    def to_query(self) -> dict[str, str]:
        """The fields that differ from the default, for links (a next page, an export)."""
        default = BoardFilter()
        query = {f.name: getattr(self, f.name) for f in fields(self)
                 if getattr(self, f.name) != getattr(default, f.name)}
        return {key: ("1" if value is True else str(value)) for key, value in query.items()}

    def within(self, department: str | None) -> BoardFilter:
        """This filter kept to one department (an officer's), whatever the form asked for."""
        return self if department is None else replace(self, department=department)


@dataclass(frozen=True)
class BoardRow:
    code: str
    number: int
    status: QuestionStatus
    district_key: str
    category_key: str | None
    department_key: str | None
    language: str
    platform: str
    excerpt: str
    asked_at: datetime
    due_at: datetime | None
    answered_at: datetime | None
    event_rank: int | None

    def overdue(self, now: datetime) -> bool:
        return self.status in UNANSWERED and self.due_at is not None and self.due_at < now


@dataclass(frozen=True)
class BoardPage:
    rows: list[BoardRow]
    total: int             # questions matching the filter
    next_cursor: str = ""  # "" on the last page


def conditions(campaign_id: int, board: BoardFilter, now: datetime, timezone: ZoneInfo) -> list[ColumnElement[bool]]:
    """The WHERE clause of a filter: shared by the page, its count and the export."""
    where: list[ColumnElement[bool]] = [Question.campaign_id == campaign_id, Question.status != QuestionStatus.DRAFT]
    for name, column in (("status", Question.status), ("department", Question.department_key),
                         ("category", Question.category_key), ("district", Question.district_key),
                         ("language", Question.language)):
        if value := getattr(board, name):
            where.append(column == value)
    if board.platform:
        where.append(Question.account_id.in_(select(Account.id).where(Account.platform == board.platform)))
    if board.due is Due.OVERDUE:
        where += [Question.status.in_(UNANSWERED), Question.answer_due_at < now]
    elif board.due is Due.TODAY:
        midnight = datetime.combine(now.astimezone(timezone).date() + timedelta(days=1), time(), timezone)
        where += [Question.status.in_(UNANSWERED), Question.answer_due_at >= now, Question.answer_due_at < midnight]
    if board.picked:
        where.append(Question.event_rank.is_not(None))
    if board.source:
        where.append(Question.source_id == int(board.source))
    if CODE.fullmatch(board.search.strip()):
        where.append(Question.code == board.search.strip().upper())  # one index lookup, not a scan
        return where
    for word in words(board.search):
        where.append(Question.search_text.like(f"%{word}%"))  # words are letters and digits: no wildcard
    return where


def matching_ids(campaign_id: int, board: BoardFilter, now: datetime, timezone: ZoneInfo) -> Select[tuple[int]]:
    """The ids of every question the filter shows, for an export of exactly those."""
    return select(Question.id).where(*conditions(campaign_id, board, now, timezone))


def board_page(session: Session, campaign_id: int, board: BoardFilter, now: datetime, timezone: ZoneInfo,
               cursor: str = "", size: int = PAGE_SIZE) -> BoardPage:
    """One page after `cursor` (from the previous page's `next_cursor`; "" for the first)."""
    where = conditions(campaign_id, board, now, timezone)
    after = _Cursor.parse(cursor)
    rows = _rows(session, where, board.sort, after, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    if after is None and not more:
        total = len(rows)  # a first page that holds everything: no second scan to count (a rare word's search)
    else:
        total = session.scalar(select(func.count()).select_from(Question).where(*where)) or 0
    return BoardPage(rows, total, _Cursor.after(rows[-1], board.sort) if more else "")


def change_mark(session: Session, campaign_id: int) -> str:
    """A cheap token that changes whenever a question of the campaign is added or changed (its
    `changed_at`, read from the end of `ix_questions_changed`): the pages' ETag and the figures' cache key."""
    last = session.scalar(select(func.max(Question.changed_at)).where(Question.campaign_id == campaign_id))
    return last.isoformat() if last else "-"


def _rows(session: Session, where: list[ColumnElement[bool]], sort: Sort, cursor: _Cursor | None,
          limit: int) -> list[BoardRow]:
    if sort is Sort.DEADLINE:
        return _by_deadline(session, where, cursor, limit)
    ascending = sort is Sort.OLDEST
    after = [] if cursor is None else [
        Question.number > cursor.number if ascending else Question.number < cursor.number]
    order = Question.number.asc() if ascending else Question.number.desc()
    return _fetch(session, _select().where(*where, *after).order_by(order).limit(limit))


def _by_deadline(session: Session, where: list[ColumnElement[bool]], cursor: _Cursor | None,
                 limit: int) -> list[BoardRow]:
    """Dated questions by (deadline, number), then the undated by number: two index walks, no NULLS LAST
    (which SQLite cannot read from an index)."""
    rows: list[BoardRow] = []
    if cursor is None or cursor.due is not None:
        after = [] if cursor is None else [or_(Question.answer_due_at > cursor.due, and_(
            Question.answer_due_at == cursor.due, Question.number > cursor.number))]
        rows = _fetch(session, _select().where(*where, Question.answer_due_at.is_not(None), *after)
                      .order_by(Question.answer_due_at, Question.number).limit(limit))
    if len(rows) < limit:
        after = [] if cursor is None or cursor.due is not None else [Question.number > cursor.number]
        rows += _fetch(session, _select().where(*where, Question.answer_due_at.is_(None), *after)
                       .order_by(Question.number).limit(limit - len(rows)))
    return rows


def _select() -> Select:
    return (select(Question.code, Question.number, Question.status, Question.district_key, Question.category_key,
                   Question.department_key, Question.language, Account.platform, func.substr(Question.text, 1, EXCERPT),
                   Question.created_at, Question.answer_due_at, Question.answered_at, Question.event_rank)
            # An outer join (every question has its account) keeps SQLite walking the questions in page
            # order: with an inner join it may start from the accounts and sort everything.
            .outerjoin(Account, Account.id == Question.account_id))


def _fetch(session: Session, statement: Select) -> list[BoardRow]:
    return [BoardRow(code or "", number or 0, QuestionStatus(status), *rest)
            for code, number, status, *rest in session.execute(statement)]


@dataclass(frozen=True)
class _Cursor:
    """Where a page ends: its last number, and its deadline when sorted by deadline."""

    number: int
    due: datetime | None = None

    @classmethod
    def parse(cls, text: str) -> _Cursor | None:
        number, _, due = text.partition("~")
        try:
            return cls(int(number), datetime.fromisoformat(due) if due else None)
        except ValueError:
            return None

    @staticmethod
    def after(row: BoardRow, sort: Sort) -> str:
        due = row.due_at.isoformat() if sort is Sort.DEADLINE and row.due_at is not None else ""
        return f"{row.number}~{due}" if due else str(row.number)
