"""Start every configured channel in one process, each the same way (`Channel.start`).

Each channel gives its senders, its receivers (polling loops) and its web routes; they share the
inbox processor, the reminder scheduler and the loops of the `Runtime`, and the one web server
(`[web]`, bot/web.py) serves every route next to /healthz, /readyz and /metrics.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AsyncExitStack

import httpx

from bot.app import build_app
from bot.channels.base import Channel, Setup
from bot.channels.registry import CHANNELS
from bot.runtime import Runtime
from bot.web import WEB_ROUTES, RouteSource, web_server
from core.config import Settings


async def serve(settings: Settings, channels: Sequence[Channel] = CHANNELS,
                pages: Sequence[RouteSource] = WEB_ROUTES) -> None:
    app = build_app(settings, channels=channels)
    runtime = Runtime(app, [])
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(httpx.AsyncClient())
        setup = Setup(app, stack, http, runtime.inbox_changed)
        receivers, routes = {}, []
        for channel in channels:
            if channel.start is None or channel.name not in settings.platforms:
                continue
            wiring = await channel.start(setup)
            runtime.senders += wiring.senders
            receivers.update(wiring.receivers)
            routes += wiring.routes
        receivers["web server"] = web_server(app, runtime.health, runtime.gauges, routes, pages).serve()
        await runtime.run(**receivers)
