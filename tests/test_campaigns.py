"""Campaigns: every year's questions keep their own numbering and stay queryable."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from core.clock import FakeClock
from core.config import Settings
from storage.models import Campaign, Question
from storage.questions import find_by_code
from tests.harness import Harness

QUESTION = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"


def test_next_campaign_starts_its_own_numbering_and_keeps_the_last(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    first = Harness(example_settings, database_url, clock)
    an = first.registered_youth()
    first.ask(an, QUESTION)
    first.dispose()

    next_year = replace(example_settings.campaign, key="hung-yen-2024", name="Đối thoại 2024")
    second = Harness(replace(example_settings, campaign=next_year), database_url, clock)
    try:
        clock.advance(3600)
        an_again = second.youth("an")  # the same person, now talking to the next campaign's bot
        second.ask(an_again, "Năm nay tỉnh có hội chợ thương mại điện tử không?")
        with second.app.sessions() as session:
            rows = session.execute(select(Campaign.key, Question.code).join(Question.campaign)
                                   .order_by(Question.id)).all()
            assert [tuple(r) for r in rows] == [("hung-yen-2023", "HY-0001"), ("hung-yen-2024", "HY-0001")]
            current = session.scalar(select(Campaign.id).where(Campaign.key == "hung-yen-2024"))
            assert find_by_code(session, "HY-0001", current).campaign.key == "hung-yen-2024"
        an_again.say("/my")
        assert an_again.last().text.count("HY-0001") == 2  # last year's question is still listed
    finally:
        second.dispose()
