"""A Zalo Official Account as a channel: `[zalo_oa]`, its capabilities (no groups, a reply window), and
how it starts: a webhook only (set in the Zalo app's settings), among the web application's routes."""

from __future__ import annotations

from dataclasses import dataclass

from bot.channels.base import Channel, Setup, Wiring
from bot.channels.zalo_oa.adapter import (
    MAX_TEXT_LENGTH,
    PLATFORM,
    REPLY_WINDOW,
    OaCredentials,
    ZaloOaClient,
    ZaloOaReceiver,
    ZaloOaTransport,
    seed_tokens,
)
from bot.channels.zalo_oa.webhook import oa_route
from bot.channels.zalo_text import ChooseHints
from bot.transport import RateLimits
from core.channels import Capabilities
from core.config import ChannelSection, IdForm, TableReader


@dataclass(frozen=True)
class ZaloOaSettings:
    """A Zalo Official Account (Open API v3): webhook in, consultation messages out."""

    app_id: str = ""
    app_secret: str = ""       # the app's secret key: refreshing the access token
    oa_secret_key: str = ""    # the OA secret key: checking X-ZEvent-Signature
    access_token: str = ""     # first tokens only; later ones live in the database
    refresh_token: str = ""
    api_url: str = "https://openapi.zalo.me"
    oauth_url: str = "https://oauth.zaloapp.com"
    webhook_path: str = "/zalo-oa"
    messages_per_second: float = 5.0
    private_interval: float = 1.0

    @property
    def enabled(self) -> bool:
        return bool(self.app_id)

    def secrets(self) -> tuple[str, ...]:
        return self.app_secret, self.oa_secret_key, self.access_token, self.refresh_token


def read(table: TableReader) -> ZaloOaSettings:
    texts = ("app_id", "app_secret", "oa_secret_key", "access_token", "refresh_token", "api_url", "oauth_url",
             "webhook_path")
    defaults = ZaloOaSettings()
    settings = ZaloOaSettings(
        **{name: table.str(name, default=getattr(defaults, name)) for name in texts},
        **{name: table.positive_number(name, default=getattr(defaults, name))
           for name in ("messages_per_second", "private_interval")},
    )
    if settings.enabled:
        for name in ("app_secret", "oa_secret_key", "refresh_token"):
            if not getattr(settings, name):
                table.fail(name, "is needed when app_id is set (see the Zalo section of the README)")
    if not settings.webhook_path.startswith("/"):
        table.fail("webhook_path", f"must start with '/', like \"/zalo-oa\", not '{settings.webhook_path}'")
    return settings


async def start(setup: Setup) -> Wiring:
    app = setup.app
    config: ZaloOaSettings = app.settings.channel(PLATFORM)
    seed_tokens(app.sessions, config.app_id, config.access_token, config.refresh_token, app.clock)
    client = ZaloOaClient(OaCredentials(config.app_id, config.app_secret, config.api_url, config.oauth_url),
                          app.sessions, app.clock, setup.http)
    limits = RateLimits(config.messages_per_second, config.private_interval, config.private_interval)
    transport = ZaloOaTransport(client, app.sessions, app.clock, limits, ChooseHints(app.services.texts, app.sessions))
    receiver = ZaloOaReceiver(app.processor, app.sessions)
    route = oa_route(receiver, config.app_id, config.oa_secret_key, setup.inbox_changed, config.webhook_path)
    return Wiring(senders=[app.sender(transport)], routes=[route])


CHANNEL = Channel(
    section=ChannelSection(PLATFORM, read, user_id=IdForm(r"\d+", "a Zalo Official Account user id (digits)"),
                           group_id=None),
    capabilities=Capabilities(replies=False, buttons=False, edits=False, html=False, public_files=True,
                              reply_window=REPLY_WINDOW, name="platform_zalo_oa"),
    max_text_length=MAX_TEXT_LENGTH,
    start=start,
)
