"""How long to wait before the next send, so that a platform's limits are never exceeded."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from bot.transport import RateLimits

ONE_SECOND = timedelta(seconds=1)
ALL_IN_FLIGHT_POLL = 0.05  # seconds; the sender is woken anyway when a request completes
CATCH_UP = timedelta(seconds=0.5)  # how far behind its grid the sender may catch up


class SendLimiter:
    """Keeps sends within a platform's limits as the platform counts them.

    The platform counts a send when its request arrives, somewhere between our start and its
    answer. So each send counts here from its start until one second after its answer: a send may
    start only while fewer than `per_second` sends are in flight or answered within the last
    second, and a chat gets its next message an interval after the answer to its previous one.
    Then no window of the platform's ever holds more than the limit, whatever the network's
    jitter; the price is the round trip, a few milliseconds on a nearby server. Starts are
    spread on an even grid over the second, so the platform never sees a burst.
    """

    def __init__(self, limits: RateLimits) -> None:
        self._limits = limits
        self._per_second = limits.per_second
        self._spacing = timedelta(seconds=1 / limits.per_second)
        self._answered: deque[datetime] = deque()  # answers of the last second, oldest first
        self._in_flight = 0
        self._next_start: datetime | None = None
        self._chat_free_at: dict[str, datetime] = {}

    def chat_wait(self, chat_id: str, now: datetime) -> float:
        """Seconds until this chat may receive again, whatever the overall rate."""
        free_at = self._chat_free_at.get(chat_id)
        return max(0.0, (free_at - now).total_seconds()) if free_at is not None else 0.0

    def wait(self, chat_id: str, now: datetime) -> float:
        """Seconds until a message may go to this chat (0 when it may go now)."""
        while self._answered and self._answered[0] <= now - ONE_SECOND:
            self._answered.popleft()
        waits = [self.chat_wait(chat_id, now)]
        if self._next_start is not None:
            waits.append((self._next_start - now).total_seconds())
        if self._in_flight + len(self._answered) >= self._per_second:
            leaves = self._answered[0] + ONE_SECOND if self._answered else None
            waits.append((leaves - now).total_seconds() if leaves else ALL_IN_FLIGHT_POLL)
        return max(waits)

    def share(self, senders: int) -> None:
        """Several processes send for one bot: each keeps to its share of the overall rate."""
        self._per_second = self._limits.per_second / max(senders, 1)
        self._spacing = timedelta(seconds=1 / self._per_second)

    def started(self, now: datetime) -> None:
        """Starts keep a grid: after starts that came late (the loop or the database was busy) the
        next ones catch up, as far as the one-second window allows, so a stall does not lower the rate."""
        self._in_flight += 1
        on_grid = self._next_start is not None and now - self._next_start < CATCH_UP
        self._next_start = (self._next_start if on_grid else now) + self._spacing  # type: ignore[operator]

    def answered(self, chat_id: str, is_group: bool, now: datetime) -> None:
        """A request ended (sent or refused): the chat's interval runs from now."""
        self._in_flight -= 1
        self._answered.append(now)
        interval = self._limits.group_interval if is_group else self._limits.private_interval
        self._chat_free_at[chat_id] = now + timedelta(seconds=interval)
        if len(self._chat_free_at) > 4 * self._limits.per_second * max(interval, 1):
            self._forget_free_chats(now)

    @property
    def tracked_chats(self) -> int:
        return len(self._chat_free_at)

    def _forget_free_chats(self, now: datetime) -> None:
        """Chats whose interval is over constrain nothing: memory stays bounded by the rate, not the audience."""
        self._chat_free_at = {chat: at for chat, at in self._chat_free_at.items() if at > now}
