"""When a department's answer is due, counted in working days.

A question forwarded before the campaign's answer deadline is due at the end of that
day (the plan's 06/03); one that arrives later, or is passed on to another department,
still gets a fair number of working days (weekends and public holidays do not count).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from core.config import Settings

END_OF_DAY = time(23, 59)


def is_working_day(settings: Settings, day: date) -> bool:
    return day.weekday() < 5 and day not in settings.deadlines.holidays


def add_working_days(settings: Settings, start: date, days: int) -> date:
    """`days` working days after `start` (Monday to Friday, minus the configured holidays)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if is_working_day(settings, current):
            days -= 1
    return current


def working_days_between(settings: Settings, start: date, end: date) -> int:
    """How many working days come after `start`, up to and including `end` (the inverse of add_working_days)."""
    return sum(is_working_day(settings, start + timedelta(days=n)) for n in range(1, (end - start).days + 1))


def working_days_for(settings: Settings, category_key: str | None, department_key: str | None) -> int:
    """The category's rule, else the department's, else the minimum; never below the minimum."""
    rules = settings.deadlines
    days = rules.category_working_days.get(category_key or "") or rules.department_working_days.get(
        department_key or "") or rules.minimum_working_days
    return max(days, rules.minimum_working_days)


def answer_due_at(settings: Settings, forwarded_at: datetime, category_key: str | None = None,
                  department_key: str | None = None) -> datetime:
    local_day = forwarded_at.astimezone(settings.timezone).date()
    earliest = add_working_days(settings, local_day, working_days_for(settings, category_key, department_key))
    due_day = max(settings.campaign.answer_deadline, earliest)
    return datetime.combine(due_day, END_OF_DAY, tzinfo=settings.timezone)


def reassigned_due_at(settings: Settings, previous_due: datetime | None, reassigned_at: datetime,
                      category_key: str | None, department_key: str) -> datetime:
    """The new department gets its full working days from the reassignment, and never less
    time than the first department had left."""
    fresh = answer_due_at(settings, reassigned_at, category_key, department_key)
    return max(fresh, previous_due) if previous_due else fresh
