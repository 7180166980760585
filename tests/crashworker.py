"""A worker that kills itself at a chosen point, for tests/test_crash.py.

Usage: python tests/crashworker.py DATABASE_URL LOG_PATH KILL_AT

It processes the inbox and drains the outbox of the example configuration (console
chats) through `FileTransport`, which appends one JSON line per accepted send to
LOG_PATH. Every commit and both sides of every logged send are numbered "kill points";
at the KILL_AT-th one (0: never) the process SIGKILLs itself, after noting which kind
of point it was in `kills_path(LOG_PATH)`. Counting points instead of sleeping makes a
crash land at an exact, reproducible step. Exit 0 once nothing is left to do.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

from bot.app import App, build_app
from bot.channels.console import PLATFORM, console_settings
from bot.channels.registry import load_settings
from bot.sender import OutboxSender
from bot.transport import RateLimits
from core.messages import Outgoing
from storage import inbox
from storage.db import transaction
from storage.models import OutboxMessage, OutboxStatus

ROOT = Path(__file__).resolve().parents[1]

COMMIT = "commit"
BEFORE_WRITE = "before-write"
AFTER_WRITE = "after-write"  # the send is logged but not yet recorded as sent
STUCK = 3  # exit code when a pass does nothing yet work remains (a bug, not a crash)


def kills_path(log_path: Path) -> Path:
    """Where the kind of each kill is noted, next to the log of sends."""
    return log_path.with_name(log_path.name + ".kills")


def append_line(path: Path, record: dict[str, Any]) -> None:
    """Append and fsync, so that the line is there even if the next instant is a SIGKILL."""
    with path.open("a", encoding="utf-8") as file:
        file.write(json.dumps(record, ensure_ascii=False) + "\n")
        file.flush()
        os.fsync(file.fileno())


class KillSwitch:
    """Counts kill points and dies at the chosen one, leaving a note of what kind it was."""

    def __init__(self, kill_at: int, marker: Path) -> None:
        self._kill_at = kill_at
        self._marker = marker
        self.count = 0
        self.sender: OutboxSender | None = None

    def point(self, kind: str) -> None:
        """Die here if this is the chosen point, noting how many sends were in flight (the repeats allowed)."""
        self.count += 1
        if self.count == self._kill_at:
            in_flight = self.sender.in_flight if self.sender else 0
            append_line(self._marker, {"kind": kind, "point": self.count, "in_flight": in_flight})
            os.kill(os.getpid(), signal.SIGKILL)


class FileTransport:
    """A platform whose "chats" are lines in a file; every send is accepted."""

    platform = PLATFORM
    max_text_length = 4096
    limits = RateLimits(per_second=float("inf"), private_interval=0.0, group_interval=0.0)

    def __init__(self, log_path: Path, kills: KillSwitch) -> None:
        self._log_path = log_path
        self.kills = kills
        self.sent = 0

    def is_group(self, chat_id: str) -> bool:
        return not chat_id.startswith("user-")

    async def send(self, message: Outgoing) -> list[str]:
        self.kills.point(BEFORE_WRITE)
        message_id = uuid.uuid4().hex
        append_line(self._log_path, {"message_id": message_id, "chat_id": message.chat.chat_id, "html": message.html})
        self.sent += 1
        self.kills.point(AFTER_WRITE)
        return [message_id]


def work_left(app: App) -> bool:
    with transaction(app.sessions) as session:
        unsent = session.scalar(select(func.count()).where(
            OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING))))
        return inbox.pending_count(session) > 0 or bool(unsent)


async def run(app: App, transport: FileTransport) -> int:
    """Process and send until done; STUCK if a whole pass moves nothing.

    This is the only sender, so a row it finds `sending` was left by its killed
    predecessor: no lease to wait out (the shared-database default would stall each
    restart by a minute).
    """
    sender = OutboxSender(app.sessions, transport, app.clock, lease=timedelta(0))
    transport.kills.sender = sender
    while True:
        processed = app.processor.process_all()
        sent_before = transport.sent
        await sender.drain()
        if not work_left(app):
            return 0
        if processed == 0 and transport.sent == sent_before:
            return STUCK


def main(database_url: str, log_path: Path, kill_at: int) -> int:
    logging.basicConfig(level=logging.WARNING)
    settings = replace(load_settings(ROOT / "config.example.toml"), database_url=database_url)
    app = build_app(console_settings(settings))
    kills = KillSwitch(kill_at, kills_path(log_path))
    event.listen(app.sessions, "after_commit", lambda _session: kills.point(COMMIT))
    try:
        return asyncio.run(run(app, FileTransport(log_path, kills)))
    finally:
        app.engine.dispose()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])))
