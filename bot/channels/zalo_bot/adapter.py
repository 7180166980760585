"""The Zalo Bot API channel (bot.zaloplatforms.com) over httpx: updates in, sends out.

The Bot API resembles Telegram's, with differences that shape this module: every call is a
POST of JSON to `<base_url>/bot<TOKEN>/<method>`; `getUpdates` returns one update (not a list)
and has no offset, so an update is Zalo's to forget the moment it is returned; ids are strings
and dates are milliseconds; there are no inline keyboards, so choices are sent as numbers.

An update's key in the inbox is its `message_id`, unique per bot: Zalo may deliver a message
twice (a webhook retried, or a switch between polling and webhook) and it is recorded once.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable, Collection
from typing import Any

import httpx

from bot.channels.zalo_text import ChooseHints, render
from bot.polling import poll_forever
from bot.processing import BurstRecorder, InboxProcessor
from bot.transport import PermanentFailure, RateLimits, RetryAfter, TemporaryFailure
from core.messages import Action, Attachment, ChatKind, Incoming, MediaKind, Outgoing

PLATFORM = "zalo"
MAX_TEXT_LENGTH = 2000
POLL_TIMEOUT = 30
NO_UPDATE = 408  # getUpdates answers "Request timeout" when nothing arrived during the long poll
log = logging.getLogger(__name__)

JSON = dict[str, Any]


class ZaloBotError(Exception):
    """An answer of the Bot API with ok=false."""

    def __init__(self, code: int, description: str, retry_after: float | None = None) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.retry_after = retry_after


class ZaloBotClient:
    """The Bot API's methods that the product uses, one POST each."""

    def __init__(self, token: str, base_url: str, http: httpx.AsyncClient) -> None:
        self._url = f"{base_url.rstrip('/')}/bot{token}"
        self._http = http

    async def call(self, method: str, params: JSON | None = None, http_timeout: float = 30.0) -> Any:
        response = await self._http.post(f"{self._url}/{method}", json=params or {}, timeout=http_timeout)
        try:
            body = response.json()
        except ValueError:
            raise ZaloBotError(response.status_code, f"not JSON: {response.text[:200]}") from None
        if not isinstance(body, dict) or not body.get("ok"):
            body = body if isinstance(body, dict) else {}
            retry_after = (body.get("parameters") or {}).get("retry_after")
            raise ZaloBotError(int(body.get("error_code") or response.status_code),
                               str(body.get("description") or "no description"), retry_after)
        return body.get("result")

    async def get_me(self) -> JSON:
        return await self.call("getMe")

    async def get_update(self, timeout: int = POLL_TIMEOUT) -> JSON | None:
        """One update, or None when the long poll ended without one."""
        try:
            return await self.call("getUpdates", {"timeout": str(timeout)}, http_timeout=timeout + 10)
        except ZaloBotError as error:
            if error.code == NO_UPDATE:
                return None
            raise

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")

    async def send_message(self, chat_id: str, text: str) -> JSON:
        return await self.call("sendMessage", {"chat_id": chat_id, "text": text})

    async def send_photo(self, chat_id: str, photo: str, caption: str = "") -> JSON:
        params = {"chat_id": chat_id, "photo": photo} | ({"caption": caption} if caption else {})
        return await self.call("sendPhoto", params)

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})


# --- in ------------------------------------------------------------------------------

def unwrap(body: Any) -> JSON | None:
    """An update from a webhook body, which comes flat or as {"ok": true, "result": {...}}."""
    if isinstance(body, dict) and body.get("ok") is True and isinstance(body.get("result"), dict):
        body = body["result"]
    if isinstance(body, dict) and isinstance(body.get("event_name"), str):
        return body
    return None


def malformed(update: JSON) -> str:
    """The first field of an update that does not have the Bot API's shape, or "" when all the
    fields read here do. Such an update is dropped with a warning (the webhook answers 200):
    delivering it again could never make it usable."""
    message = update.get("message", {})
    if not isinstance(message, dict):
        return "message"
    for field in ("from", "chat"):
        part = message.get(field, {})
        if not isinstance(part, dict) or not isinstance(part.get("id", ""), str | int):
            return f"message.{field}"
    if not isinstance(message.get("message_id", ""), str | int):
        return "message.message_id"
    if not all(isinstance(message.get(key, ""), str) for key in ("text", "caption", "photo_url", "photo", "sticker")):
        return "message.text"
    names = (message.get("from") or {}).get("display_name", ""), (message.get("from") or {}).get("name", "")
    return "" if all(isinstance(name, str) for name in names) else "message.from.display_name"


def update_key(update: JSON) -> str:
    """The inbox key: the message's id, or a digest of the update when it has none."""
    message_id = (update.get("message") or {}).get("message_id")
    if message_id:
        return f"msg:{message_id}"
    return "sha256:" + hashlib.sha256(json.dumps(update, sort_keys=True).encode()).hexdigest()


def incoming_from_update(update: JSON) -> Incoming | None:
    """The plain form of an update, or None for what the product does not handle."""
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    sender, chat = message.get("from") or {}, message.get("chat") or {}
    if not sender.get("id") or not chat.get("id") or sender.get("is_bot"):
        return None
    kind = ChatKind.GROUP if str(chat.get("chat_type", "")).upper() == "GROUP" else ChatKind.PRIVATE
    event = update.get("event_name", "")
    text = message.get("text") or message.get("caption") or ""
    return Incoming.received(
        platform=PLATFORM, chat_id=str(chat["id"]), chat_kind=kind, user_id=str(sender["id"]),
        user_name=str(sender.get("display_name") or sender.get("name") or ""),
        message_id=str(message.get("message_id") or ""), text=text if event != "message.sticker.received" else "",
        attachments=_attachments(event, message),
    )


def _attachments(event: str, message: JSON) -> tuple[Attachment, ...]:
    if event == "message.image.received":
        url = message.get("photo_url") or message.get("photo") or ""
        return (Attachment(MediaKind.PHOTO, str(url)),) if url else ()
    if event == "message.sticker.received":
        return (Attachment(MediaKind.STICKER, str(message.get("sticker") or "")),)
    if event == "message.unsupported.received":
        return (Attachment(MediaKind.HIDDEN, ""),)  # from accounts with privacy protection: no content
    if event != "message.text.received":
        return (Attachment(MediaKind.UNSUPPORTED, ""),)
    return ()


class ZaloBotReceiver:
    """Records updates in the inbox before anything else is done with them."""

    def __init__(self, client: ZaloBotClient, processor: InboxProcessor) -> None:
        self._client = client
        self._processor = processor
        self.burst = BurstRecorder(processor)  # the webhook's posts arriving together: one commit

    def entry(self, update: JSON) -> tuple[str, Incoming] | None:
        """An update's inbox key and plain form when it is for the product, else None (logged)."""
        if problem := malformed(update):
            log.warning("Zalo update %s dropped: its %s is malformed", update.get("event_name"), problem)
            return None
        incoming = incoming_from_update(update)
        if incoming is None:
            log.info("Zalo update %s ignored", update.get("event_name"))
            return None
        return update_key(update), incoming

    def record(self, update: JSON) -> Incoming | None:
        """Commit an update; the incoming message when it is new and for the product, else None."""
        if (entry := self.entry(update)) is None:
            return None
        return entry[1] if self._processor.record(*entry) else None

    async def show_typing(self, incoming: Incoming | None) -> None:
        """A hint that an answer is coming; losing it is harmless, so it skips the outbox."""
        if incoming is None or not incoming.is_private:
            return
        try:
            await self._client.send_chat_action(incoming.chat_id, "typing")
        except (ZaloBotError, httpx.HTTPError) as error:
            log.info("sendChatAction failed: %s", error, extra={"platform": "zalo", "chat_kind": "private"})

    async def poll_once(self, timeout: int = POLL_TIMEOUT) -> int:
        """One long poll. Zalo forgets an update once returned, so it is committed right away;
        a crash between Zalo's answer and the commit loses that one update (the webhook does not)."""
        update = await self._client.get_update(timeout)
        if update is None:
            return 0
        incoming = await asyncio.to_thread(self.record, update)
        await self.show_typing(incoming)
        return 1

    async def poll_forever(self, on_recorded: Callable[[], None]) -> None:
        await poll_forever(self.poll_once, on_recorded, (httpx.HTTPError, ZaloBotError), "Zalo")


# --- out -----------------------------------------------------------------------------

class ZaloBotTransport:
    platform = PLATFORM
    max_text_length = MAX_TEXT_LENGTH

    def __init__(self, client: ZaloBotClient, limits: RateLimits, hints: ChooseHints,
                 group_chats: Collection[str] = ()) -> None:
        """`group_chats`: the ids of groups named in the config (Zalo's ids do not say)."""
        self._client = client
        self.limits = limits
        self._hints = hints
        self._groups = frozenset(group_chats)

    def is_group(self, chat_id: str) -> bool:
        return chat_id in self._groups

    async def send(self, message: Outgoing) -> list[str]:
        """Zalo can neither edit nor delete a sent message: an edit goes out as a new message
        with the new text; a deletion is refused for good, and reported."""
        chat_id = message.chat.chat_id
        if message.action is Action.DELETE:
            raise PermanentFailure("Zalo cannot delete a message once sent", "refused")
        hint = await asyncio.to_thread(self._hints.for_chat, PLATFORM, chat_id, self.is_group(chat_id)) \
            if message.choices else ""
        try:
            sent = [await self._send_attachment(chat_id, a) for a in message.attachments]
            for text in render(message, hint, MAX_TEXT_LENGTH):
                sent.append(await self._client.send_message(chat_id, text))
        except ZaloBotError as error:
            raise _send_error(error) from error
        except httpx.HTTPError as error:
            raise TemporaryFailure(f"{type(error).__name__}: {error}") from error
        return [str(result.get("message_id", "")) for result in sent if result]

    async def _send_attachment(self, chat_id: str, attachment: Attachment) -> JSON | None:
        """Photos with a public address go as photos; other files as their link (the Bot API
        sends no documents or voice), and files known only to another platform are left out."""
        if not attachment.file_ref.startswith(("https://", "http://")):
            log.warning("attachment %s cannot be sent on Zalo: not a public address", attachment.kind)
            return None
        if attachment.kind == MediaKind.PHOTO:
            return await self._client.send_photo(chat_id, attachment.file_ref)
        return await self._client.send_message(chat_id, f"📎 {attachment.file_name or attachment.kind}: "
                                                        f"{attachment.file_ref}")


def _send_error(error: ZaloBotError) -> Exception:
    if error.code == 429:
        return RetryAfter(float(error.retry_after or 5))
    if error.code >= 500 or error.code in (401, 408):  # 401: a token problem to fix, not the message's
        return TemporaryFailure(str(error))
    if error.code == 403:
        return PermanentFailure(str(error), "blocked")
    if "chat not found" in error.description.lower():
        return PermanentFailure(str(error), "chat_gone")
    return PermanentFailure(str(error), "too_large" if "too long" in error.description.lower() else "refused")
