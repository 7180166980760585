"""The Telegram webhook endpoint: an ASGI app that answers 2xx only after the update is committed.

Telegram retries an update until it gets a 2xx, so an update is never lost between its
arrival and the commit; a retried one is deduplicated by the inbox.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable

import telegram
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.telegram import TelegramReceiver, acknowledge_button

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_app(bot: telegram.Bot, receiver: TelegramReceiver, secret: str,
                on_recorded: Callable[[], None] = lambda: None, path: str = "/telegram") -> Starlette:
    async def receive(request: Request) -> Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            return PlainTextResponse("wrong secret token", status_code=403)
        try:
            update = telegram.Update.de_json(json.loads(await request.body()), bot)
        except (ValueError, TypeError, KeyError) as error:
            log.warning("webhook body is not an update: %s", error)
            return PlainTextResponse("not an update", status_code=400)
        await run_in_threadpool(receiver.record, update)
        on_recorded()
        await acknowledge_button(update)
        return Response(status_code=200)

    async def health(_request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route(path, receive, methods=["POST"]), Route("/healthz", health)])
