"""When a message may go out: never in quiet hours, and to departments only on working days."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from core.config import Settings
from timing.deadlines import is_working_day


def is_quiet(settings: Settings, local: time) -> bool:
    start, end = settings.reminders.quiet_start, settings.reminders.quiet_end
    if start > end:  # the usual case: 21:00-07:00 spans midnight
        return local >= start or local < end
    return start <= local < end


def next_allowed(settings: Settings, moment: datetime, working_days_only: bool) -> datetime:
    """`moment`, or the first allowed time after it (the end of quiet hours, on a working day)."""
    local = moment.astimezone(settings.timezone)
    end = settings.reminders.quiet_end
    for _ in range(60):  # a holiday list cannot block more than a few weeks
        if is_quiet(settings, local.timetz().replace(tzinfo=None)):
            day = local.date() if local.time() < end else local.date() + timedelta(days=1)
            local = datetime.combine(day, end, tzinfo=settings.timezone)
            continue
        if working_days_only and not is_working_day(settings, local.date()):
            local = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=settings.timezone)
            continue
        return local
    raise ValueError("no allowed time within 60 days: check reminders.quiet_start/quiet_end and holidays")
