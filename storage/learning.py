"""What the understanding learns in campaigns, and the model that always includes it.

Each confirmed category (the asker's pick), each reassignment by a department and each merge by the
Youth Union is a `LearnedExample`. `LearningModel.model(session)` rebuilds the model when the examples
changed (one cheap query per call), so every process sees what any of them learned, without a restart.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import ColumnElement, SelectBase, delete, event, func, select
from sqlalchemy.orm import Session, aliased

from core.config import Settings
from core.normalize import words
from core.understanding.lexicon import Lexicon
from core.understanding.model import Example, Understanding
from storage.models import LearnedExample, Question, QuestionStatus
from storage.question_terms import TermCounts

log = logging.getLogger(__name__)
CONFIRMED, REASSIGNED, MERGED = "confirmed", "reassigned", "merged"
SCORING_LAG = 50  # learned categories a duplicate search's weights may lag behind (`LearningModel.scoring`)
OPEN = (QuestionStatus.IN_REVIEW, QuestionStatus.FORWARDED)
# Made once: aliasing a mapped class per query cost about as much as the query (cProfile).
_ORIGINAL, _DUPLICATE = aliased(Question), aliased(Question)


def seed_examples(path: Path | None) -> list[Example]:
    """The configured file of labelled questions ({"text", "category"} a line); none when not set or missing
    (a copied config without its examples still starts, suggesting from keywords and what it learns)."""
    if path is None:
        return []
    if not path.exists():
        log.warning("[understanding] examples: %s not found; starting without seed examples", path)
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Example(row["text"], row["category"]) for row in rows]


_PLACE_KINDS = ("thành phố", "thị xã", "huyện", "tp")


def lexicon(settings: Settings) -> Lexicon:
    """The configured synonyms, each district's name as one term ("Khoái Châu", "huyện Khoái Châu"), then the
    built-in groups. A district named like a built-in phrase ("Thành phố Hưng Yên") keeps its full name only."""
    built_in = Lexicon.with_built_in()
    places = []
    for district in settings.districts:
        name = district.name
        short = next((name[len(kind):].strip() for kind in _PLACE_KINDS if name.lower().startswith(kind)), name)
        known = len(built_in.read(short)) < len(words(short))
        places.append([name] if known else [short, name])
    return Lexicon.with_built_in([*settings.understanding.synonyms, *places])


def base_model(settings: Settings, learned: Sequence[Example] = ()) -> Understanding:
    """The model from the configuration alone (plus `learned`): what `youthbot classify` uses."""
    return Understanding(settings.categories, settings.fallback_category, lexicon(settings),
                         [*seed_examples(settings.understanding.examples), *learned])


def record_category(session: Session, question: Question, category_key: str, source: str, now: datetime) -> None:
    """The category `question` belongs to, as a person decided it; a later decision replaces an earlier one."""
    _examples_change(session)
    session.execute(delete(LearnedExample).where(LearnedExample.question_id == question.id,
                                                 LearnedExample.category_key.is_not(None)))
    session.add(LearnedExample(question_id=question.id, source=source, category_key=category_key, created_at=now))


def record_merge(session: Session, duplicate: Question, original: Question, now: datetime) -> None:
    _examples_change(session)
    session.add(LearnedExample(question_id=duplicate.id, source=MERGED, duplicate_of_id=original.id, created_at=now))


def learned_categories(session: Session, among: tuple[int, int] | None = None) -> list[Example]:
    """Every campaign's confirmed categories, oldest first; `among` (after, up to): those of ids in that range."""
    rows = session.execute(select(Question.text, LearnedExample.category_key)
                           .join(Question, Question.id == LearnedExample.question_id)
                           .where(LearnedExample.category_key.is_not(None), Question.text != "", *_within(among))
                           .order_by(LearnedExample.id))
    return [Example(text, key) for text, key in rows]


def learned_merges(session: Session, among: tuple[int, int] | None = None) -> list[tuple[str, str]]:
    """Every campaign's merges as (the duplicate's signature, the original's): wordings people said are one."""
    original = _ORIGINAL
    rows = session.execute(
        select(Question.signature, original.signature).select_from(LearnedExample)
        .join(Question, Question.id == LearnedExample.question_id)
        .join(original, original.id == LearnedExample.duplicate_of_id)
        .where(Question.signature.is_not(None), original.signature.is_not(None), *_within(among))
        .order_by(LearnedExample.id))
    return [(duplicate, first) for duplicate, first in rows]


def _within(among: tuple[int, int] | None) -> tuple[ColumnElement[bool], ...]:
    if among is None:
        return ()
    return LearnedExample.id > among[0], LearnedExample.id <= among[1]


def merged_signatures(session: Session, campaign_id: int, statuses: Sequence[QuestionStatus] = OPEN,
                      among: SelectBase | None = None) -> dict[int, list[str]]:
    """For each open question of the campaign (of the ids `among` selects), the signatures of the duplicates
    merged into it."""
    duplicate = _DUPLICATE
    statement = (select(LearnedExample.duplicate_of_id, duplicate.signature)
                 .join(duplicate, duplicate.id == LearnedExample.question_id)
                 .join(Question, Question.id == LearnedExample.duplicate_of_id)
                 .where(Question.campaign_id == campaign_id, Question.status.in_(statuses),
                        duplicate.signature.is_not(None)))
    if among is not None:
        statement = statement.where(Question.id.in_(among))
    found: dict[int, list[str]] = defaultdict(list)
    for original_id, signature in session.execute(statement):
        found[original_id].append(signature)
    return found


@dataclass(frozen=True)
class Summary:
    by_source: dict[str, int]
    by_category: dict[str, int]
    latest: list[tuple[str, str, str]]  # (question code, source, category key or the code it repeats)


def summary(session: Session, latest: int = 10) -> Summary:
    """What was learned, for admins: counts, and the newest examples by question code (no one's identity)."""
    rows = session.execute(select(LearnedExample.source, LearnedExample.category_key).order_by(LearnedExample.id))
    by_source: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    for source, key in rows:
        by_source[source] += 1
        if key:
            by_category[key] += 1
    original = _ORIGINAL
    newest = session.execute(
        select(Question.code, LearnedExample.source, LearnedExample.category_key, original.code)
        .join(Question, Question.id == LearnedExample.question_id)
        .outerjoin(original, original.id == LearnedExample.duplicate_of_id)
        .order_by(LearnedExample.id.desc()).limit(latest))
    items = [(code or "–", source, key or target or "") for code, source, key, target in newest]
    return Summary(dict(by_source), dict(by_category), items)


def reset(session: Session) -> int:
    """Forget everything learned; returns how many examples there were."""
    _examples_change(session)
    return session.execute(delete(LearnedExample)).rowcount or 0


VERSION_KEY = "learning.version"  # in Session.info: the version read in the transaction under way


def _version(session: Session) -> tuple[int, int]:
    """How many examples there are and the newest id, read once per transaction (a question asks about six
    times; the count reads the whole table): writing an example here, or the transaction's end, forgets it."""
    if (known := session.info.get(VERSION_KEY)) is not None:
        return known
    # Two statements, not one: SQLite counts a table by its smallest index and finds a maximum by the key
    # alone, but a count and a maximum asked together read every row (0.01 + 0.003 ms against 4-6 at 100,000).
    count = session.scalar(select(func.count()).select_from(LearnedExample)) or 0
    newest = session.scalar(select(func.max(LearnedExample.id))) or 0
    session.info[VERSION_KEY] = version = (count, newest)
    return version


def _examples_change(session: Session) -> None:
    session.info.pop(VERSION_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_version(session: Session, _transaction: object) -> None:
    """Savepoints too: a version read after an example a rolled-back savepoint wrote names a row that is gone."""
    _examples_change(session)


class LearningModel:
    """The configured model plus what the database has learned, brought up to date when that changes.

    New examples (ids above the last one read, nothing deleted) are added to the current model
    (`Understanding.learning`: the cost of the new ones); anything else (a replaced category, a reset, ids
    committed out of order on PostgreSQL) rebuilds it from every example.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._seed = seed_examples(settings.understanding.examples)
        self._lexicon = lexicon(settings)
        self._version = (0, 0)  # nothing learned: what the model below is built from
        self._model: Understanding | None = None
        self._model = self._build([])
        self._scoring, self._scoring_count = self._model, 0
        self._base = self._model  # the configuration alone: what the term index is weighted by, in every process
        self._threshold = settings.curation.duplicate_threshold
        self._lock = threading.Lock()
        self.term_counts = TermCounts()  # how many questions have a term: which ones a search reads fewer for

    def index_terms(self, signature: str) -> dict[str, bool]:
        """A signature's rows in the term index (storage/question_terms.py), the same in every process."""
        return self._base.index_terms(signature, self._threshold)

    def index_version(self) -> str:
        return f"{self._base.index_version()}:{self._threshold}"

    def _build(self, learned: Sequence[Example], merges: Sequence[tuple[str, str]] = ()) -> Understanding:
        return Understanding(self._settings.categories, self._settings.fallback_category, self._lexicon,
                             [*self._seed, *learned], merges, previous=self._model)

    def model(self, session: Session) -> Understanding:
        return self._current(session)[0]

    def scoring(self, session: Session) -> Understanding:
        """The model duplicates are searched and scored by: the current one as of its last refresh, at most
        `SCORING_LAG` learned categories ago (a merge or a rebuild refreshes it at once). A new model weighs
        every open question's terms again; this one keeps them, so a search costs the same after each
        accepted question. A learned category moves the weights a little; merges teach pairs of terms."""
        return self._current(session)[1]

    def _current(self, session: Session) -> tuple[Understanding, Understanding]:
        version = _version(session)
        with self._lock:
            if version != self._version:
                self._model, refresh = self._updated(session, version)
                self._version = version
                if refresh or abs(version[0] - self._scoring_count) >= SCORING_LAG:
                    self._scoring, self._scoring_count = self._model, version[0]
            assert self._model is not None
            return self._model, self._scoring

    def _updated(self, session: Session, version: tuple[int, int]) -> tuple[Understanding, bool]:
        """The model of the examples up to `version`'s newest id (not of rows committed since), and whether it
        was rebuilt or learned merges (then duplicates are scored by it at once)."""
        assert self._model is not None
        if not version[0]:
            return self._build([]), True
        count, newest = self._version
        added = (newest, version[1])
        if version[1] > newest and count + (session.scalar(select(func.count()).where(*_within(added))) or 0) \
                == version[0]:
            merges = learned_merges(session, added)
            return self._model.learning(learned_categories(session, added), merges), bool(merges)
        every = (0, version[1])
        return self._build(learned_categories(session, every), learned_merges(session, every)), True
