"""Per-person message rate: a fixed one-minute window kept on the account row."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.models import Account

WINDOW = timedelta(minutes=1)


def count_message(account: Account, now: datetime, per_minute: int) -> str:
    """'ok', 'warn' (first message over the limit: tell them once) or 'drop' (silently ignored)."""
    if account.window_started_at is None or now - account.window_started_at >= WINDOW:
        account.window_started_at = now
        account.window_count = 0
    account.window_count += 1
    if account.window_count <= per_minute:
        return "ok"
    return "warn" if account.window_count == per_minute + 1 else "drop"
