"""Many consenting, subscribed young people at once, inserted in bulk (for broadcast tests and benches)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from core.config import Settings
from storage.models import Account, Person

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
