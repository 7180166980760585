"""The Telegram webhook endpoint: an ASGI app that answers 2xx only after the update is committed.

Telegram retries an update until it gets a 2xx, so an update is never lost between its
arrival and the commit; a retried one is deduplicated by the inbox.

A body of the wrong shape never answers 500. One that is no update at all (not a JSON object
with an integer `update_id`: an array, a string, broken JSON) gets 400: it did not come from
Telegram, and there is nothing to confirm. An update whose content cannot be read (a `message`
that is a string, a chat without an id) gets 200 and is logged as unusable by its update_id:
Telegram retries anything else and holds the updates after it meanwhile, and a retry cannot
make it readable. Only a failure to commit a readable update answers 5xx, so that it comes again.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable

import telegram
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.channels.telegram.adapter import TelegramReceiver, acknowledge_button, incoming_from_update

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, IndexError)  # what PTB raises on a wrong shape


def webhook_app(bot: telegram.Bot, receiver: TelegramReceiver, secret: str,
                on_recorded: Callable[[], None] = lambda: None, path: str = "/telegram") -> Starlette:
    async def receive(request: Request) -> Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            return PlainTextResponse("wrong secret token", status_code=403)
        try:
            data = json.loads(await request.body())
        except ValueError as error:  # UnicodeDecodeError included
            log.warning("webhook body is not JSON: %s", error)
            return PlainTextResponse("not JSON", status_code=400)
        if not isinstance(data, dict) or type(data.get("update_id")) is not int:
            log.warning("webhook body is not an update (a JSON object with an integer update_id)")
            return PlainTextResponse("not an update: a JSON object with an integer update_id", status_code=400)
        try:
            update = telegram.Update.de_json(data, bot)
            incoming = incoming_from_update(update)
        except UNREADABLE as error:
            log.warning("update %s is unusable and set aside (%s: %s)", data["update_id"], type(error).__name__, error)
            return PlainTextResponse("unusable update, set aside", status_code=200)
        if incoming is not None:
            await receiver.burst.record(str(update.update_id), incoming)
        on_recorded()
        await acknowledge_button(update)
        return Response(status_code=200)

    async def health(_request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route(path, receive, methods=["POST"]), Route("/healthz", health)])
