"""A strict local fake of a Messenger-like platform (the test channel, tests/demo_channel.py), over
HTTP on 127.0.0.1, plus the people who write to its page.

What it follows, after Messenger's Send API and webhooks: `POST /v1/me/messages?access_token=T` with
{"recipient": {"id"}, "message": {"text"}} answers {"recipient_id", "message_id"}; a wrong token
answers 401 with error code 190; a message to someone whose last message is more than 24 hours old
(by the test's clock) answers 400 with error code 10, subcode 2018278 ("outside of allowed window"),
and is kept in `refused`. A person's message is posted to the bot's webhook as
{"object": "page", "entry": [{"messaging": [{"sender": {"id"}, "timestamp", "message": {"mid", "text"}}]}]}
signed `X-Hub-Signature-256: sha256=<hex hmac-sha256(app secret, body)>`. The webhook is verified
by a GET with hub.mode=subscribe, hub.verify_token and hub.challenge, which it must echo.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.telegram_api import LocalServer

JSON = dict[str, Any]
WINDOW = timedelta(hours=24)


class FakeDemo:
    def __init__(self, now: Callable[[], datetime], token: str = "demo-page-token-0123456789",
                 app_secret: str = "demo-app-secret-0123") -> None:
        self.now = now
        self.token = token
        self.app_secret = app_secret
        self.webhook_url = ""
        self.last_message: dict[str, datetime] = {}
        self.received: dict[str, list[str]] = {}
        self.refused: list[JSON] = []
        self._ids = itertools.count(1)
        self._server = LocalServer(Starlette(routes=[Route("/v1/me/messages", self._send, methods=["POST"])]))

    def __enter__(self) -> FakeDemo:
        self._server.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.stop()

    @property
    def url(self) -> str:
        return f"{self._server.url}/v1"

    # --- the platform ---

    async def _send(self, request: Request) -> JSONResponse:
        if request.query_params.get("access_token") != self.token:
            return _error(401, 190, 0, "Invalid OAuth access token")
        body = await request.json()
        user, text = str(body["recipient"]["id"]), str(body["message"]["text"])
        last = self.last_message.get(user)
        if last is None or self.now() - last > WINDOW:
            self.refused.append(body)
            return _error(400, 10, 2018278, "This message is sent outside of allowed window")
        self.received.setdefault(user, []).append(text)
        return JSONResponse({"recipient_id": user, "message_id": f"m_bot_{next(self._ids)}"})

    # --- the people ---

    def user_sends(self, user: str, text: str) -> httpx.Response:
        """A person writes to the page: the window opens again, and the bot's webhook hears of it."""
        self.last_message[user] = self.now()
        event = {"sender": {"id": user}, "recipient": {"id": "page"}, "timestamp": int(self.now().timestamp() * 1000),
                 "message": {"mid": f"m_user_{next(self._ids)}", "text": text}}
        return self.post_raw(json.dumps({"object": "page", "entry": [{"messaging": [event]}]}).encode())

    def post_raw(self, body: bytes, secret: str | None = None) -> httpx.Response:
        mac = hmac.new((secret or self.app_secret).encode(), body, hashlib.sha256).hexdigest()
        return httpx.post(self.webhook_url, content=body, timeout=10,
                          headers={"X-Hub-Signature-256": f"sha256={mac}", "Content-Type": "application/json"})

    def verify(self, verify_token: str, challenge: str) -> httpx.Response:
        """What the platform does when the webhook is set: a GET that must echo the challenge."""
        return httpx.get(self.webhook_url, timeout=10, params={
            "hub.mode": "subscribe", "hub.verify_token": verify_token, "hub.challenge": challenge})

    def texts_to(self, user: str) -> list[str]:
        return self.received.get(user, [])


def _error(status: int, code: int, subcode: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": "OAuthException", "code": code,
                                   "error_subcode": subcode}}, status_code=status)
