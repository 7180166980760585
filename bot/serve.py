"""Start every configured platform in one process: Telegram and/or Zalo (Bot API, Official Account).

Each platform gets its receiver (long polling or a webhook) and one outbox sender with its own
limits; they share the inbox processor and the reminder scheduler of the `Runtime`. The one web
server (`[web]`) serves the webhooks next to /healthz, /readyz and /metrics.
"""

from __future__ import annotations

from collections.abc import Awaitable
from contextlib import AsyncExitStack
from urllib.parse import urlsplit

import httpx
import uvicorn
from starlette.routing import BaseRoute, Mount

from bot.app import App, build_app
from bot.runtime import Runtime
from bot.telegram import (
    ALLOWED_UPDATES,
    TelegramReceiver,
    TelegramTransport,
    configured_limits,
    make_bot,
    register_commands,
)
from bot.transport import RateLimits
from bot.web import web_app
from bot.webhook import webhook_app
from bot.zalo_bot import MAX_TEXT_LENGTH, ZaloBotClient, ZaloBotReceiver, ZaloBotTransport
from bot.zalo_oa import MAX_TEXT_LENGTH as OA_MAX_TEXT_LENGTH
from bot.zalo_oa import OaCredentials, ZaloOaClient, ZaloOaReceiver, ZaloOaTransport, seed_tokens
from bot.zalo_text import ChooseHints
from bot.zalo_webhook import bot_route, oa_route
from core.config import Settings
from handlers.commands import command_menus
from handlers.zalo_window import report_undeliverable
from webconsole.app import console_mount


async def serve(settings: Settings) -> None:
    limits = {"telegram": TelegramTransport.max_text_length, "zalo": MAX_TEXT_LENGTH, "zalo_oa": OA_MAX_TEXT_LENGTH}
    app = build_app(settings, text_limits=limits)
    runtime = Runtime(app, [])
    async with AsyncExitStack() as stack:
        receivers: dict[str, Awaitable[None]] = {}
        routes: list[BaseRoute] = []
        if settings.telegram.token:
            await _telegram(stack, settings, app, runtime, receivers, routes)
        http = await stack.enter_async_context(httpx.AsyncClient())
        if settings.zalo.token:
            await _zalo_bot(settings, app, runtime, http, receivers, routes)
        if settings.zalo_oa.enabled:
            routes.append(_zalo_oa(settings, app, runtime, http))
        receivers["web server"] = web_server(settings, runtime, routes).serve()
        await runtime.run(**receivers)


def web_server(settings: Settings, runtime: Runtime, routes: list[BaseRoute]) -> uvicorn.Server:
    """The one server of the process, in every mode; the webhooks are among its routes."""
    routes = [console_mount(runtime.app), *routes]
    # a Mount("") takes every path, so it goes last
    mounted_last = sorted(routes, key=lambda route: isinstance(route, Mount) and route.path == "")
    app = web_app(runtime.health, runtime.gauges, mounted_last)
    return uvicorn.Server(uvicorn.Config(app, host=settings.web.listen_host, port=settings.web.listen_port,
                                         log_config=None, access_log=False))


async def _telegram(stack: AsyncExitStack, settings: Settings, app: App, runtime: Runtime,
                    receivers: dict[str, Awaitable[None]], routes: list[BaseRoute]) -> None:
    config = settings.telegram
    bot = await stack.enter_async_context(make_bot(config.token, config.base_url))
    await register_commands(bot, command_menus(app.services.texts, settings, "telegram"), settings.default_language)
    runtime.senders.append(app.sender(TelegramTransport(bot, configured_limits(config))))
    receiver = TelegramReceiver(bot, app.processor)
    if config.mode == "polling":
        await bot.delete_webhook()
        receivers["telegram receiver"] = receiver.poll_forever(runtime.inbox_changed)
        return
    await bot.set_webhook(config.webhook_url, secret_token=config.webhook_secret, allowed_updates=ALLOWED_UPDATES)
    endpoint = webhook_app(bot, receiver, config.webhook_secret, runtime.inbox_changed,
                           path=_path_of(config.webhook_url, "/telegram"))
    routes.append(Mount("", app=endpoint))  # after the others: its own /healthz is shadowed by the server's


async def _zalo_bot(settings: Settings, app: App, runtime: Runtime, http: httpx.AsyncClient,
                    receivers: dict[str, Awaitable[None]], routes: list[BaseRoute]) -> None:
    config = settings.zalo
    client = ZaloBotClient(config.token, config.base_url, http)
    await client.get_me()  # a wrong token stops the start here, with Zalo's own words
    limits = RateLimits(config.messages_per_second, config.private_interval, config.group_interval)
    groups = [chat.chat_id for d in settings.departments for chat in d.chats if chat.platform == "zalo"]
    hints = ChooseHints(app.services.texts, app.sessions)
    runtime.senders.append(app.sender(ZaloBotTransport(client, limits, hints, groups)))
    receiver = ZaloBotReceiver(client, app.processor)
    if config.mode == "polling":
        await client.delete_webhook()
        receivers["zalo receiver"] = receiver.poll_forever(runtime.inbox_changed)
        return
    await client.set_webhook(config.webhook_url, config.webhook_secret)
    routes.append(bot_route(receiver, config.webhook_secret, runtime.inbox_changed,
                            _path_of(config.webhook_url, "/zalo")))


def _zalo_oa(settings: Settings, app: App, runtime: Runtime, http: httpx.AsyncClient) -> BaseRoute:
    """The OA only has a webhook (set in the Zalo app's settings), served with the Bot API's."""
    config = settings.zalo_oa
    seed_tokens(app.sessions, config.app_id, config.access_token, config.refresh_token, app.clock)
    client = ZaloOaClient(OaCredentials(config.app_id, config.app_secret, config.api_url, config.oauth_url),
                          app.sessions, app.clock, http)
    limits = RateLimits(config.messages_per_second, config.private_interval, config.private_interval)
    transport = ZaloOaTransport(client, app.sessions, app.clock, limits, ChooseHints(app.services.texts, app.sessions))
    runtime.senders.append(app.sender(transport, on_failure=report_undeliverable))
    receiver = ZaloOaReceiver(app.processor, app.sessions)
    return oa_route(receiver, config.app_id, config.oa_secret_key, runtime.inbox_changed, config.webhook_path)



def _path_of(url: str, default: str) -> str:
    return urlsplit(url).path.rstrip("/") or default
