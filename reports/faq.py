"""The public FAQ: answered questions an admin published, without anything about the asker,
and a search that forgives missing diacritics ("thuong mai dien tu" finds "Thương mại điện tử")."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import Settings
from core.normalize import fold, words
from reports.rows import LIVE, config_order
from storage.models import Answer, Question, QuestionStatus

MATCH_SHARE = 0.5  # a free-text search must find at least half of its words in an entry


@dataclass(frozen=True)
class FaqEntry:
    code: str
    category_key: str
    department_key: str
    question: str
    answer: str  # the departments' answers
    answered_at: datetime | None
    dialogue: str = ""  # what a leader answered at the dialogue
    speaker: str = ""   # that leader, name and office


def published_entries(session: Session, settings: Settings) -> list[FaqEntry]:
    """Published, still-answered questions of every campaign, by category in the configuration's order."""
    _, category_order = config_order(settings)
    statement = (
        select(Question.id, Question.code, Question.category_key, Question.department_key, Question.text,
               Question.answered_at, Answer.text, Answer.source, Answer.speaker)
        .join(Answer, Answer.question_id == Question.id)
        .where(Question.published_at.is_not(None), Question.status == QuestionStatus.ANSWERED)
        .order_by(category_order, Question.answered_at.desc(), Question.id, Answer.id)
    )
    entries = []
    for _, group in itertools.groupby(session.execute(statement), key=lambda r: r[0]):
        lines = list(group)
        _, code, category, department, text, answered_at, *_ = lines[0]
        live = [line for line in lines if line[7] == LIVE]
        entries.append(FaqEntry(code or "", category or "", department or "", text,
                                "\n\n".join(line[6] for line in lines if line[7] != LIVE), answered_at,
                                dialogue="\n\n".join(line[6] for line in live),
                                speaker="; ".join(dict.fromkeys(line[8] for line in live if line[8]))))
    return entries


def faq_answer(entry: FaqEntry, text: Callable[..., str]) -> str:
    """The departments' answer, then the leader's at the dialogue, credited to them (`faq_at_dialogue`)."""
    dialogue = entry.dialogue and text("faq_at_dialogue", speaker=entry.speaker or text("form_live_speaker_unknown"),
                                       answer=entry.dialogue)
    return "\n\n".join(filter(None, (entry.answer, dialogue)))


def search(entries: list[FaqEntry], query: str, settings: Settings) -> list[FaqEntry]:
    """A category's entries when the query names one, else entries ranked by the query's words found."""
    wanted = _compact(query)
    categories = {c.key for c in settings.categories
                  if wanted and (wanted == _compact(c.key) or any(wanted in _compact(n) for n in c.names.values()))}
    if categories:
        return [e for e in entries if e.category_key in categories]
    terms = set(words(query))
    if not terms:
        return []
    needed = math.ceil(len(terms) * MATCH_SHARE)
    scored = [(len(terms & set(words(f"{e.question} {e.answer} {e.dialogue}"))), index, e)
              for index, e in enumerate(entries)]
    return [e for score, _, e in sorted(scored, key=lambda s: (-s[0], s[1])) if score >= needed]


def _compact(text: str) -> str:
    """Folded, letters and digits only: "E-commerce", "ecommerce" and "e commerce" are one."""
    return "".join(ch for ch in fold(text) if ch.isalnum())
