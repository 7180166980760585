"""A young person starts in their own language: the platform's language_code, or what they plainly wrote.

Through the real Telegram adapter against the local Bot API server, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.clock import FakeClock
from core.config import Settings
from storage.models import Person
from tests.test_telegram import Deployment, run

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PTB 22's RetryAfter.retry_after

JOHN, MAI, LINH = 511, 512, 513


async def consent(d: Deployment, user: int, first: str) -> str:
    """Write `first`, agree, and return the prompt that follows (the unit)."""
    d.fake.user_sends(user, text=first)
    await d.step()
    d.fake.user_presses(user, user, d.fake.last_bot_message(user)["message_id"], 0)  # Đồng ý / I agree
    await d.step()
    return d.texts_in(user)[-1]


def test_people_start_in_their_language(example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    async def scenario(d: Deployment) -> None:
        d.fake.add_user(JOHN, "John", language_code="en-GB")
        d.fake.add_user(MAI, "Mai", language_code="en")  # a Vietnamese with the app in English
        d.fake.add_user(LINH, "Linh", language_code="fr")  # not a configured language
        prompt = await consent(d, JOHN, "hello")
        assert prompt.startswith(d.app.services.texts.render("en", "choose_district").split("(")[0].strip())
        assert "/lang" in prompt
        assert (await consent(d, MAI, "Dạ em chào anh chị ạ")).startswith("Bạn thuộc đơn vị")
        assert (await consent(d, LINH, "Hi, how can I ask the province a question?")).startswith("Which unit")
        with d.app.sessions() as session:
            assert sorted(session.scalars(select(Person.language))) == ["en", "en", "vi"]
    run(example_settings, database_url, clock, scenario)
