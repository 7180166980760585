"""The Zalo Bot API as a channel: `[zalo]`, its capabilities, and how it starts (polling or its webhook)."""

from __future__ import annotations

from bot.channels.base import Channel, Setup, Wiring, path_of
from bot.channels.endpoint import MOVED, EndpointSettings, read_endpoint
from bot.channels.zalo_bot.adapter import MAX_TEXT_LENGTH, PLATFORM, ZaloBotClient, ZaloBotReceiver, ZaloBotTransport
from bot.channels.zalo_bot.webhook import bot_route
from bot.channels.zalo_text import ChooseHints
from core.channels import Capabilities
from core.config import ChannelSection, IdForm, TableReader

DEFAULTS = EndpointSettings(base_url="https://bot-api.zaloplatforms.com", messages_per_second=5.0)
"""Zalo publishes no rate limits for the Bot API: the defaults are deliberately slow."""
ZALO_ID = IdForm(r"[A-Za-z0-9_-]+", "a Zalo id (letters, digits, '-' and '_')")


def read(table: TableReader) -> EndpointSettings:
    settings = read_endpoint(table, DEFAULTS, "Zalo")
    if settings.mode == "webhook" and not 8 <= len(settings.webhook_secret) <= 256:
        table.fail("webhook_secret", "must be 8 to 256 characters")
    return settings


async def start(setup: Setup) -> Wiring:
    app = setup.app
    config: EndpointSettings = app.settings.channel(PLATFORM)
    client = ZaloBotClient(config.token, config.base_url, setup.http)
    await client.get_me()  # a wrong token stops the start here, with Zalo's own words
    groups = [chat.chat_id for d in app.settings.departments for chat in d.chats if chat.platform == PLATFORM]
    hints = ChooseHints(app.services.texts, app.sessions)
    wiring = Wiring(senders=[app.sender(ZaloBotTransport(client, config.limits, hints, groups))])
    receiver = ZaloBotReceiver(client, app.processor)
    if config.mode == "polling":
        await client.delete_webhook()
        wiring.receivers["zalo receiver"] = receiver.poll_forever(setup.inbox_changed)
        return wiring
    await client.set_webhook(config.webhook_url, config.webhook_secret)
    wiring.routes.append(bot_route(receiver, config.webhook_secret, setup.inbox_changed,
                                   path_of(config.webhook_url, "/zalo")))
    return wiring


CHANNEL = Channel(
    section=ChannelSection(PLATFORM, read, user_id=ZALO_ID, group_id=ZALO_ID, moved=MOVED),
    capabilities=Capabilities(replies=False, buttons=False, edits=False, html=False, public_files=True,
                              sendable="sendable_text_photos", name="platform_zalo"),  # text and photos only
    max_text_length=MAX_TEXT_LENGTH,
    start=start,
)
