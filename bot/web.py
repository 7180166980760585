"""The product's one web server: health, readiness and metrics, and the platforms' webhooks mounted
beside them, at `[web] listen_host:listen_port` in every mode (polling, webhook, console chat)."""

from __future__ import annotations

import asyncio
import json

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.health import Health
from bot.metrics import REGISTRY, DatabaseGauges

READY_TIMEOUT = 3.0  # an unreachable database may take far longer to say so


def web_app(health: Health, gauges: DatabaseGauges, routes: list[BaseRoute] | None = None) -> Starlette:
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

    return Starlette(routes=[Route("/healthz", healthz), Route("/readyz", readyz), Route("/metrics", metrics),
                             *(routes or [])])


def _json(data: object, status: int) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status_code=status, media_type="application/json")
