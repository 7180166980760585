"""Button data: `encode(session, action, *args)` and `decode(session, data)`, signed so that data the bot
did not make (forged, or from before an upgrade) is refused.

Data is `code:arg:arg.MAC` — the action's short code, its arguments, and the first 8 bytes of an
HMAC-SHA256 over the rest (URL-safe base64, 11 characters) — at most 64 bytes, Telegram's limit. The
key is made once per database by migration 0017 (table `secrets`), so it holds across restarts and
across the processes sharing the database; it is read once per engine.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from storage.models import Secret

LIMIT = 64  # bytes, Telegram's callback_data
KEY_NAME = "button_key"
SEPARATOR = ":"
_MAC_BYTES = 8
_keys: WeakKeyDictionary[Engine, bytes] = WeakKeyDictionary()


class DataTooLong(ValueError):
    """Button data over Telegram's 64 bytes: a longer key in the configuration, or a new action's arguments."""


def key_of(session: Session) -> bytes:
    engine = session.get_bind().engine
    if engine not in _keys:
        secret = session.get(Secret, KEY_NAME)
        assert secret is not None, "migration 0017 makes the button key"
        _keys[engine] = bytes.fromhex(secret.value)
    return _keys[engine]


def _mac(key: bytes, body: str) -> str:
    digest = hmac.new(key, body.encode(), hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def encode_with(key: bytes, code: str, *args: object) -> str:
    parts = [code, *(str(a) for a in args)]
    if "." in code or any(SEPARATOR in p for p in parts):
        raise ValueError(f"button argument with {SEPARATOR!r}: {parts}")
    body = SEPARATOR.join(parts)
    data = f"{body}.{_mac(key, body)}"
    if len(data.encode()) > LIMIT:
        raise DataTooLong(f"{len(data.encode())} bytes: {data}")
    return data


def decode_with(key: bytes, data: str) -> tuple[str, tuple[str, ...]] | None:
    body, dot, mac = data.rpartition(".")
    if not dot or not hmac.compare_digest(mac, _mac(key, body)):
        return None
    code, *args = body.split(SEPARATOR)
    return code, tuple(args)


def encode(session: Session, code: str, *args: object) -> str:
    return encode_with(key_of(session), code, *args)


def decode(session: Session, data: str) -> tuple[str, tuple[str, ...]] | None:
    """(action code, arguments), or None for data this database's key did not sign."""
    return decode_with(key_of(session), data)
