"""The test channel: a Messenger-like platform (24-hour reply window, a webhook verified by a challenge
GET, signed events), built only on the channel protocol (`bot/channels/base.py`) and registered by the
tests alone, with one line: `(*CHANNELS, CHANNEL)`. Nothing outside this module knows it exists, which
is what adding a platform costs: this module, its fake (tests/fakes/demo_api.py), its tests, one line.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.channels.base import Channel, Setup, Wiring
from bot.processing import InboxProcessor
from bot.transport import PermanentFailure, RateLimits, TemporaryFailure
from core.channels import Capabilities
from core.config import ChannelSection, IdForm, TableReader
from core.messages import Action, ChatKind, Incoming, Outgoing
from core.texts import plain_text
from handlers.deliveries import WINDOW_CLOSED, window_error

PLATFORM = "demo"
MAX_TEXT_LENGTH = 2000
REPLY_WINDOW = timedelta(hours=24)
OUTSIDE_WINDOW = (10, 2018278)  # Messenger's code and subcode for "outside of allowed window"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoSettings:
    page_token: str = ""
    app_secret: str = ""
    verify_token: str = ""
    api_url: str = "https://graph.example.invalid/v1"
    webhook_path: str = "/demo"
    messages_per_second: float = 10.0

    @property
    def enabled(self) -> bool:
        return bool(self.page_token)

    def secrets(self) -> tuple[str, ...]:
        return self.page_token, self.app_secret, self.verify_token


def read(table: TableReader) -> DemoSettings:
    defaults = DemoSettings()
    settings = DemoSettings(
        **{name: table.str(name, default=getattr(defaults, name))
           for name in ("page_token", "app_secret", "verify_token", "api_url", "webhook_path")},
        messages_per_second=table.positive_number("messages_per_second", default=defaults.messages_per_second))
    if settings.enabled and not (settings.app_secret and settings.verify_token):
        table.fail("app_secret", "and verify_token are needed when page_token is set")
    return settings


class DemoTransport:
    """Plain text; choices listed as numbers, which the handlers read back as button presses."""

    platform = PLATFORM
    max_text_length = MAX_TEXT_LENGTH

    def __init__(self, config: DemoSettings, http: httpx.AsyncClient) -> None:
        self._config = config
        self._http = http
        self.limits = RateLimits(config.messages_per_second, 0.0, 0.0)

    def is_group(self, chat_id: str) -> bool:
        return False

    async def send(self, message: Outgoing) -> list[str]:
        """An edit goes out as a new message; a deletion is refused."""
        if message.action is Action.DELETE:
            raise PermanentFailure("the demo platform cannot delete a message once sent")
        text = plain_text(message.html).strip()
        text = "\n".join([text, *(f"{n}. {b.label}" for n, b in enumerate(message.choices, 1))]).strip()
        try:
            body = {"recipient": {"id": message.chat.chat_id}, "message": {"text": text}}
            response = await self._http.post(f"{self._config.api_url}/me/messages", json=body, timeout=30,
                                             params={"access_token": self._config.page_token})
        except httpx.HTTPError as error:
            raise TemporaryFailure(f"{type(error).__name__}: {error}") from error
        body = response.json()
        if response.status_code >= 500:
            raise TemporaryFailure(f"{response.status_code}")
        if "error" in body:
            error = body["error"]
            if (error.get("code"), error.get("error_subcode")) == OUTSIDE_WINDOW:
                raise PermanentFailure(window_error("delivery_why_window", error.get("message", "")), WINDOW_CLOSED)
            raise PermanentFailure(f"{error.get('code')} {error.get('message', '')}")
        return [str(body["message_id"])]


def routes(config: DemoSettings, processor: InboxProcessor, on_recorded: Callable[[], None]) -> list[Route]:
    async def verify(request: Request) -> Response:
        query = request.query_params
        if query.get("hub.mode") != "subscribe" or not hmac.compare_digest(
                query.get("hub.verify_token", ""), config.verify_token):
            return PlainTextResponse("wrong verify token", status_code=403)
        return PlainTextResponse(query.get("hub.challenge", ""))

    async def receive(request: Request) -> Response:
        raw = await request.body()
        expected = "sha256=" + hmac.new(config.app_secret.encode(), raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(request.headers.get("X-Hub-Signature-256", ""), expected):
            return PlainTextResponse("bad signature", status_code=403)
        recorded = False
        for entry in json.loads(raw).get("entry", []):
            for event in entry.get("messaging", []):
                user, message = str(event["sender"]["id"]), event.get("message") or {}
                incoming = Incoming.received(platform=PLATFORM, chat_id=user, chat_kind=ChatKind.PRIVATE,
                                             user_id=user, message_id=str(message.get("mid", "")),
                                             text=str(message.get("text", "")),
                                             reply_to_message_id=str((message.get("reply_to") or {}).get("mid", "")))
                recorded |= await run_in_threadpool(processor.record, f"mid:{incoming.message_id}", incoming)
        if recorded:
            on_recorded()
        return Response(status_code=200)

    return [Route(config.webhook_path, verify, methods=["GET"]), Route(config.webhook_path, receive, methods=["POST"])]


async def start(setup: Setup) -> Wiring:
    config: DemoSettings = setup.app.settings.channel(PLATFORM)
    return Wiring(senders=[setup.app.sender(DemoTransport(config, setup.http))],
                  routes=routes(config, setup.app.processor, setup.inbox_changed))


CHANNEL = Channel(
    section=ChannelSection(PLATFORM, read, user_id=IdForm(r"\d+", "a demo user id (digits)"), group_id=None),
    capabilities=Capabilities(buttons=False, edits=False, html=False, reply_window=REPLY_WINDOW),
    max_text_length=MAX_TEXT_LENGTH,
    start=start,
)
