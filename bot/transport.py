"""What an adapter must offer to send messages: one call, and errors that say what to do next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core.messages import Outgoing


class SendError(Exception):
    """A send that did not go through."""


class RetryAfter(SendError):
    """The platform asks to wait (HTTP 429 with retry_after)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class TemporaryFailure(SendError):
    """Network trouble or a server error: try again later."""


class PermanentFailure(SendError):
    """The platform refuses this message for good; `reason` is one word reports group by:
    blocked (a person blocked the bot), chat_gone, formatting, too_large, window_closed, refused."""

    def __init__(self, message: str, reason: str = "refused") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class RateLimits:
    per_second: float = 30.0
    private_interval: float = 1.0   # seconds between two messages to one private chat
    group_interval: float = 3.0     # 20 messages a minute in one group


class Transport(Protocol):
    platform: str
    max_text_length: int
    limits: RateLimits

    def is_group(self, chat_id: str) -> bool: ...

    async def send(self, message: Outgoing) -> list[str]:
        """Deliver one message; return the platform's id(s) of what was posted."""
        ...
