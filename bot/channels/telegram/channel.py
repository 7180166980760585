"""Telegram as a channel: `[telegram]`, its capabilities, and how it starts (long polling, or its
webhook among the web application's routes)."""

from __future__ import annotations

from starlette.routing import Mount

from bot.channels.base import Channel, Setup, Wiring, path_of
from bot.channels.endpoint import MOVED, EndpointSettings, read_endpoint
from bot.channels.telegram.adapter import (
    ALLOWED_UPDATES,
    PLATFORM,
    TelegramReceiver,
    TelegramTransport,
    make_bot,
    register_commands,
)
from bot.channels.telegram.webhook import webhook_app
from core.channels import Capabilities
from core.config import ChannelSection, IdForm, TableReader
from handlers.commands import command_menus

DEFAULTS = EndpointSettings(base_url="https://api.telegram.org/bot")  # Telegram's published limits


def read(table: TableReader) -> EndpointSettings:
    """A self-hosted Bot API server, or a bot granted higher limits, raises the limits here."""
    settings = read_endpoint(table, DEFAULTS, "Telegram")
    if settings.mode == "webhook" and len(settings.webhook_secret) < 16:
        table.fail("webhook_secret", "must be at least 16 characters (A-Z, a-z, 0-9, _ and -)")
    return settings


async def start(setup: Setup) -> Wiring:
    app = setup.app
    config: EndpointSettings = app.settings.channel(PLATFORM)
    bot = await setup.stack.enter_async_context(make_bot(config.token, config.base_url))
    await register_commands(bot, command_menus(app.services.texts, app.settings, PLATFORM),
                            app.settings.default_language)
    wiring = Wiring(senders=[app.sender(TelegramTransport(bot, config.limits))])
    receiver = TelegramReceiver(bot, app.processor)
    if config.mode == "polling":
        await bot.delete_webhook()
        wiring.receivers["telegram receiver"] = receiver.poll_forever(setup.inbox_changed)
        return wiring
    await bot.set_webhook(config.webhook_url, secret_token=config.webhook_secret, allowed_updates=ALLOWED_UPDATES)
    endpoint = webhook_app(bot, receiver, config.webhook_secret, setup.inbox_changed,
                           path=path_of(config.webhook_url, "/telegram"))
    wiring.routes.append(Mount("", app=endpoint))  # mounted last (bot/web.py): a Mount("") takes every path
    return wiring


CHANNEL = Channel(
    section=ChannelSection(
        PLATFORM, read,
        user_id=IdForm(r"[1-9]\d*", "a Telegram user id (a positive number like 123456789)"),
        group_id=IdForm(r"-[1-9]\d*", "a Telegram group id (a negative number like -1001234567890, not a @name)"),
        moved=MOVED),
    capabilities=Capabilities(name="platform_telegram"),
    max_text_length=TelegramTransport.max_text_length,
    start=start,
)

