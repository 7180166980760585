"""Per-person message rate: a fixed one-minute window kept on the account row."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum

from storage.models import Account

WINDOW = timedelta(minutes=1)


class Verdict(Enum):
    OK = "ok"
    WARN = "warn"  # the first message over the limit: tell them, once
    DROP = "drop"  # later ones, until the window ends: silently ignored


def count_message(account: Account, now: datetime, per_minute: int) -> Verdict:
    if account.window_started_at is None or now - account.window_started_at >= WINDOW:
        account.window_started_at = now
        account.window_count = 0
    account.window_count += 1
    if account.window_count <= per_minute:
        return Verdict.OK
    return Verdict.WARN if account.window_count == per_minute + 1 else Verdict.DROP
