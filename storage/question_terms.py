"""The term index of question signatures: a duplicate search reads the open questions sharing a term with
the new one (`Understanding.lookup_terms`) instead of every open question (issue 18: cost per update flat as
the campaign grows).

Each signature's rows are written in the transaction that writes the signature (`sign`); `refresh`, at every
start, indexes the signatures stored without rows (before migration 0033, or inserted in bulk) and rebuilds
the whole index when the understanding's version changed (lexicon, seed examples: `index_version`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import NamedTuple

from sqlalchemy import CompoundSelect, Select, delete, exists, func, insert, select, union
from sqlalchemy.orm import Session

from core.understanding.model import TermLookup
from storage.models import LearnedExample, Question, QuestionTerm, QuestionTermsState

Indexer = Callable[[str], Mapping[str, bool]]  # a signature's terms, each True when heavy
CHUNK = 5_000


def sign(session: Session, question: Question, signature: str, terms: Mapping[str, bool]) -> None:
    """Set `question`'s signature and its rows in the index."""
    question.signature = signature
    session.flush()  # its id, for a new question
    session.execute(delete(QuestionTerm).where(QuestionTerm.question_id == question.id))
    rows = [{"question_id": question.id, "term": term, "heavy": heavy} for term, heavy in terms.items()]
    if rows:
        session.execute(insert(QuestionTerm), rows)


class Candidates(NamedTuple):
    """The ids of the questions a query may match, and of those of them with duplicates merged into them: as
    statements, so that the ids stay in the database (sending back thousands of them as bound values cost more
    than reading the rows they select)."""

    ids: CompoundSelect[tuple[int]]
    merged_into: Select[tuple[int]]


def candidates(lookup: TermLookup) -> Candidates:
    """The questions that may match a query: one of its rare terms, or one of its light terms that is heavy in
    them; and those a matching one was merged into (their duplicates' signatures count)."""
    hits = union(select(QuestionTerm.question_id).where(QuestionTerm.term.in_(lookup.rare)),
                 select(QuestionTerm.question_id).where(QuestionTerm.term.in_(lookup.light),
                                                        QuestionTerm.heavy.is_(True))).subquery()
    originals = select(LearnedExample.duplicate_of_id).where(
        LearnedExample.question_id.in_(select(hits.c.question_id)), LearnedExample.duplicate_of_id.is_not(None))
    return Candidates(select(hits.c.question_id).union(originals), originals)


class TermCounts:
    """How many questions have each term, counted in the index and kept `ttl` seconds. A count only orders which
    terms a search reads fewer questions for (`Understanding.lookup_terms`); any order finds the same questions,
    so an old count costs time, never a result."""

    def __init__(self, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic, most: int = 200_000) -> None:
        self._ttl, self._clock, self._most = ttl, clock, most
        self._counts: dict[str, tuple[int, float]] = {}

    def of(self, session: Session, term: str) -> int:
        now = self._clock()
        if (known := self._counts.get(term)) is not None and now - known[1] < self._ttl:
            return known[0]
        if len(self._counts) >= self._most:
            self._counts.clear()
        count = session.scalar(select(func.count()).where(QuestionTerm.term == term)) or 0
        self._counts[term] = (count, now)
        return count


def refresh(session: Session, version: str, index: Indexer) -> int:
    """Index the stored signatures that have no rows (all of them when `version` changed); how many.

    The state row is locked first, so that processes starting together on PostgreSQL take turns."""
    state = session.scalars(select(QuestionTermsState).with_for_update()).one()
    if state.version != version:
        session.execute(delete(QuestionTerm))
        state.version = version
    missing = select(Question.id, Question.signature).where(
        Question.signature.is_not(None),
        ~exists().where(QuestionTerm.question_id == Question.id)).order_by(Question.id)
    count = 0
    rows: list[dict[str, object]] = []
    for question_id, signature in session.execute(missing).all():
        rows += [{"question_id": question_id, "term": term, "heavy": heavy} for term, heavy in index(signature).items()]
        count += 1
        if len(rows) >= CHUNK:
            session.execute(insert(QuestionTerm), rows)
            rows = []
    if rows:
        session.execute(insert(QuestionTerm), rows)
    return count
