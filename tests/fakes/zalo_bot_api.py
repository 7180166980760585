"""A strict local fake of the Zalo Bot API (bot.zaloplatforms.com), over real HTTP on 127.0.0.1.

What it follows (https://bot.zaloplatforms.com/docs and public clients of it): every method is
`<base>/bot<TOKEN>/<method>`, called with POST and a JSON body (getMe also with GET); answers
are {"ok": true, "result": ...} or {"ok": false, "error_code": N, "description": "..."};
`getUpdates` returns ONE update (an object, not a list), forgets it once returned, takes no
offset, and answers error 408 "Request timeout" when its long poll ends empty; it refuses to
work while a webhook is set. Updates carry `event_name` and a `message` with string ids and a
millisecond `date`. Messages from accounts with privacy protection arrive as
`message.unsupported.received`, without content. `setWebhook` takes `url` and `secret_token`,
which comes back in the `X-Bot-Api-Secret-Token` header of every post. Texts are plain, at most
2,000 characters.

Where it knowingly differs: error texts are the fake's own (Zalo documents few); groups are not
modelled (the product's groups live on Telegram in the tests); webhook posts are made only when
the test calls `deliver_webhooks`, to 127.0.0.1 only, one update at a time; there are no rate
limits (Zalo publishes none).
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.telegram_api import LocalServer

JSON = dict[str, Any]
DEFAULT_TOKEN = "1234567890:zalo-fake-token"
MAX_TEXT_LENGTH = 2000
CHAT_ACTIONS = frozenset({"typing", "upload_photo"})
SECRET_HEADER = "X-Bot-Api-Secret-Token"


class ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description

    def response(self) -> JSONResponse:
        return JSONResponse({"ok": False, "error_code": self.code, "description": self.description},
                            status_code=200 if self.code == 408 else self.code)


@dataclass
class FakeUser:
    id: str
    name: str
    protected: bool = False      # privacy protection: the bot receives no content
    blocked_bot: bool = False
    messages: list[JSON] = field(default_factory=list)  # both directions, in order


@dataclass
class Webhook:
    url: str
    secret_token: str


class FakeZaloBot:
    """One Zalo bot and the people who write to it.

        with FakeZaloBot() as fake:
            fake.add_user("u1", "Lan")
            fake.user_sends("u1", text="xin chào")
            ...  # the bot calls fake.base_url
            assert fake.bot_texts("u1")[-1] == "..."
    """

    def __init__(self, token: str = DEFAULT_TOKEN, wrap_webhook_bodies: bool = False) -> None:
        self.token = token
        self.wrap_webhook_bodies = wrap_webhook_bodies
        self.bot_id = "9000000000000000001"
        self.users: dict[str, FakeUser] = {}
        self.pending: deque[JSON] = deque()
        self.webhook: Webhook | None = None
        self.chat_actions: list[tuple[str, str]] = []
        self.calls: list[tuple[str, JSON]] = []
        self.failures: dict[str, deque[ApiError]] = defaultdict(deque)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = LocalServer(Starlette(routes=[
            Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST", "PUT", "DELETE"]),
        ]))

    # --- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> FakeZaloBot:
        self._server.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.stop()

    @property
    def base_url(self) -> str:
        return self._server.url

    # --- what the people do ----------------------------------------------------------------

    def add_user(self, user_id: str, name: str, protected: bool = False) -> FakeUser:
        self.users[user_id] = FakeUser(user_id, name, protected)
        return self.users[user_id]

    def user_sends(self, user_id: str, text: str | None = None, photo_url: str | None = None,
                   caption: str | None = None, sticker: str | None = None) -> JSON:
        """A user writes to the bot; returns the message the bot will receive."""
        user = self.users[user_id]
        if sum(x is not None for x in (text, photo_url, sticker)) != 1:
            raise ValueError("a message carries exactly one of text, photo_url, sticker")
        message: JSON = {
            "from": {"id": user.id, "display_name": user.name, "is_bot": False},
            "chat": {"id": user.id, "chat_type": "PRIVATE"},
            "message_id": self._new_message_id(),
            "date": int(time.time() * 1000),
        }
        if user.protected:
            event = "message.unsupported.received"
        elif text is not None:
            event, message["text"] = "message.text.received", text
        elif photo_url is not None:
            event, message["photo_url"] = "message.image.received", photo_url
            if caption:
                message["caption"] = caption
        else:
            event, message["sticker"], message["url"] = "message.sticker.received", sticker, f"https://zalo.example/s/{sticker}"
        user.blocked_bot = False
        user.messages.append({"by": "user", **message})
        self._queue({"event_name": event, "message": message})
        return message

    def duplicate(self, message_id: str) -> None:
        """Zalo delivers an update again (a webhook retry, or a switch between modes)."""
        for user in self.users.values():
            for message in user.messages:
                if message.get("message_id") == message_id and message["by"] == "user":
                    body = {k: v for k, v in message.items() if k != "by"}
                    event = "message.text.received" if "text" in body else "message.image.received"
                    self._queue({"event_name": event, "message": body})
                    return
        raise LookupError(message_id)

    def push_update(self, update: JSON) -> None:
        """An update of any shape, as a faulty (or changed) Zalo could deliver it."""
        self._queue(update)

    def block_bot(self, user_id: str) -> None:
        self.users[user_id].blocked_bot = True

    def fail_next(self, method: str, code: int, description: str) -> None:
        self.failures[method].append(ApiError(code, description))

    # --- what the bot did ---------------------------------------------------------------------

    def bot_messages(self, user_id: str) -> list[JSON]:
        return [m for m in self.users[user_id].messages if m["by"] == "bot"]

    def bot_texts(self, user_id: str) -> list[str]:
        return [m.get("text", m.get("caption", "")) for m in self.bot_messages(user_id)]

    def deliver_webhooks(self) -> int:
        """Posts the pending updates, in order, to the webhook; stops at the first one not
        answered with 2xx, which stays pending (Zalo retries). Returns how many were taken."""
        delivered = 0
        with httpx.Client(timeout=10) as client:
            while self.webhook is not None and self.pending:
                update = self.pending[0]
                if urlsplit(self.webhook.url).hostname not in ("127.0.0.1", "localhost"):
                    raise RuntimeError("the fake posts webhooks only to 127.0.0.1")
                body = {"ok": True, "result": update} if self.wrap_webhook_bodies else update
                response = client.post(self.webhook.url, json=body,
                                       headers={SECRET_HEADER: self.webhook.secret_token})
                if not 200 <= response.status_code < 300:
                    break
                self.pending.popleft()
                delivered += 1
        return delivered

    # --- the endpoint --------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return ApiError(401, "Unauthorized: invalid bot token").response()
        method = request.path_params["method"]
        handler = {"getMe": self._get_me, "getUpdates": self._get_updates, "setWebhook": self._set_webhook,
                   "deleteWebhook": self._delete_webhook, "getWebhookInfo": self._get_webhook_info,
                   "sendMessage": self._send_message, "sendPhoto": self._send_photo,
                   "sendChatAction": self._send_chat_action}.get(method)
        try:
            if handler is None:
                raise ApiError(404, f"Not Found: no method {method}")
            params = await self._params(request, method)
            self.calls.append((method, params))
            if self.failures[method]:
                raise self.failures[method].popleft()
            result = await handler(params)
        except ApiError as error:
            return error.response()
        return JSONResponse({"ok": True, "result": result})

    async def _params(self, request: Request, method: str) -> JSON:
        if request.method == "GET" and method == "getMe":
            return {}
        if request.method != "POST":
            raise ApiError(405, "Method Not Allowed: use POST")
        if not request.headers.get("content-type", "").startswith("application/json"):
            raise ApiError(400, "Bad Request: the body must be JSON")
        try:
            params = json.loads(await request.body() or b"{}")
        except ValueError:
            raise ApiError(400, "Bad Request: invalid JSON") from None
        if not isinstance(params, dict):
            raise ApiError(400, "Bad Request: the body must be a JSON object")
        return params

    async def _get_me(self, params: JSON) -> JSON:
        return {"id": self.bot_id, "account_name": "bot.youthbot", "account_type": "BASIC", "can_join_groups": False}

    async def _get_updates(self, params: JSON) -> JSON:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: a webhook is set; call deleteWebhook to use getUpdates")
        timeout = float(params.get("timeout", 0) or 0)
        deadline = time.monotonic() + min(timeout, 5.0)
        while not self.pending:
            if time.monotonic() >= deadline:
                raise ApiError(408, "Request timeout")
            await asyncio.sleep(0.02)
        return copy.deepcopy(self.pending.popleft())  # forgotten: there is no offset to confirm it

    async def _set_webhook(self, params: JSON) -> JSON:
        url, secret = _string(params, "url"), _string(params, "secret_token")
        parts = urlsplit(url)
        if parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost"):
            raise ApiError(400, "Bad Request: url must be https")
        if not 8 <= len(secret) <= 256:
            raise ApiError(400, "Bad Request: secret_token must be 8 to 256 characters")
        self.webhook = Webhook(url, secret)
        return {"url": url, "updated_at": int(time.time() * 1000)}

    async def _delete_webhook(self, params: JSON) -> JSON:
        self.webhook = None
        return {"url": "", "updated_at": int(time.time() * 1000)}

    async def _get_webhook_info(self, params: JSON) -> JSON:
        return {"url": self.webhook.url if self.webhook else "", "updated_at": 0}

    async def _send_message(self, params: JSON) -> JSON:
        user = self._chat(params)
        text = _string(params, "text")
        if len(text) > MAX_TEXT_LENGTH:
            raise ApiError(400, f"Bad Request: text is longer than {MAX_TEXT_LENGTH} characters")
        return self._post(user, {"text": text})

    async def _send_photo(self, params: JSON) -> JSON:
        user = self._chat(params)
        photo = _string(params, "photo")
        if not photo.startswith(("https://", "http://")):
            raise ApiError(400, "Bad Request: photo must be a URL")
        caption = params.get("caption", "")
        if not isinstance(caption, str) or len(caption) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: caption must be a string of at most 2000 characters")
        return self._post(user, {"photo": photo} | ({"caption": caption} if caption else {}))

    async def _send_chat_action(self, params: JSON) -> bool:
        user = self._chat(params)
        action = _string(params, "action")
        if action not in CHAT_ACTIONS:
            raise ApiError(400, f"Bad Request: action must be one of {sorted(CHAT_ACTIONS)}")
        self.chat_actions.append((user.id, action))
        return True

    def _chat(self, params: JSON) -> FakeUser:
        chat_id = _string(params, "chat_id")
        user = self.users.get(chat_id)
        if user is None or not user.messages:
            raise ApiError(400, "Bad Request: chat not found (the user has never written to the bot)")
        if user.blocked_bot:
            raise ApiError(403, "Forbidden: the user blocked the bot")
        return user

    def _post(self, user: FakeUser, content: JSON) -> JSON:
        message = {"message_id": self._new_message_id(), "date": int(time.time() * 1000)} | content
        user.messages.append({"by": "bot", **message})
        return {"message_id": message["message_id"], "date": message["date"]}

    def _queue(self, update: JSON) -> None:
        self.pending.append(update)

    def _new_message_id(self) -> str:
        with self._lock:
            return f"{next(self._ids):08x}" + "c0ffee"


def _string(params: JSON, name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise ApiError(400, f"Bad Request: {name} is required and must be a non-empty string")
    return value
