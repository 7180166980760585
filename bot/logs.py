"""Logging for every command: plain lines for a terminal, or one JSON object a line for a log system.

The fields an operator filters on travel as `extra` on a record (`log.warning(..., extra={"outbox_id":
row.id})`); the JSON lines carry those present. Nothing at INFO and above names a young person or
quotes what they wrote: log codes and ids of rows, not people.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from bot import logsafe

FORMATS = ("text", "json")
FIELDS = ("platform", "chat_kind", "question", "outbox_id", "update_id", "error")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({name: getattr(record, name) for name in FIELDS if getattr(record, name, None) is not None})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (a test's capture may have replaced it since)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def setup_logging(level: str = "INFO", format: str = "text", stream: TextIO | None = None) -> None:
    """One handler on the root logger, replacing any earlier one (tests call main() many times)."""
    handler = logging.StreamHandler(stream) if stream else _StderrHandler()
    handler.setFormatter(JsonFormatter() if format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "youthbot", False)]:
        root.removeHandler(old)
    handler.youthbot = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    logsafe.quiet_http_clients()
    # Importing alembic (1.17+) names each plugin it sets up, at INFO: set-up, not news for an operator.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
