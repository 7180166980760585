"""Abuse is contained: per-person limits, and bans by admins only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from core.clock import FakeClock
from core.config import Limits, Settings
from tests.harness import Harness


@pytest.fixture
def harness(example_settings: Settings, database_url: str, clock: FakeClock) -> Iterator[Harness]:
    settings = replace(example_settings, limits=Limits(questions_per_hour=2, messages_per_minute=6))
    harness = Harness(settings, database_url, clock)
    yield harness
    harness.dispose()


def test_questions_per_hour(harness: Harness) -> None:
    an = harness.registered_youth()
    harness.ask(an, "Câu hỏi thứ nhất về thương mại điện tử ạ?")
    harness.clock.advance(60)
    harness.ask(an, "Câu hỏi thứ hai về sàn thương mại điện tử ạ?")
    harness.clock.advance(60)
    an.say("Câu hỏi thứ ba về thương mại điện tử ạ?")
    assert "2 câu hỏi trong một giờ" in an.last().text
    harness.clock.advance(3600)
    harness.ask(an, "Câu hỏi thứ ba về thương mại điện tử ạ?")
    assert "HY-0003" in an.last().text


def test_messages_per_minute_warns_once_then_ignores(harness: Harness) -> None:
    an = harness.registered_youth()  # the district choice counts: one message so far
    for _ in range(5):
        assert "/my" in an.say("/help")[-1].text
    assert "quá nhanh" in an.say("/help")[-1].text
    assert an.say("/help") == []
    harness.clock.advance(61)
    assert "/my" in an.say("/help")[-1].text


def test_admin_bans_by_question_code_and_unbans(harness: Harness) -> None:
    an = harness.registered_youth()
    harness.ask(an, "Câu hỏi về sàn thương mại điện tử ạ?")
    admin = harness.admin()
    admin.say("/ban HY-0001 spam")
    assert "Đã khoá người hỏi câu HY-0001" in admin.last().text
    assert "tạm khoá" in an.say("Câu hỏi khác về thương mại điện tử")[-1].text
    admin.say("/unban console:an")
    assert "Đã mở khoá" in admin.last().text
    harness.clock.advance(120)
    assert "Lĩnh vực đề xuất" in an.say("Câu hỏi khác về thương mại điện tử")[-1].text


def test_non_admin_cannot_ban(harness: Harness) -> None:
    an = harness.registered_youth()
    texts = harness.app.services.texts
    an.say("/ban console:an")
    assert an.last().text == texts.render("vi", "staff_only")
    officer = harness.officer("so-ct")
    officer.say("/ban HY-0001")
    assert officer.last().text == texts.render("vi", "not_admin")


def test_ban_usage_and_unknown_target(harness: Harness) -> None:
    admin = harness.admin()
    admin.say("/ban")
    assert "Cách dùng" in admin.last().text
    admin.say("/ban telegram:404")
    assert "Không tìm thấy người dùng telegram:404" in admin.last().text
