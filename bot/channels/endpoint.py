"""The settings table both bot APIs (Telegram's, Zalo's) have: a token, the API's address, polling or a
webhook, and the send limits. Each of the two channels reads it with its own defaults and checks."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.transport import RateLimits
from core.config import ONE_SERVER, TableReader

MOVED = {"listen_host": ONE_SERVER, "listen_port": ONE_SERVER}
"""Keys of earlier versions of these tables, and where their setting went."""
TEXTS = ("token", "base_url", "mode", "webhook_url", "webhook_secret")
NUMBERS = ("messages_per_second", "private_interval", "group_interval")


@dataclass(frozen=True)
class EndpointSettings:
    token: str = ""
    base_url: str = ""
    mode: str = "polling"  # or "webhook"
    webhook_url: str = ""
    webhook_secret: str = ""
    messages_per_second: float = 30.0
    private_interval: float = 1.0
    group_interval: float = 3.0

    @property
    def enabled(self) -> bool:
        return bool(self.token)

    @property
    def limits(self) -> RateLimits:
        return RateLimits(self.messages_per_second, self.private_interval, self.group_interval)

    def secrets(self) -> tuple[str, ...]:
        return self.token, self.webhook_secret


def read_endpoint(table: TableReader, defaults: EndpointSettings, platform: str) -> EndpointSettings:
    """Read the table over `defaults`; `platform` names who posts to the webhook in its error."""
    settings = replace(
        defaults,
        **{name: table.str(name, default=getattr(defaults, name)) for name in TEXTS},
        **{name: table.positive_number(name, default=getattr(defaults, name)) for name in NUMBERS})
    if settings.mode not in ("polling", "webhook"):
        table.fail("mode", f"must be \"polling\" or \"webhook\", not '{settings.mode}'")
    if settings.mode == "webhook" and not settings.webhook_url.startswith("https://"):
        table.fail("webhook_url", f"must be the public https:// address {platform} posts updates to")
    return settings
