"""No secret reaches a log line: every record is redacted where it is made, whatever logs it.

The HTTP clients log request URLs, and the Bot APIs of Telegram and Zalo carry the token in
the path (`/bot<TOKEN>/sendMessage`); exceptions quote the URL too. Redacting in the record
factory covers every logger and every handler (files, the console, pytest's capture) with
one hook, rather than a filter per handler that a new handler would lack.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

from core.config import Settings

MASK = "[redacted]"
MIN_SECRET_LENGTH = 6  # shorter values (an empty token, "x") would mask ordinary words
# A Telegram bot token (digits:35 characters), anything after /bot in a URL path, and the token of a
# console sign-in link (it opens a staff session until it is used or expires).
_TOKEN_SHAPES = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}|(?<=/bot)[^/\s\"']{8,}|(?<=/console/login/)[A-Za-z0-9_-]{16,}")

_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def secrets_of(settings: Settings) -> list[str]:
    """Every configured secret, as each channel's table names them (tokens, webhook secrets, keys), and the
    key that signs the web console's cookies."""
    return [*(secret for section in settings.channels.values() for secret in section.secrets()), settings.web.secret]


def protect(secrets: Iterable[str]) -> None:
    """Mask these values (and token-shaped text) in every log record from now on."""
    global _installed
    with _lock:
        _secrets.update(s for s in secrets if len(s) >= MIN_SECRET_LENGTH)
        if not _installed:
            logging.setLogRecordFactory(_redacting(logging.getLogRecordFactory()))
            _installed = True


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return _TOKEN_SHAPES.sub(MASK, text)


def _redacting(factory: logging._LogRecordFactory) -> logging._LogRecordFactory:  # type: ignore[name-defined]
    def make(*args: object, **kwargs: object) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        record.args = _redacted_args(record.args)
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None  # a handler formatting it again would bring the secret back
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record
    return make


def _redacted_args(args: object) -> object:
    """Arguments stay arguments (uvicorn's access formatter unpacks them; %d needs a number), and
    anything but a number becomes its redacted text (httpx passes URL objects)."""
    if isinstance(args, tuple):
        return tuple(_redacted_arg(a) for a in args)
    if isinstance(args, dict):
        return {key: _redacted_arg(value) for key, value in args.items()}
    return args


def _redacted_arg(value: object) -> object:
    if value is None or isinstance(value, int | float):
        return value
    return redact(str(value))


def quiet_http_clients() -> None:
    """httpx logs every request at INFO: noise at the bot's rate, and the URL is the token's place."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
