"""A strict local fake of the Zalo Official Account Open API v3 and its OAuth server, over HTTP
on 127.0.0.1, plus the people who write to the OA (whose events it signs and posts).

What it follows (developers.zalo.me, Official Account): `POST /v3.0/oa/message/cs` with the
`access_token` header and a JSON body {"recipient": {"user_id" | "message_id"}, "message":
{"text"} | {"attachment"}}; answers {"error": 0, "message": "Success", "data": {...}} or a
negative error. A reply by `message_id` is free within 48 hours of that message of the user;
by `user_id` the OA may write within 7 days of the user's last interaction; after that -230,
and -213 to someone who does not follow the OA. Access tokens expire (-220) and unknown ones
are invalid (-216). `POST /v4/oa/access_token` (form: app_id, grant_type=refresh_token,
refresh_token; header secret_key) returns a new pair; a refresh token works once.
Webhook events carry `app_id`, `event_name`, `timestamp` (milliseconds, as a string) and are
signed: `X-ZEvent-Signature: mac=` + hex sha256(app_id + body + timestamp + OA secret key).

Following the OA is not an interaction that lets the OA write: a message to someone who only
followed (never wrote) is refused (-230), as Zalo refused the bot's greetings on `follow`.
Refused requests are kept in `refused`.

Where it knowingly differs: the quota of free replies per message, and the paid/free
accounting, are not modelled; error texts are shortened; time is the test's clock.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.telegram_api import LocalServer

JSON = dict[str, Any]
MAX_TEXT_LENGTH = 2000
FREE_REPLY = timedelta(hours=48)
WINDOW = timedelta(days=7)
TOKEN_LIFE = timedelta(hours=25)


@dataclass
class OaUser:
    id: str
    follows: bool = True
    last_interaction: datetime | None = None
    sent: dict[str, datetime] = field(default_factory=dict)   # their message ids, when sent
    received: list[JSON] = field(default_factory=list)         # what the OA sent them


class FakeZaloOa:
    """One Official Account with one connected app."""

    def __init__(self, now: Callable[[], datetime], app_id: str = "1234567890123456789",
                 app_secret: str = "app-secret", oa_secret_key: str = "oa-secret-key") -> None:
        self.now = now
        self.app_id, self.app_secret, self.oa_secret_key = app_id, app_secret, oa_secret_key
        self.users: dict[str, OaUser] = {}
        self.access_tokens: dict[str, datetime] = {}   # token -> expires at
        self.refresh_tokens: set[str] = set()
        self.webhook_url = ""
        self.sends: list[JSON] = []                     # accepted cs requests, in order
        self.refused: list[JSON] = []                   # cs requests refused for their recipient
        self.refreshes = 0
        self._ids = itertools.count(1)
        self._server = LocalServer(Starlette(routes=[
            Route("/v3.0/oa/message/cs", self._send_cs, methods=["POST"]),
            Route("/v4/oa/access_token", self._access_token, methods=["POST"]),
        ]))
        self.last_posted: tuple[bytes, dict[str, str]] | None = None

    def __enter__(self) -> FakeZaloOa:
        self._server.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.stop()

    @property
    def url(self) -> str:
        return self._server.url

    def issue_tokens(self) -> tuple[str, str]:
        """What the OA admin's authorisation gives: an access token and a refresh token."""
        access, refresh = f"access-{next(self._ids)}", f"refresh-{next(self._ids)}"
        self.access_tokens[access] = self.now() + TOKEN_LIFE
        self.refresh_tokens.add(refresh)
        return access, refresh

    # --- people and their events ---------------------------------------------------------------

    def user(self, user_id: str) -> OaUser:
        return self.users.setdefault(user_id, OaUser(user_id))

    def follow(self, user_id: str) -> httpx.Response:
        self.user(user_id).follows = True
        return self.post_event({"event_name": "follow", "follower": {"id": user_id}, "oa_id": "oa-1",
                                "user_id_by_app": f"app-{user_id}"})

    def unfollow(self, user_id: str) -> httpx.Response:
        self.user(user_id).follows = False
        return self.post_event({"event_name": "unfollow", "follower": {"id": user_id}, "oa_id": "oa-1",
                                "user_id_by_app": f"app-{user_id}"})

    def user_sends(self, user_id: str, text: str) -> httpx.Response:
        user = self.user(user_id)
        message_id = f"{next(self._ids):04x}" + "a1b2c3d4e5f6"
        user.sent[message_id] = user.last_interaction = self.now()
        return self.post_event({"event_name": "user_send_text", "sender": {"id": user_id},
                                "recipient": {"id": "oa-1"}, "message": {"msg_id": message_id, "text": text}})

    def user_sends_image(self, user_id: str, url: str, text: str = "") -> httpx.Response:
        user = self.user(user_id)
        message_id = f"{next(self._ids):04x}" + "f6e5d4c3b2a1"
        user.sent[message_id] = user.last_interaction = self.now()
        return self.post_event({"event_name": "user_send_image", "sender": {"id": user_id},
                                "recipient": {"id": "oa-1"}, "message": {
                                    "msg_id": message_id, "text": text,
                                    "attachments": [{"type": "image", "payload": {"url": url, "thumbnail": url}}]}})

    def post_event(self, event: JSON, secret: str | None = None) -> httpx.Response:
        """Sign an event and post it to the webhook, as Zalo does."""
        body = json.dumps({"app_id": self.app_id, **event, "timestamp": str(int(self.now().timestamp() * 1000))},
                          ensure_ascii=False).encode()
        return self.post_raw(body, self.sign(body, secret))

    def sign(self, body: bytes, secret: str | None = None) -> dict[str, str]:
        timestamp = str(json.loads(body)["timestamp"]).encode()
        key = (secret or self.oa_secret_key).encode()
        mac = hashlib.sha256(self.app_id.encode() + body + timestamp + key).hexdigest()
        return {"X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json"}

    def post_raw(self, body: bytes, headers: dict[str, str]) -> httpx.Response:
        self.last_posted = (body, headers)
        return httpx.post(self.webhook_url, content=body, headers=headers, timeout=10)

    def replay_last(self) -> httpx.Response:
        assert self.last_posted is not None
        return self.post_raw(*self.last_posted)

    def texts_to(self, user_id: str) -> list[str]:
        return [m.get("text", "") for m in self.user(user_id).received]

    # --- the API -----------------------------------------------------------------------------

    async def _send_cs(self, request: Request) -> JSONResponse:
        token = request.headers.get("access_token", "")
        if token not in self.access_tokens:
            return _error(-216, "Access token is invalid")
        if self.access_tokens[token] <= self.now():
            return _error(-220, "Access token has expired")
        try:
            body = json.loads(await request.body())
            recipient, message = body["recipient"], body["message"]
        except (ValueError, KeyError, TypeError):
            return _error(-201, "Body is invalid")
        user, problem = self._recipient(recipient)
        if problem is not None:
            self.refused.append({"recipient": recipient, "message": message})
            return problem
        assert user is not None
        text = message.get("text")
        if text is not None and (not isinstance(text, str) or not text or len(text) > MAX_TEXT_LENGTH):
            return _error(-201, "text is invalid")
        if text is None and "attachment" not in message:
            return _error(-201, "message is invalid")
        message_id = f"oa{next(self._ids):06x}"
        user.received.append({"message_id": message_id, **message})
        self.sends.append({"recipient": recipient, "message": message})
        return JSONResponse({"error": 0, "message": "Success", "data": {
            "message_id": message_id, "user_id": user.id, "quota": {"quota_type": "reply" if
                                                                    "message_id" in recipient else "sub_quota"}}})

    def _recipient(self, recipient: JSON) -> tuple[OaUser | None, JSONResponse | None]:
        now = self.now()
        if "message_id" in recipient:
            for user in self.users.values():
                sent_at = user.sent.get(str(recipient["message_id"]))
                if sent_at is not None:
                    if not user.follows:
                        return None, _error(-213, "User has not followed OA")
                    if now - sent_at > FREE_REPLY:
                        return None, _error(-230, "User has not interacted with the OA in the past 48 hours")
                    return user, None
            return None, _error(-201, "message_id is invalid")
        user = self.users.get(str(recipient.get("user_id", "")))
        if user is None:
            return None, _error(-201, "user_id is invalid")
        if not user.follows:
            return None, _error(-213, "User has not followed OA")
        if user.last_interaction is None or now - user.last_interaction > WINDOW:
            return None, _error(-230, "User has not interacted with the OA in the past 7 days")
        return user, None

    async def _access_token(self, request: Request) -> JSONResponse:
        form = dict(httpx.QueryParams((await request.body()).decode()))
        if request.headers.get("secret_key") != self.app_secret or form.get("app_id") != self.app_id:
            return JSONResponse({"error": -14001, "error_name": "Invalid app", "error_description": "bad app"})
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") not in self.refresh_tokens:
            return JSONResponse({"error": -14014, "error_name": "Invalid parameter",
                                 "error_description": "Invalid refresh token"})
        self.refresh_tokens.discard(form["refresh_token"])  # single-use
        self.refreshes += 1
        access, refresh = self.issue_tokens()
        return JSONResponse({"access_token": access, "refresh_token": refresh,
                             "expires_in": str(int(TOKEN_LIFE.total_seconds()))})


def _error(code: int, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message})
