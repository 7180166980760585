"""When a department's answer is due.

A question forwarded before the campaign's answer deadline is due at the end of that
day (the plan's 06/03); one that arrives later still gets a fair minimum of working
days to be answered.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from core.config import Settings

MINIMUM_WORKING_DAYS = 3


def answer_due_at(settings: Settings, forwarded_at: datetime) -> datetime:
    local_day = forwarded_at.astimezone(settings.timezone).date()
    due_day = max(settings.campaign.answer_deadline, add_working_days(local_day, MINIMUM_WORKING_DAYS))
    return datetime.combine(due_day, time(23, 59), tzinfo=settings.timezone)


def add_working_days(start: date, days: int) -> date:
    """`days` working days (Monday to Friday) after `start`."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current
