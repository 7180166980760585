"""The one shape every chat platform has: a `Channel` the registry lists and the runtime iterates.

A channel declares its name (the platform key in chat ids and in the database), its settings table
(read and validated by its own `ChannelSection`, inside the strict configuration), its capabilities
(what handlers may count on), its text limit, and `start`: from the app and what the process shares,
its outbox sender(s), its receivers (polling loops) and its web routes (webhooks, a challenge GET).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
from starlette.routing import BaseRoute

from bot.sender import OutboxSender
from core.channels import Capabilities
from core.config import ChannelSection

if TYPE_CHECKING:
    from bot.app import App


@dataclass(frozen=True)
class Setup:
    """What a channel starts with: the app, the process's HTTP client and exit stack (closed when
    the process stops), and the call that wakes the inbox processor after a commit."""

    app: App
    stack: AsyncExitStack
    http: httpx.AsyncClient
    inbox_changed: Callable[[], None]


@dataclass
class Wiring:
    """What a started channel gives the runtime: its senders, its receivers by name (watched by
    /readyz), and the routes the one web application mounts."""

    senders: list[OutboxSender] = field(default_factory=list)
    receivers: dict[str, Awaitable[None]] = field(default_factory=dict)
    routes: list[BaseRoute] = field(default_factory=list)


Start = Callable[[Setup], Awaitable[Wiring]]


@dataclass(frozen=True)
class Channel:
    """One platform. `start` is None for a channel the runtime does not start on its own (the
    console, which the terminal drives)."""

    section: ChannelSection
    capabilities: Capabilities
    max_text_length: int
    start: Start | None

    @property
    def name(self) -> str:
        return self.section.name


def path_of(url: str, default: str) -> str:
    """The path a webhook is served at, from the public address the platform posts to."""
    return urlsplit(url).path.rstrip("/") or default
