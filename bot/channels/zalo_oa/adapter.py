"""The Zalo Official Account channel (Open API v3) over httpx: webhook events in, consultation
messages (`/v3.0/oa/message/cs`) out.

Zalo's rules that shape it:
- Events are signed: `X-ZEvent-Signature: mac=<hex sha256(app_id + raw body + timestamp + OA
  secret key)>`; anything else is refused. An event's inbox key is its `msg_id` (or, without
  one, its name, user and timestamp), so a retried or replayed event is handled once.
- The OA may answer a person for free by replying to their message (`recipient.message_id`)
  within 48 hours of it; by `user_id` up to 7 days after their last message (counted against
  the OA's quota); not at all after that, or once they unfollowed (errors -230, -213). Such a
  message is held (`handlers.reply_window`) until they write again. Following is no message:
  Zalo refuses a greeting sent then, so a follower is welcomed when they first write.
- The access token lives 25 hours; the refresh token is single-use. A refresh stores the new
  pair in the database (compare-and-swap on the spent refresh token) before the new access
  token is used, so a crash cannot leave the only valid refresh token in memory. A crash
  between Zalo's answer and that commit still loses the pair: the OA must then be authorised
  again (see the README).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from bot import logsafe
from bot.channels.zalo_oa import store
from bot.channels.zalo_text import ChooseHints, render, without_choices
from bot.processing import InboxProcessor
from bot.transport import PermanentFailure, RateLimits, RetryAfter, TemporaryFailure
from core.clock import Clock
from core.messages import Action, Attachment, ChatKind, Incoming, MediaKind, Outgoing
from handlers.deliveries import WINDOW_CLOSED, window_error
from storage import contacts
from storage.db import transaction
from storage.models import ChatMenu, Contact

PLATFORM = "zalo_oa"
MAX_TEXT_LENGTH = 2000
FREE_REPLY_WINDOW = timedelta(hours=48)
REPLY_WINDOW = timedelta(days=7)
REFRESH_MARGIN = timedelta(minutes=10)
TOKEN_ERRORS = frozenset({-216, -220})          # access token invalid / expired
WINDOW_ERRORS = frozenset({-213, -230, -232})   # not a follower / no interaction in 7 days
RATE_ERRORS = frozenset({-32})
log = logging.getLogger(__name__)

JSON = dict[str, Any]
MEDIA_EVENTS = {
    "user_send_image": MediaKind.PHOTO, "user_send_file": MediaKind.DOCUMENT,
    "user_send_audio": MediaKind.VOICE, "user_send_video": MediaKind.VIDEO,
    "user_send_sticker": MediaKind.STICKER, "user_send_gif": MediaKind.STICKER,
}


class OutsideWindow(PermanentFailure):
    """Zalo lets the OA write to this person no more, until they write again.

    Why, for officers and the coordinator: -213 is "not a follower", -230 "no interaction in the
    past 7 days" (the transport's own check says "7 days" too). Anything else (48 hours, the limit
    of free replies to one message) is not told as "more than 7 days", which would be false."""

    def __init__(self, detail: str, code: int = 0) -> None:
        why = ("delivery_why_unfollowed" if code == -213 else "delivery_why_week" if "7 days" in detail
               else "delivery_why_refused")
        super().__init__(window_error(why, f"Zalo {detail}"), WINDOW_CLOSED)


class ZaloOaError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code


# --- in ------------------------------------------------------------------------------

def signature_ok(raw_body: bytes, header: str, app_id: str, oa_secret_key: str) -> bool:
    """X-ZEvent-Signature is "mac=" + hex sha256(app_id + raw body + timestamp + OA secret key);
    app_id and timestamp are the event's own fields, and app_id must be ours."""
    try:
        event = json.loads(raw_body)
    except ValueError:
        return False
    if not isinstance(event, dict) or str(event.get("app_id", "")) != app_id or not app_id or not oa_secret_key:
        return False
    signed = app_id.encode() + raw_body + str(event.get("timestamp", "")).encode() + oa_secret_key.encode()
    expected = hashlib.sha256(signed).hexdigest()
    return hmac.compare_digest(header.strip().removeprefix("mac=").strip().lower(), expected)


def malformed(event: JSON) -> str:
    """The first field of a signed event that does not have Zalo's shape, or "" when all the
    fields read here do. Such an event is dropped with a warning and answered 200: retrying it
    could never make it usable, and nothing about it is stored or answered."""
    name = event.get("event_name")
    if not isinstance(name, str) or not name:
        return "event_name"
    if not _is_number(event.get("timestamp")):
        return "timestamp"
    for field in ("sender", "follower"):
        if field in event and not (isinstance(event[field], dict) and _is_id(event[field].get("id"))):
            return field
    if not isinstance(event.get("recipient", {}), dict):
        return "recipient"
    message = event.get("message", {})
    if not isinstance(message, dict):
        return "message"
    if not _is_id(message.get("msg_id", "-")) or not isinstance(message.get("text", ""), str):
        return "message.msg_id/text"
    attachments = message.get("attachments", [])
    if not isinstance(attachments, list) or not all(_is_attachment(item) for item in attachments):
        return "message.attachments"
    return ""


def _is_number(value: object) -> bool:
    """Timestamps and sizes: digits, as a string or a number."""
    return (isinstance(value, int) and not isinstance(value, bool) and value >= 0) or (
        isinstance(value, str) and value.isascii() and value.isdigit())


def _is_id(value: object) -> bool:
    return _is_number(value) or (isinstance(value, str) and bool(value.strip()) and len(value) <= 64)


def _is_attachment(item: object) -> bool:
    payload = item.get("payload", {}) if isinstance(item, dict) else None
    return isinstance(payload, dict) and all(
        isinstance(payload.get(key, ""), str) for key in ("url", "id", "name")) and _is_number(payload.get("size", 0))


def event_time(event: JSON) -> datetime:
    return datetime.fromtimestamp(int(event.get("timestamp") or 0) / 1000, UTC)


def event_user(event: JSON) -> str:
    who = event.get("follower") if event.get("event_name") in ("follow", "unfollow") else event.get("sender")
    return str((who or {}).get("id") or "")


def event_key(event: JSON) -> str:
    message_id = (event.get("message") or {}).get("msg_id")
    if message_id:
        return f"msg:{message_id}"
    return f"{event.get('event_name')}:{event_user(event)}:{event.get('timestamp')}"


def incoming_from_event(event: JSON) -> Incoming | None:
    """A person's message, or None for the rest (follow included: Zalo lets no answer to it)."""
    name, user = event.get("event_name", ""), event_user(event)
    if not user:
        return None
    message = event.get("message") or {}
    fields: JSON = {"platform": PLATFORM, "chat_id": user, "chat_kind": ChatKind.PRIVATE, "user_id": user,
                    "message_id": str(message.get("msg_id") or "")}
    if name == "user_send_text":
        return Incoming.received(**fields, text=str(message.get("text") or ""))
    if name in MEDIA_EVENTS:
        return Incoming.received(**fields, text=str(message.get("text") or ""), attachments=_attachments(name, message))
    if name.startswith("user_send_"):  # location, business card, ...
        return Incoming.received(**fields, attachments=(Attachment(MediaKind.UNSUPPORTED, ""),))
    return None  # follow, unfollow, delivery and seen receipts, the OA's own messages


def _attachments(name: str, message: JSON) -> tuple[Attachment, ...]:
    found = []
    for item in message.get("attachments") or []:
        payload = item.get("payload") or {}
        found.append(Attachment(MEDIA_EVENTS[name], str(payload.get("url") or payload.get("id") or ""),
                                str(payload.get("name") or ""), "", int(payload.get("size") or 0)))
    return tuple(found) or (Attachment(MEDIA_EVENTS[name], ""),)


class ZaloOaReceiver:
    """Records events in the inbox, and notes when each person last wrote (the reply window)."""

    def __init__(self, processor: InboxProcessor, sessions: sessionmaker[Session]) -> None:
        self._processor = processor
        self._sessions = sessions

    def record(self, event: JSON) -> bool:
        """Commit an event; True when it is new work for the product."""
        if problem := malformed(event):
            log.warning("Zalo OA event dropped: its %s is malformed", problem)
            return False
        name, user = event.get("event_name", ""), event_user(event)
        incoming = incoming_from_event(event)
        recorded = incoming is not None and self._processor.record(event_key(event), incoming)
        if user and (incoming is not None or name in ("follow", "unfollow")):
            with transaction(self._sessions) as session:
                if name == "unfollow":
                    contacts.note_unfollow(session, PLATFORM, user, event_time(event))
                elif name == "follow":
                    contacts.note_follow(session, PLATFORM, user)
                else:
                    message_id = incoming.message_id if incoming else ""
                    contacts.note_message(session, PLATFORM, user, message_id, event_time(event))
        return recorded


# --- tokens ----------------------------------------------------------------------------

@dataclass(frozen=True)
class OaCredentials:
    app_id: str
    app_secret: str
    api_url: str
    oauth_url: str


class ZaloOaClient:
    """Consultation messages, with the access token kept fresh in the database."""

    def __init__(self, credentials: OaCredentials, sessions: sessionmaker[Session], clock: Clock,
                 http: httpx.AsyncClient) -> None:
        self._credentials = credentials
        self._sessions = sessions
        self._clock = clock
        self._http = http
        self._refreshing = asyncio.Lock()

    async def send(self, recipient: JSON, message: JSON) -> str:
        """Post one message; the access token is refreshed once if Zalo says it expired."""
        tokens = await self._fresh_tokens()
        try:
            return await self._post_cs(tokens.access_token, recipient, message)
        except ZaloOaError as error:
            if error.code not in TOKEN_ERRORS:
                raise
            log.info("Zalo OA access token refused (%s); refreshing", error)
            tokens = await self._refresh(tokens)
            return await self._post_cs(tokens.access_token, recipient, message)

    async def _post_cs(self, access_token: str, recipient: JSON, message: JSON) -> str:
        response = await self._http.post(f"{self._credentials.api_url}/v3.0/oa/message/cs",
                                         headers={"access_token": access_token},
                                         json={"recipient": recipient, "message": message}, timeout=30)
        body = _json(response)
        if int(body.get("error", -1)) != 0:
            raise ZaloOaError(int(body.get("error", -1)), str(body.get("message", "")))
        return str((body.get("data") or {}).get("message_id", ""))

    async def _fresh_tokens(self) -> store.Tokens:
        tokens = await asyncio.to_thread(self._read_tokens)
        if tokens.expires_at - REFRESH_MARGIN > self._clock.now():
            return tokens
        return await self._refresh(tokens)

    async def _refresh(self, stale: store.Tokens) -> store.Tokens:
        """One refresh at a time in this process; another process may have refreshed already."""
        async with self._refreshing:
            current = await asyncio.to_thread(self._read_tokens)
            if current.access_token != stale.access_token:
                return current  # refreshed meanwhile, here or elsewhere
            try:
                new = await self._request_tokens(current.refresh_token)
            except ZaloOaError as error:
                latest = await asyncio.to_thread(self._read_tokens)
                if latest.refresh_token != current.refresh_token:
                    return latest  # another process spent it first and stored its pair
                log.error("Zalo OA refresh token refused (%s): authorise the OA again (README, Zalo)", error)
                raise TemporaryFailure(f"Zalo OA token refresh failed: {error}") from error
            if not await asyncio.to_thread(self._store_tokens, current.refresh_token, new):
                return await asyncio.to_thread(self._read_tokens)
            return new

    async def _request_tokens(self, refresh_token: str) -> store.Tokens:
        credentials = self._credentials
        response = await self._http.post(
            f"{credentials.oauth_url}/v4/oa/access_token", headers={"secret_key": credentials.app_secret},
            data={"refresh_token": refresh_token, "app_id": credentials.app_id, "grant_type": "refresh_token"},
            timeout=30)
        body = _json(response)
        if not body.get("access_token") or not body.get("refresh_token"):
            raise ZaloOaError(int(body.get("error", -1)), str(body.get("error_description") or body))
        expires_in = timedelta(seconds=int(body.get("expires_in") or 3600))
        logsafe.protect((str(body["access_token"]), str(body["refresh_token"])))  # before anything logs them
        return store.Tokens(str(body["access_token"]), str(body["refresh_token"]), self._clock.now() + expires_in)

    def _read_tokens(self) -> store.Tokens:
        """The current pair; another process may have refreshed it, so its values are masked in logs too."""
        with transaction(self._sessions) as session:
            tokens = store.current_tokens(session, self._credentials.app_id)
        logsafe.protect((tokens.access_token, tokens.refresh_token))
        return tokens

    def _store_tokens(self, spent_refresh_token: str, new: store.Tokens) -> bool:
        with transaction(self._sessions) as session:
            return store.replace_tokens(session, self._credentials.app_id, spent_refresh_token, new,
                                        self._clock.now())


def _json(response: httpx.Response) -> JSON:
    try:
        body = response.json()
    except ValueError:
        raise ZaloOaError(-response.status_code, f"not JSON: {response.text[:200]}") from None
    return body if isinstance(body, dict) else {}


# --- out -------------------------------------------------------------------------------

class ZaloOaTransport:
    platform = PLATFORM
    max_text_length = MAX_TEXT_LENGTH

    def __init__(self, client: ZaloOaClient, sessions: sessionmaker[Session], clock: Clock, limits: RateLimits,
                 hints: ChooseHints) -> None:
        self._client = client
        self._sessions = sessions
        self._clock = clock
        self.limits = limits
        self._hints = hints

    def is_group(self, chat_id: str) -> bool:
        return False

    async def send(self, message: Outgoing) -> list[str]:
        """As on the Bot API, an edit goes out as a new message and a deletion is refused."""
        if message.action is Action.DELETE:
            raise PermanentFailure("Zalo cannot delete a message once sent", "refused")
        recipient, menu_current = await asyncio.to_thread(self._address, message)
        if not menu_current:
            message = without_choices(message)
        hint = await asyncio.to_thread(self._hints.for_chat, PLATFORM, message.chat.chat_id, False) \
            if message.choices else ""
        parts: list[JSON] = [_media(a) for a in message.attachments if a.file_ref.startswith("https://")]
        parts += [{"text": text} for text in render(message, hint, MAX_TEXT_LENGTH)]
        try:
            return [await self._client.send(recipient, part) for part in parts]
        except ZaloOaError as error:
            raise _send_error(error) from error
        except httpx.HTTPError as error:
            raise TemporaryFailure(f"{type(error).__name__}: {error}") from error

    def _address(self, message: Outgoing) -> tuple[JSON, bool]:
        """The recipient, and whether the message's choices are still the chat's menu: a held
        message released later must not show numbers that now mean another menu's buttons."""
        with transaction(self._sessions) as session:
            contact = contacts.contact(session, PLATFORM, message.chat.chat_id)
            menu = session.get(ChatMenu, (message.chat.platform, message.chat.chat_id))
            current = menu is not None and menu.options == [button.data for button in message.choices]
            return self._recipient(message, contact), current

    def _recipient(self, message: Outgoing, contact: Contact | None) -> JSON:
        """A free reply to their last message within 48 hours; by user id until 7 days; else held.

        Without a contact (the person was just erased) a message that replies to one of theirs
        goes as a free reply to it: Zalo itself says whether that is still allowed."""
        user_id = message.chat.chat_id
        last_id, last_at = (contact.last_message_id, contact.last_message_at) if contact else ("", None)
        if contact is None and message.reply_to_message_id:
            return {"message_id": message.reply_to_message_id}
        age = self._clock.now() - last_at if last_at else None
        if age is None or age > REPLY_WINDOW:
            raise OutsideWindow("no message from this person in the last 7 days")
        if last_id and age <= FREE_REPLY_WINDOW:
            return {"message_id": last_id}
        return {"user_id": user_id}


def _media(attachment: Attachment) -> JSON:
    if attachment.kind == MediaKind.PHOTO:
        return {"attachment": {"type": "template", "payload": {
            "template_type": "media", "elements": [{"media_type": "image", "url": attachment.file_ref}]}}}
    return {"text": f"📎 {attachment.file_name or attachment.kind}: {attachment.file_ref}"}


def _send_error(error: ZaloOaError) -> Exception:
    if error.code in WINDOW_ERRORS:
        return OutsideWindow(str(error), error.code)
    if error.code in RATE_ERRORS:
        return RetryAfter(60.0)
    if error.code in TOKEN_ERRORS or error.code <= -500:
        return TemporaryFailure(str(error))
    return PermanentFailure(str(error), "too_large" if error.code == -210 else "refused")


def seed_tokens(sessions: sessionmaker[Session], app_id: str, access_token: str, refresh_token: str,
                clock: Clock) -> None:
    """The config's tokens, on first start. Their lifetime is unknown: an access token given is
    trusted until Zalo refuses it (then refreshed); without one, the first send refreshes."""
    logsafe.protect((access_token, refresh_token))
    now = clock.now()
    expires_at = now + timedelta(hours=25) if access_token else now
    with transaction(sessions) as session:
        store.seed_tokens(session, app_id, store.Tokens(access_token, refresh_token, expires_at), now)
