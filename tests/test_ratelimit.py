"""The send limiter counts each send until one second after its answer, as the platform would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.ratelimit import SendLimiter
from bot.transport import RateLimits

T0 = datetime(2023, 2, 1, 8, 0, tzinfo=UTC)
LIMITS = RateLimits(per_second=3, private_interval=1.0, group_interval=3.0)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_starts_are_spread_evenly_over_the_second() -> None:
    limiter = SendLimiter(LIMITS)
    limiter.started(at(0))
    assert limiter.wait("b", at(0)) == pytest.approx(1 / 3, abs=1e-6)
    assert limiter.wait("b", at(0.34)) == 0


def test_a_send_counts_until_a_second_after_its_answer() -> None:
    limiter = SendLimiter(LIMITS)
    for index in range(3):
        limiter.started(at(index / 3))
    for chat in "abc":
        limiter.answered(chat, is_group=False, now=at(0.9))  # a slow network: every answer came late
    assert limiter.wait("d", at(1.0)) == 0.9
    assert limiter.wait("d", at(1.9)) == 0


def test_while_every_slot_is_in_flight_the_sender_polls_briefly() -> None:
    limiter = SendLimiter(LIMITS)
    for index in range(3):
        limiter.started(at(index / 3))
    assert 0 < limiter.wait("d", at(5)) < 1


def test_a_chat_waits_its_interval_after_the_answer_to_its_last_message() -> None:
    limiter = SendLimiter(LIMITS)
    limiter.started(at(0))
    limiter.answered("group", is_group=True, now=at(0.5))
    limiter.started(at(1))
    limiter.answered("person", is_group=False, now=at(1.2))
    assert limiter.wait("group", at(2)) == 1.5
    assert limiter.wait("person", at(2)) == 0.2


def test_memory_is_bounded_by_the_rate_not_by_the_audience() -> None:
    limiter = SendLimiter(RateLimits(per_second=30, private_interval=1.0, group_interval=3.0))
    for index in range(10_000):
        now = at(index / 30)
        limiter.started(now)
        limiter.answered(f"person-{index}", is_group=False, now=now)
    assert limiter.tracked_chats <= 4 * 30
