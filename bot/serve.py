"""Start the bot on Telegram: long polling for one process, or a webhook behind HTTPS."""

from __future__ import annotations

from urllib.parse import urlsplit

import uvicorn

from bot.app import build_app
from bot.runtime import Runtime
from bot.telegram import ALLOWED_UPDATES, TelegramReceiver, TelegramTransport, make_bot, register_commands
from bot.webhook import webhook_app
from core.config import Settings
from handlers.commands import command_menus


async def serve_telegram(settings: Settings) -> None:
    config = settings.telegram
    app = build_app(settings, text_limits={"telegram": TelegramTransport.max_text_length})
    async with make_bot(config.token, config.base_url) as bot:
        await register_commands(bot, command_menus(app.services.texts), settings.default_language)
        runtime = Runtime(app, [app.sender(TelegramTransport(bot))])
        receiver = TelegramReceiver(bot, app.processor)
        if config.mode == "polling":
            await bot.delete_webhook()
            await runtime.run(receiver.poll_forever(runtime.inbox_changed))
            return
        await bot.set_webhook(config.webhook_url, secret_token=config.webhook_secret,
                              allowed_updates=ALLOWED_UPDATES)
        endpoint = webhook_app(bot, receiver, config.webhook_secret, runtime.inbox_changed,
                               path=_path_of(config.webhook_url))
        server = uvicorn.Server(uvicorn.Config(endpoint, host=config.listen_host, port=config.listen_port))
        await runtime.run(server.serve())


def _path_of(url: str) -> str:
    return urlsplit(url).path.rstrip("/") or "/telegram"
