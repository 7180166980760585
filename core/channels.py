"""What each chat platform can carry, so that handlers decide on capabilities, not on names."""

from __future__ import annotations

from dataclasses import dataclass

from core.texts import Html, Texts


@dataclass(frozen=True)
class Channel:
    """`replies`: its updates say which message a reply answers (Zalo's do not).
    `sendable`: the catalogue key naming what a young person can send there.
    `name`: the catalogue key of what people call it ("" for the console and test channels)."""

    replies: bool = True
    sendable: str = "sendable_all"
    name: str = ""


CHANNELS = {
    "telegram": Channel(name="platform_telegram"),
    "zalo": Channel(replies=False, sendable="sendable_text_photos", name="platform_zalo"),  # text and photos only
    "zalo_oa": Channel(replies=False, name="platform_zalo_oa"),
}


def channel(platform: str) -> Channel:
    """Telegram, the console and the test channel have every capability."""
    return CHANNELS.get(platform, Channel())


def sendable(texts: Texts, language: str, platform: str) -> Html:
    """"text, a photo, a voice note or a file", or less where the platform carries less."""
    return texts.render(language, channel(platform).sendable)


def platform_name(texts: Texts, language: str, platform: str) -> str:
    """"Telegram", "Zalo": what people call a platform, not its key in the config."""
    key = channel(platform).name
    return texts.plain(language, key) if key else platform
