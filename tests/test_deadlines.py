"""Working-day deadlines: weekends and Vietnamese public holidays, rules, fair reassignment."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

from core.config import DeadlineRules, Settings
from timing.deadlines import (
    add_working_days,
    answer_due_at,
    reassigned_due_at,
    working_days_between,
    working_days_for,
)
from timing.quiet import next_allowed


def local(settings: Settings, *args: int) -> datetime:
    return datetime(*args, tzinfo=settings.timezone)


def test_holidays_and_weekends_are_not_working_days(example_settings: Settings) -> None:
    # Thursday 19/01/2023, the eve of Tết: 20-26/01 are holidays, then Fri 27, Mon 30, Tue 31.
    assert add_working_days(example_settings, date(2023, 1, 19), 3) == date(2023, 1, 31)
    # 28/04 (Fri) before the 29/04-03/05 break: Thu 04, Fri 05, Mon 08.
    assert add_working_days(example_settings, date(2023, 4, 28), 3) == date(2023, 5, 8)
    assert add_working_days(example_settings, date(2023, 8, 31), 1) == date(2023, 9, 5)


def test_working_days_between_counts_what_add_working_days_adds(example_settings: Settings) -> None:
    assert working_days_between(example_settings, date(2023, 1, 19), date(2023, 1, 31)) == 3  # across Tết
    assert working_days_between(example_settings, date(2023, 3, 6), date(2023, 3, 6)) == 0
    for start in (date(2023, 1, 19), date(2023, 4, 28), date(2023, 3, 3)):
        assert working_days_between(example_settings, start, add_working_days(example_settings, start, 4)) == 4


def test_due_at_end_of_campaign_deadline_or_minimum_after_it(example_settings: Settings) -> None:
    early = answer_due_at(example_settings, local(example_settings, 2023, 2, 10, 9))
    assert early == local(example_settings, 2023, 3, 6, 23, 59)
    late = answer_due_at(example_settings, local(example_settings, 2023, 3, 6, 9))  # Monday
    assert late.date() == date(2023, 3, 9)


def test_category_rule_wins_over_department_rule_and_never_goes_below_minimum(example_settings: Settings) -> None:
    rules = DeadlineRules(3, example_settings.deadlines.holidays, {"so-ct": 7, "so-khcn": 1}, {"ecommerce": 5})
    settings = replace(example_settings, deadlines=rules)
    assert working_days_for(settings, "ecommerce", "so-ct") == 5
    assert working_days_for(settings, "other", "so-ct") == 7
    assert working_days_for(settings, "science_tech", "so-khcn") == 3
    due = answer_due_at(settings, local(settings, 2023, 3, 6, 9), "ecommerce", "so-ct")
    assert due.date() == date(2023, 3, 13)


def test_reassignment_gives_the_new_department_its_working_days_and_never_less(example_settings: Settings) -> None:
    settings = example_settings
    first_due = answer_due_at(settings, local(settings, 2023, 3, 1, 9))  # due 06/03
    moved = reassigned_due_at(settings, first_due, local(settings, 2023, 3, 6, 16), "education", "so-gddt")
    assert moved.date() == date(2023, 3, 9)  # three full working days from the reassignment
    early = reassigned_due_at(settings, first_due, local(settings, 2023, 2, 10, 9), "education", "so-gddt")
    assert early == first_due


def test_quiet_hours_and_weekends_push_to_the_next_allowed_time(example_settings: Settings) -> None:
    settings = example_settings
    friday_night = local(settings, 2023, 3, 3, 22, 30)
    assert next_allowed(settings, friday_night, working_days_only=False) == local(settings, 2023, 3, 4, 7)
    assert next_allowed(settings, friday_night, working_days_only=True) == local(settings, 2023, 3, 6, 7)
    assert next_allowed(settings, local(settings, 2023, 1, 19, 23), True) == local(settings, 2023, 1, 27, 7)
    noon = datetime(2023, 3, 6, 5, 0, tzinfo=UTC)
    assert next_allowed(settings, noon, True) == noon
    assert settings.reminders.quiet_end == time(7, 0)
