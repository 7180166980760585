"""Start every configured platform in one process: Telegram and/or Zalo (Bot API, Official Account).

Each platform gets its receiver (long polling or a webhook) and one outbox sender with its own
limits; they share the inbox processor and the reminder scheduler of the `Runtime`.
"""

from __future__ import annotations

from collections.abc import Awaitable
from contextlib import AsyncExitStack
from urllib.parse import urlsplit

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from bot.app import App, build_app
from bot.runtime import Runtime
from bot.telegram import ALLOWED_UPDATES, TelegramReceiver, TelegramTransport, make_bot, register_commands
from bot.transport import RateLimits
from bot.webhook import webhook_app
from bot.zalo_bot import MAX_TEXT_LENGTH, ZaloBotClient, ZaloBotReceiver, ZaloBotTransport
from bot.zalo_oa import MAX_TEXT_LENGTH as OA_MAX_TEXT_LENGTH
from bot.zalo_oa import OaCredentials, ZaloOaClient, ZaloOaReceiver, ZaloOaTransport, seed_tokens
from bot.zalo_text import ChooseHints
from bot.zalo_webhook import bot_route, oa_route
from core.config import Settings
from handlers.commands import command_menus
from handlers.zalo_window import report_undeliverable


def configured_platforms(settings: Settings) -> list[str]:
    platforms = ["telegram"] if settings.telegram.token else []
    platforms += ["zalo"] if settings.zalo.token else []
    return platforms + (["zalo_oa"] if settings.zalo_oa.enabled else [])


async def serve(settings: Settings) -> None:
    limits = {"telegram": TelegramTransport.max_text_length, "zalo": MAX_TEXT_LENGTH, "zalo_oa": OA_MAX_TEXT_LENGTH}
    app = build_app(settings, text_limits=limits)
    runtime = Runtime(app, [])
    async with AsyncExitStack() as stack:
        receivers: list[Awaitable[None]] = []
        zalo_routes: list[BaseRoute] = []
        if settings.telegram.token:
            receivers.append(await _telegram(stack, settings, app, runtime))
        http = await stack.enter_async_context(httpx.AsyncClient())
        if settings.zalo.token:
            receivers += await _zalo_bot(settings, app, runtime, http, zalo_routes)
        if settings.zalo_oa.enabled:
            zalo_routes.append(_zalo_oa(settings, app, runtime, http))
        if zalo_routes:
            config = settings.zalo
            server = uvicorn.Server(uvicorn.Config(Starlette(routes=zalo_routes), host=config.listen_host,
                                                   port=config.listen_port))
            receivers.append(server.serve())
        await runtime.run(*receivers)


async def _telegram(stack: AsyncExitStack, settings: Settings, app: App, runtime: Runtime) -> Awaitable[None]:
    config = settings.telegram
    bot = await stack.enter_async_context(make_bot(config.token, config.base_url))
    await register_commands(bot, command_menus(app.services.texts, settings, "telegram"), settings.default_language)
    runtime.senders.append(app.sender(TelegramTransport(bot)))
    receiver = TelegramReceiver(bot, app.processor)
    if config.mode == "polling":
        await bot.delete_webhook()
        return receiver.poll_forever(runtime.inbox_changed)
    await bot.set_webhook(config.webhook_url, secret_token=config.webhook_secret, allowed_updates=ALLOWED_UPDATES)
    endpoint = webhook_app(bot, receiver, config.webhook_secret, runtime.inbox_changed,
                           path=_path_of(config.webhook_url, "/telegram"))
    server = uvicorn.Server(uvicorn.Config(endpoint, host=config.listen_host, port=config.listen_port))
    return server.serve()


async def _zalo_bot(settings: Settings, app: App, runtime: Runtime, http: httpx.AsyncClient,
                    routes: list[BaseRoute]) -> list[Awaitable[None]]:
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
        return [receiver.poll_forever(runtime.inbox_changed)]
    await client.set_webhook(config.webhook_url, config.webhook_secret)
    routes.append(bot_route(receiver, config.webhook_secret, runtime.inbox_changed,
                            _path_of(config.webhook_url, "/zalo")))
    return []


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
