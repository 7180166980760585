"""Many consenting, subscribed young people, or many open questions, at once, inserted in bulk (for tests and benches)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from core.config import Settings
from storage.learning import LearningModel
from storage.models import Account, Campaign, Person, Question, QuestionStatus, QuestionTerm

CHUNK = 5_000


def add_subscribers(session: Session, settings: Settings, user_ids: range, platform: str, now: datetime) -> None:
    """One person and one account per user id; districts cycle through the config's, one in seven
    people reads the second language."""
    districts = [district.key for district in settings.districts]
    languages = settings.languages
    for start in range(0, len(user_ids), CHUNK):
        chunk = user_ids[start:start + CHUNK]
        people = session.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True), [
            {"created_at": now, "consent_at": now, "district_key": districts[user % len(districts)],
             "language": languages[1] if user % 7 == 0 and len(languages) > 1 else languages[0]}
            for user in chunk
        ]).all()
        session.execute(insert(Account), [
            {"person_id": person_id, "platform": platform, "user_id": str(user), "chat_id": str(user),
             "display_name": f"Thanh niên {user}", "state": "", "window_count": 0, "created_at": now,
             "subscribed": True}
            for person_id, user in zip(people, chunk, strict=True)
        ])


def add_open_questions(session: Session, understanding: LearningModel, campaign: Campaign, texts: Sequence[str],
                       count: int, now: datetime, varied: bool = False) -> list[int]:
    """`count` forwarded questions of one asker, `texts` cycled (each tagged with its number), with their
    signatures and term index rows, inserted in bulk after the campaign's last code; their ids.

    `varied`: after twice `texts`, each further round of them asks about other things (`_elsewhere`)."""
    model = understanding.model(session)
    signatures = [model.signature(text) for text in texts]
    if varied:
        signatures = _varied(signatures, count)
    rows = {signature: understanding.index_terms(signature) for signature in set(signatures)}
    asker = Account(person=Person(created_at=now, consent_at=now, language="vi", district_key="tp-hung-yen"),
                    platform="telegram", user_id=f"population-{campaign.last_number}", chat_id="0",
                    display_name="", state="", window_count=0, created_at=now)
    session.add(asker)
    session.flush()
    first = campaign.last_number
    ids: list[int] = []
    for start in range(0, count, CHUNK):
        numbers = range(first + start + 1, first + min(start + CHUNK, count) + 1)
        ids += session.scalars(insert(Question).returning(Question.id, sort_by_parameter_order=True), [
            {"campaign_id": campaign.id, "account_id": asker.id, "department_key": "so-gddt", "number": number,
             "code": f"{campaign.code_prefix}-{number:04d}", "district_key": "tp-hung-yen",
             "category_key": "education", "suggested_category_key": "education", "language": "vi",
             "text": f"{texts[(number - first - 1) % len(texts)]} ({number})",
             "signature": signatures[(number - first - 1) % len(signatures)],
             "status": QuestionStatus.FORWARDED, "created_at": now, "accepted_at": now}
            for number in numbers]).all()
        session.execute(insert(QuestionTerm), [
            {"question_id": question_id, "term": term, "heavy": heavy}
            for n, question_id in enumerate(ids[start:], start)
            for term, heavy in rows[signatures[n % len(signatures)]].items()])
    campaign.last_number = first + count
    return ids


COMMON = 6  # a term in more of the texts than this is common: every round keeps it


def _varied(signatures: Sequence[str], count: int) -> list[str]:
    """Twice the signatures, then rounds of them in which every term but the common ones is another, the same
    within a round: a campaign whose questions share the common words and not their subjects, as one that
    grows does, instead of the same few hundred questions again and again."""
    frequency = Counter(term for signature in signatures for term in set(signature.split()))
    out = [*signatures, *signatures]
    for n in range(len(out), count):
        round_ = _letters(n // len(signatures))
        out.append(" ".join(term if frequency[term] > COMMON else f"{term}_{round_}"
                            for term in signatures[n % len(signatures)].split()))
    return out[:count]


def _letters(number: int) -> str:
    """A number in letters ("ba", "bb"...): a made-up word part, not a code (codes weigh little)."""
    letters = ""
    while True:
        number, digit = divmod(number, 26)
        letters = chr(ord("a") + digit) + letters
        if not number:
            return "x" + letters
