"""How long to wait before the next send, so that a platform's limits are never exceeded."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.transport import RateLimits

SAFETY = 1.02  # slots 2% wider than the limit, for the jitter between our start and its arrival


class SendLimiter:
    """A minimum gap per chat, and an overall rate kept on a grid of send slots.

    A send that starts a little late keeps the grid (the next slot is one interval after the
    last slot, not after the late start), so small delays of the loop do not add up and lower
    the rate; after a pause the grid starts again from now.
    """

    def __init__(self, limits: RateLimits) -> None:
        self._limits = limits
        self._slot = timedelta(seconds=SAFETY / limits.per_second)
        self._last_by_chat: dict[str, datetime] = {}
        self._next_overall: datetime | None = None

    def wait(self, chat_id: str, is_group: bool, now: datetime) -> float:
        """Seconds until a message may go to this chat (0 when it may go now)."""
        interval = self._limits.group_interval if is_group else self._limits.private_interval
        waits = [0.0]
        last = self._last_by_chat.get(chat_id)
        if last is not None:
            waits.append(interval - (now - last).total_seconds())
        if self._next_overall is not None:
            waits.append((self._next_overall - now).total_seconds())
        return max(waits)

    def record(self, chat_id: str, now: datetime) -> None:
        self._last_by_chat[chat_id] = now
        on_grid = self._next_overall is not None and now - self._next_overall < self._slot
        self._next_overall = (self._next_overall if on_grid else now) + self._slot  # type: ignore[operator]
