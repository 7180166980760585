"""The Zalo Official Account webhook endpoint: signed events, 2xx only after the commit.

Zalo retries an event that is not answered with 2xx, so nothing is lost between its arrival
and the commit; a retried (or replayed) event is recorded once, by its inbox key.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.channels.zalo_oa.adapter import ZaloOaReceiver, signature_ok

log = logging.getLogger(__name__)
OA_SIGNATURE_HEADER = "X-ZEvent-Signature"


def oa_route(receiver: ZaloOaReceiver, app_id: str, oa_secret_key: str, on_recorded: Callable[[], None],
             path: str) -> Route:
    async def receive(request: Request) -> Response:
        raw = await request.body()
        if not signature_ok(raw, request.headers.get(OA_SIGNATURE_HEADER, ""), app_id, oa_secret_key):
            log.warning("Zalo OA event refused: bad signature")
            return PlainTextResponse("bad signature", status_code=403)
        if await run_in_threadpool(receiver.record, json.loads(raw)):
            on_recorded()
        return Response(status_code=200)

    return Route(path, receive, methods=["POST"])
