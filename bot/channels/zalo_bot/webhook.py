"""The Zalo Bot API webhook endpoint: 2xx only after the commit (posts arriving together share one).

Zalo retries an event that is not answered with 2xx, so nothing is lost between its arrival
and the commit; a retried (or replayed) event is recorded once, by its inbox key.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.channels.zalo_bot.adapter import ZaloBotReceiver, unwrap

log = logging.getLogger(__name__)
BOT_SECRET_HEADER = "X-Bot-Api-Secret-Token"


def bot_route(receiver: ZaloBotReceiver, secret: str, on_recorded: Callable[[], None], path: str) -> Route:
    async def receive(request: Request) -> Response:
        if not secret or not hmac.compare_digest(request.headers.get(BOT_SECRET_HEADER, ""), secret):
            return PlainTextResponse("wrong secret token", status_code=403)
        try:
            update = unwrap(json.loads(await request.body()))
        except ValueError:
            update = None
        if update is None:
            log.warning("Zalo webhook body is not an update")
            return PlainTextResponse("not an update", status_code=400)
        if (entry := receiver.entry(update)) is None:
            return Response(status_code=200)  # dropped or ignored: delivering it again would not help
        await receiver.burst.record(*entry)  # with the posts arriving meanwhile, in one commit, in their order
        on_recorded()
        return Response(status_code=200, background=BackgroundTask(receiver.show_typing, entry[1]))

    return Route(path, receive, methods=["POST"])
