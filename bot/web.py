"""The product's one web application: health, readiness and metrics, every channel's routes (webhooks,
challenges) and the routes of `WEB_ROUTES` beside them, served at `[web] listen_host:listen_port` in
every mode (polling, webhook, console chat).

To serve more pages on the same server, add a `RouteSource` to `WEB_ROUTES`, one line, as channels are
added to `bot/channels/registry.py`: a function from the built `App` to one route (a `Mount` for a
whole application), e.g. the staff console's `console_mount`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from bot.health import Health
from bot.metrics import REGISTRY, DatabaseGauges
from webconsole.app import console_mount

if TYPE_CHECKING:
    from bot.app import App

READY_TIMEOUT = 3.0  # an unreachable database may take far longer to say so

RouteSource = Callable[["App"], BaseRoute]
WEB_ROUTES: tuple[RouteSource, ...] = (console_mount,)
"""Pages beside the channels' webhooks: the staff console at /console (docs/console.md)."""


def web_app(health: Health, gauges: DatabaseGauges, routes: Sequence[BaseRoute] = ()) -> Starlette:
    """/healthz, /readyz and /metrics first, then `routes`, a Mount("") (which takes every path) last."""
    database = CollectorRegistry()
    database.register(gauges)

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(_request: Request) -> Response:
        try:
            readiness = await asyncio.wait_for(asyncio.to_thread(health.readiness), READY_TIMEOUT)
        except TimeoutError:
            return _json({"ready": False, "checks": {"database": f"no answer in {READY_TIMEOUT:g} s"}}, 503)
        return _json({"ready": readiness.ready, "checks": readiness.checks}, 200 if readiness.ready else 503)

    async def metrics(_request: Request) -> Response:
        body = generate_latest(REGISTRY) + await asyncio.to_thread(generate_latest, database)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    mounted_last = sorted(routes, key=lambda route: isinstance(route, Mount) and route.path == "")
    return Starlette(routes=[Route("/healthz", healthz), Route("/readyz", readyz), Route("/metrics", metrics),
                             *mounted_last])


def web_server(app: App, health: Health, gauges: DatabaseGauges, routes: Sequence[BaseRoute] = (),
               sources: Sequence[RouteSource] = WEB_ROUTES) -> uvicorn.Server:
    """The one server of the process: the channels' `routes` and those of every source."""
    web = web_app(health, gauges, [*routes, *(source(app) for source in sources)])
    return uvicorn.Server(uvicorn.Config(web, host=app.settings.web.listen_host, port=app.settings.web.listen_port,
                                         log_config=None, access_log=False))


def _json(data: object, status: int) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status_code=status, media_type="application/json")
