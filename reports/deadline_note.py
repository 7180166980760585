"""What is left of a question's deadline, as officers count it: working days ahead, calendar days late."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from core.config import Settings
from timing.deadlines import working_days_between


def deadline_note(settings: Settings, labels: Callable[..., str], due_at: datetime | None, now: datetime) -> str:
    """"còn 2 ngày làm việc", "hết hạn hôm nay", "quá hạn 3 ngày"; empty without a deadline. `labels`
    renders a catalogue key (reports.labels.Labels, or a chat's text in one language)."""
    if due_at is None:
        return ""
    today, due = now.astimezone(settings.timezone).date(), due_at.astimezone(settings.timezone).date()
    if due_at < now:
        return labels("deadline_overdue", days=max(1, (today - due).days))
    if due == today:
        return labels("deadline_today")
    return labels("deadline_left", days=working_days_between(settings, today, due))
